package render

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/arrowmapping"
	"github.com/duckdb/duckdb-go/v2/mapping"
)

// A result is printed as DuckDB makes it: Runner runs the statement with
// DuckDB's streaming interface and reads it one data chunk (2,048 rows)
// at a time, as Arrow record batches, so that memory holds a chunk and
// DuckDB's small buffer of the next ones, not the result, and the first
// rows print at once. SELECT * of 4M log rows as CSV: 400 MB peak and
// 35.7 s of CPU, against 5.5 GB and 31.4 s for one materialized read and
// 88 s for the windows it replaces; 1M rows as a table: 10.2 s of CPU,
// 31.1 s before (cmd/s3logs-outbench, on a loaded 2-core machine). A
// result with a column of a type the stream does not read (see
// typeReader) is read in windows of a temporary table instead (windows.go).

// stream is a streaming result: Next, Scan and Err, as *sql.Rows.
type stream struct {
	ctx    context.Context
	conn   mapping.Connection
	res    mapping.Result
	opened bool // res holds a result to destroy
	opts   arrowmapping.ArrowOptions
	schema *arrow.Schema
	read   []reader
	cols   []column

	rec  arrow.RecordBatch // the current batch
	get  []getter
	row  int  // the current row of rec
	done bool // the result is read to its end, or failed
	err  error
	stop func() bool // stops the interrupt on cancellation
}

// openStream prepares st on the duckdb-go connection dc and starts it as a
// streaming result. ok is false, with nothing run, when it cannot stream:
// the statement does not prepare (the caller runs it the other way, which
// reports the error), has no result columns, is an EXPLAIN, has a column
// of a type the stream does not read, or duckdb-go's handles are not
// reachable. A SELECT whose column types are only known once it runs
// (they depend on its arguments) is started, and closed again with ok
// false if one has no reader. Close the stream when done.
func openStream(ctx context.Context, dc any, st Statement) (s *stream, ok bool, err error) {
	dconn, isDuck := dc.(*duckdb.Conn)
	if !isDuck {
		return nil, false, nil
	}
	conn, ok := rawConn(dconn)
	if !ok {
		return nil, false, nil
	}
	ds, err := dconn.PrepareContext(ctx, st.SQL)
	if err != nil {
		return nil, false, nil
	}
	stmt := ds.(*duckdb.Stmt)
	defer stmt.Close()
	ps, ok := rawStmt(stmt)
	if !ok {
		return nil, false, nil
	}
	known, ok := streamable(stmt, ps)
	if t, err := stmt.StatementType(); !ok || err != nil || !known && t != duckdb.STATEMENT_TYPE_SELECT {
		return nil, false, nil
	}
	if err := bind(dconn, stmt, st.Args); err != nil {
		return nil, true, err
	}
	s = &stream{ctx: ctx, conn: conn}
	s.stop = context.AfterFunc(ctx, func() { mapping.Interrupt(conn) })
	if err := s.start(ps); err != nil {
		s.Close()
		return nil, true, errors.Join(ctx.Err(), err)
	}
	if ok, err := s.describe(); !ok || err != nil {
		s.Close()
		return nil, err != nil, err
	}
	// The first chunk is read now, before anything is printed: a query
	// with a blocking step (a sort, an aggregate) fails here if it fails
	// for want of memory (see Runner.runStream).
	if !s.fetch() && s.err != nil {
		err := s.err
		s.Close()
		return nil, true, err
	}
	// Next moves to the first row of this chunk.
	s.row = -1
	return s, true, nil
}

// streamable reports whether the prepared statement ps (of stmt) has
// result columns that all have readers; known is false when a column's
// type is not known before the statement runs.
func streamable(stmt *duckdb.Stmt, ps mapping.PreparedStatement) (known, ok bool) {
	// EXPLAIN's plans are drawn from *sql.Rows (see printRows); they are small.
	if t, err := stmt.StatementType(); err != nil || t == duckdb.STATEMENT_TYPE_EXPLAIN {
		return true, false
	}
	n := int(mapping.PreparedStatementColumnCount(ps))
	if n == 0 {
		return true, false
	}
	known = true
	for i := range n {
		t := mapping.PreparedStatementColumnLogicalType(ps, mapping.IdxT(i))
		_, _, ok := typeReader(t)
		invalid := mapping.GetTypeId(t) == duckdb.TYPE_INVALID
		mapping.DestroyLogicalType(&t)
		if invalid {
			known = false
		} else if !ok {
			return true, false
		}
	}
	return known, true
}

// describe reads the columns of the result and makes their readers and
// Arrow schema; ok is false when a column has no reader.
func (s *stream) describe() (ok bool, err error) {
	n := int(mapping.ColumnCount(&s.res))
	names := make([]string, n)
	types := make([]mapping.LogicalType, n)
	defer func() {
		for i := range types {
			mapping.DestroyLogicalType(&types[i])
		}
	}()
	for i := range n {
		names[i] = mapping.ColumnName(&s.res, mapping.IdxT(i))
		types[i] = mapping.ColumnLogicalType(&s.res, mapping.IdxT(i))
		r, typeName, ok := typeReader(types[i])
		if !ok {
			return false, nil
		}
		t := parseType(typeName)
		s.read = append(s.read, r)
		s.cols = append(s.cols, column{name: names[i], t: t, numeric: t.isNumeric()})
	}
	s.opts = arrowmapping.ResultGetArrowOptions(&s.res)
	schema, ed := arrowmapping.NewArrowSchema(s.opts, types, names)
	if err := errorData(ed); err != nil {
		return false, err
	}
	s.schema = schema
	return true, nil
}

// bind binds args to stmt's parameters as database/sql would: each
// through the connection's value check, else the default converter.
func bind(dconn *duckdb.Conn, stmt *duckdb.Stmt, args []any) error {
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv := driver.NamedValue{Ordinal: i + 1, Value: a}
		if na, ok := a.(sql.NamedArg); ok {
			nv.Name, nv.Value = na.Name, na.Value
		}
		switch err := dconn.CheckNamedValue(&nv); {
		case errors.Is(err, driver.ErrSkip):
			v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
			if err != nil {
				return fmt.Errorf("argument %d: %w", i+1, err)
			}
			nv.Value = v
		case err != nil:
			return err
		}
		named[i] = nv
	}
	return stmt.Bind(named)
}

// start runs the prepared statement ps as a streaming result.
func (s *stream) start(ps mapping.PreparedStatement) error {
	var pending mapping.PendingResult
	if bindings.PendingPreparedStreaming(ps, &pending) == mapping.StateError {
		err := &duckdb.Error{Type: duckdb.ErrorTypeInvalid, Msg: mapping.PendingError(pending)}
		mapping.DestroyPending(&pending)
		return err
	}
	defer mapping.DestroyPending(&pending)
	state := mapping.ExecutePending(pending, &s.res)
	s.opened = true
	if state == mapping.StateError {
		if err := resultError(&s.res); err != nil {
			return err
		}
		return errors.New("render: DuckDB failed the statement and gave no reason")
	}
	return nil
}

// resultError is the error a result holds, as duckdb-go reports it.
func resultError(res *mapping.Result) error {
	msg := mapping.ResultError(res)
	if msg == "" {
		return nil
	}
	return &duckdb.Error{Type: duckdb.ErrorType(mapping.ResultErrorType(res)), Msg: msg}
}

func errorData(ed mapping.ErrorData) error {
	defer mapping.DestroyErrorData(&ed)
	if !mapping.ErrorDataHasError(ed) {
		return nil
	}
	return &duckdb.Error{Type: duckdb.ErrorType(mapping.ErrorDataErrorType(ed)), Msg: mapping.ErrorDataMessage(ed)}
}

// Next moves to the next row, fetching the next chunk when the current
// one is read.
func (s *stream) Next() bool {
	s.row++
	for s.rec == nil || s.row >= int(s.rec.NumRows()) {
		if s.done || !s.fetch() {
			return false
		}
	}
	return true
}

// fetch replaces the current batch with the next chunk of the result.
func (s *stream) fetch() bool {
	s.release()
	chunk := mapping.FetchChunk(s.res)
	if chunk.Ptr == nil {
		s.done = true
		if err := resultError(&s.res); err != nil {
			s.err = errors.Join(s.ctx.Err(), err) // an interrupt says why
		}
		return false
	}
	defer mapping.DestroyDataChunk(&chunk)
	rec, ed := arrowmapping.DataChunkToArrowArray(s.opts, s.schema, chunk)
	if s.err = errorData(ed); s.err != nil {
		s.done = true
		return false
	}
	s.rec, s.row = rec, 0
	s.get = s.get[:0]
	for i, r := range s.read {
		g, err := r(rec.Column(i))
		if err != nil {
			s.err, s.done = err, true
			return false
		}
		s.get = append(s.get, g)
	}
	return true
}

// Scan sets each *any of dest to the value of its column in the current
// row, as Scan of *sql.Rows into *any does.
func (s *stream) Scan(dest ...any) error {
	if len(dest) != len(s.get) {
		return fmt.Errorf("render: scan of %d values into %d", len(s.get), len(dest))
	}
	for i, d := range dest {
		p, ok := d.(*any)
		if !ok {
			return fmt.Errorf("render: scan into %T, want *any", d)
		}
		if s.rec.Column(i).IsNull(s.row) {
			*p = nil
		} else {
			*p = s.get[i](s.row)
		}
	}
	return nil
}

func (s *stream) Err() error { return s.err }

func (s *stream) release() {
	if s.rec != nil {
		s.rec.Release()
		s.rec = nil
	}
}

// Close frees the result; the stream cannot be read after.
func (s *stream) Close() {
	s.release()
	if s.stop != nil {
		s.stop()
	}
	if s.opened {
		mapping.DestroyResult(&s.res)
		s.opened = false
	}
	if s.opts.Ptr != nil {
		arrowmapping.DestroyArrowOptions(&s.opts)
	}
}

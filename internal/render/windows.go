package render

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/s3logs/s3logs/internal/db"
)

// duckdb-go materializes a whole result before the first row is read (it
// executes with DuckDB's pending-result interface, not the streaming one),
// so a SELECT of 4M log rows held about 5 GB before anything was printed.
// Runner streams a result instead (stream.go); a result with a column of a
// type the stream does not read (JSON, UNION, TIMETZ, BIT...) is kept by
// DuckDB as a temporary table, in its own spillable storage, and read back
// in windows of windowRows rows, each materialized alone: memory is
// bounded by a window and DuckDB's buffer pool, not by the result. The
// table shows in the user's catalog while it is read, and costs about 2.4
// times the CPU of one read: the way for the types the stream lacks only.

// windowRows is how many rows one window holds: 10,000 log rows are about
// 10 MB in duckdb-go's materialized form, and at this size the windows'
// own cost (one filtered scan each) stays a few percent of printing them.
const windowRows = 10000

// resultMemory is DuckDB's memory limit while a result is made and read:
// a temporary table is not compressed, and DuckDB keeps it in memory up to
// its limit (80% of RAM by default), so 4M log rows held 4.7 GB; beyond
// this limit its blocks go to DuckDB's temporary directory instead (and a
// heavy query spills there too). With it, printing 4M rows as CSV peaks
// under 500 MB (see cmd/s3logs-outbench).
var resultMemory = "256MB" // a variable for tests only

// resultSeq numbers the temporary result tables of this process.
var resultSeq atomic.Int64

// rowSource is the rows Write reads: one *sql.Rows, or a windowed result.
type rowSource interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// windowed reads the temporary table name on conn in windows of
// windowRows rows, in insertion (the query's) order.
type windowed struct {
	ctx   context.Context
	conn  Querier
	table string
	rows  *sql.Rows // the current window
	next  int64     // the first rowid of the next window
	n     int       // rows read from the current window
	err   error
}

// openWindowed stores the result of st in a temporary table on conn and
// opens its first window. ok is false, with no error, when the statement
// cannot be stored that way (it is not a query: PRAGMA, EXPLAIN, INSERT
// ... RETURNING, or a result with duplicate column names), and the caller
// runs it directly; such errors come from DuckDB's parser or binder, before
// anything runs. drop removes the table; call it when done reading.
func openWindowed(ctx context.Context, conn Querier, st Statement) (w *windowed, drop func(), ok bool, err error) {
	table := fmt.Sprintf("__s3logs_result_%d", resultSeq.Add(1))
	create := fmt.Sprintf("CREATE TEMP TABLE %s AS (\n%s\n)", table, trimStatement(st.SQL))
	restore := db.LimitMemory(ctx, conn, resultMemory)
	if _, err := conn.ExecContext(ctx, create, st.Args...); err != nil {
		restore()
		// A query that needs more memory than resultMemory and cannot
		// spill (list aggregates, say) runs directly, as before.
		if beforeExecution(err) || outOfMemory(err) {
			return nil, nil, false, nil
		}
		return nil, nil, true, err
	}
	drop = func() {
		conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+table)
		restore()
	}
	w = &windowed{ctx: ctx, conn: conn, table: table}
	if err := w.open(); err != nil {
		drop()
		return nil, nil, true, err
	}
	return w, drop, true, nil
}

// beforeExecution reports whether err is one DuckDB gives before running
// anything (the statement cannot be wrapped in CREATE TABLE AS).
func beforeExecution(err error) bool {
	var de *duckdb.Error
	if !errors.As(err, &de) {
		return false
	}
	switch de.Type {
	case duckdb.ErrorTypeParser, duckdb.ErrorTypeBinder, duckdb.ErrorTypeCatalog,
		duckdb.ErrorTypeNotImplemented, duckdb.ErrorTypeTransaction, duckdb.ErrorTypeInvalidInput:
		return true
	}
	return false
}

// outOfMemory reports whether err is DuckDB's out-of-memory error.
func outOfMemory(err error) bool {
	var de *duckdb.Error
	return errors.As(err, &de) && de.Type == duckdb.ErrorTypeOutOfMemory
}

// trimStatement removes trailing semicolons and space, so that the
// statement can be put in parentheses.
func trimStatement(q string) string {
	q = strings.TrimSpace(q)
	for strings.HasSuffix(q, ";") {
		q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	}
	return q
}

func (w *windowed) open() error {
	rows, err := w.conn.QueryContext(w.ctx,
		fmt.Sprintf("SELECT * FROM %s WHERE rowid >= %d AND rowid < %d ORDER BY rowid", w.table, w.next, w.next+windowRows))
	if err != nil {
		return err
	}
	w.rows, w.n = rows, 0
	w.next += windowRows
	return nil
}

// Next moves to the next row, opening the next window when the current
// one is read to its end and was full.
func (w *windowed) Next() bool {
	for w.err == nil {
		if w.rows.Next() {
			w.n++
			return true
		}
		if w.err = w.rows.Err(); w.err != nil {
			return false
		}
		full := w.n == windowRows
		w.rows.Close()
		if !full {
			return false
		}
		w.err = w.open()
	}
	return false
}

func (w *windowed) Scan(dest ...any) error { return w.rows.Scan(dest...) }
func (w *windowed) Err() error             { return w.err }

// close closes the current window.
func (w *windowed) close() {
	if w.rows != nil {
		w.rows.Close()
	}
}

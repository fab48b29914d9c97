package render

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"

	"github.com/s3logs/s3logs/internal/db"
)

// Querier is what Runner needs of a database: *sql.Conn (one session, so
// that SET and temporary tables carry over from one statement to the
// next), *sql.DB and *sql.Tx have it.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Statement is one SQL statement for Runner.Run, as the caller prepared
// it (cmd/s3logs and the shell use queries.Prepare).
type Statement struct {
	SQL      string // what DuckDB runs: one statement, macros expanded
	Args     []any  // bound to its parameters
	NoResult bool   // run for its effect only (CREATE, SET...): nothing is printed
}

// Runner runs SQL statements on one database and prints their results:
// the one way s3logs query, s3logs queries run and the shell run and show
// a statement. Conn and Out must be set; Run may be called any number of
// times, not concurrently.
type Runner struct {
	Conn Querier
	Out  io.Writer
	// Separate puts a blank line between two results in the text formats
	// (table, csv, markdown, line), as s3logs query does; json results
	// follow one another (a stream jq reads) and ndjson rows just go on.
	Separate bool
	// Rows is the number of rows of the last result Run printed (all of
	// them, also those a Table with MaxRows does not show).
	Rows int

	printed bool // a result was printed
}

// Run runs st and writes its result to r.Out as opts says, if it has one:
// a statement with NoResult, or whose result has no columns, prints
// nothing. In a Table, the plans of EXPLAIN are printed as DuckDB draws
// them, since a cell would escape their line breaks. printed reports
// whether a result was written. The error is DuckDB's, or a write error.
func (r *Runner) Run(ctx context.Context, st Statement, opts Options) (printed bool, err error) {
	r.Rows = 0
	if st.NoResult {
		_, err := r.Conn.ExecContext(ctx, st.SQL, st.Args...)
		return false, err
	}
	conn, release, err := session(ctx, r.Conn)
	if err != nil {
		return false, err
	}
	defer release()
	if c, ok := conn.(*sql.Conn); ok {
		if printed, streamed, err := r.runStream(ctx, c, st, opts); streamed {
			return printed, err
		}
	}
	win, drop, ok, err := openWindowed(ctx, conn, st)
	if err != nil {
		return false, err
	}
	if ok {
		defer drop()
		defer win.close()
		return r.printRows(win.rows, win, opts)
	}
	rows, err := conn.QueryContext(ctx, st.SQL, st.Args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	return r.printRows(rows, rows, opts)
}

// runStream runs st on c as a streaming result and prints it; streamed
// is false, with nothing run, when st cannot stream (see openStream).
//
// DuckDB's memory limit is resultMemory meanwhile: at its default (80% of
// RAM) DuckDB keeps every block of the database it has read, so printing
// 4M rows peaked at 832 MB, most of it the table's blocks, read once. A
// query that needs more than that and cannot spill (list aggregates, say)
// fails before its first row: it runs again under DuckDB's own limit.
func (r *Runner) runStream(ctx context.Context, c *sql.Conn, st Statement, opts Options) (printed, streamed bool, err error) {
	restore := db.LimitMemory(ctx, c, resultMemory)
	printed, streamed, err = r.streamOn(ctx, c, st, opts)
	restore()
	if streamed && !printed && outOfMemory(err) {
		printed, streamed, err = r.streamOn(ctx, c, st, opts)
	}
	return printed, streamed, err
}

// streamOn is runStream under the memory limit in force.
func (r *Runner) streamOn(ctx context.Context, c *sql.Conn, st Statement, opts Options) (printed, streamed bool, err error) {
	err = c.Raw(func(dc any) error {
		s, ok, err := openStream(ctx, dc, st)
		if !ok || err != nil {
			streamed = ok
			return err
		}
		defer s.Close()
		streamed = true
		if len(s.cols) == 0 {
			return nil
		}
		printed, err = r.print(s.cols, s, opts)
		return err
	})
	return printed, streamed, err
}

// printRows writes the rows of src, whose columns first describes, to
// r.Out; in a Table, the plans of EXPLAIN are drawn as DuckDB draws them.
func (r *Runner) printRows(first *sql.Rows, src rowSource, opts Options) (printed bool, err error) {
	names, err := first.Columns()
	if err != nil {
		return false, err
	}
	if len(names) == 0 {
		return false, first.Err()
	}
	if opts.Format == Table && len(names) == 2 && names[1] == "explain_value" {
		if err := r.separate(opts); err != nil {
			return false, err
		}
		return true, writeExplain(r.Out, first)
	}
	columns, err := newColumns(first)
	if err != nil {
		return false, err
	}
	return r.print(columns, src, opts)
}

// separate writes the blank line between two text results, if one was
// printed before and r.Separate asks for it.
func (r *Runner) separate(opts Options) error {
	if r.Separate && r.printed && opts.Format != JSON && opts.Format != NDJSON {
		if _, err := io.WriteString(r.Out, "\n"); err != nil {
			return err
		}
	}
	r.printed = true
	return nil
}

// print writes the rows of src, with these columns, to r.Out.
func (r *Runner) print(columns []column, src rowSource, opts Options) (printed bool, err error) {
	if err := r.separate(opts); err != nil {
		return false, err
	}
	bw := bufio.NewWriterSize(r.Out, 64<<10)
	r.Rows, err = write(bw, columns, src, opts)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return true, err
}

// session returns one connection of q for a run (a stream runs on one
// driver connection, and a temporary table must be read on the connection
// that made it): q itself unless it is a pool.
func session(ctx context.Context, q Querier) (Querier, func(), error) {
	pool, ok := q.(interface {
		Conn(context.Context) (*sql.Conn, error)
	})
	if !ok {
		return q, func() {}, nil
	}
	c, err := pool.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c, func() { c.Close() }, nil
}

// writeExplain prints the plans of EXPLAIN (key, plan rows) as DuckDB
// draws them.
func writeExplain(w io.Writer, rows *sql.Rows) error {
	for rows.Next() {
		var key, plan string
		if err := rows.Scan(&key, &plan); err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "%s:\n%s\n", key, strings.TrimRight(plan, "\n")); err != nil {
			return err
		}
	}
	return rows.Err()
}

// StatementError is the error of one statement of a script of several:
// which one (N of Of) and the 1-based line of the script it starts on.
type StatementError struct {
	N, Of, Line int
	Err         error
}

// Error reads "statement 2 of 3, line 4: " and the statement's error.
func (e *StatementError) Error() string {
	return fmt.Sprintf("statement %d of %d, line %d: %v", e.N, e.Of, e.Line, e.Err)
}

// Unwrap returns the statement's error.
func (e *StatementError) Unwrap() error { return e.Err }

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/render"
	"github.com/s3logs/s3logs/queries"
)

func init() {
	register(&command{
		Name:    "query",
		Usage:   "query [--db PATH] [--format table|csv|json|ndjson|markdown|line] SQL",
		Summary: "Run SQL on the loaded logs and print the result",
		Help: `SQL is one or more statements separated by ; (several words are joined
with spaces), or - to read them from standard input. Statements run in order,
on one connection (so SET and temporary tables carry over), and each result is
printed: tables, csv, markdown and line output put a blank line between
results; json prints one array per statement, one after the other (a stream
jq reads); ndjson prints the rows of all statements in order with nothing
between them. Statements run for their effect (CREATE, SET, BEGIN...) print
nothing. The first statement that fails stops the run: its error names it
("statement 2 of 3, line 4: ...") and the exit status is 1.

The table of requests is aws_s3serveraccess; queries
written for Panther's Data Explorer may name it panther_logs.aws_s3serveraccess
or panther_logs.public.aws_s3serveraccess, and may use Panther's macros
p_occurs_between(start, end) and p_occurs_since('6 d'). Rejected lines are in
aws_s3serveraccess_rejects, loaded files in s3logs_manifest, and the values
whose bytes that were not UTF-8 became U+FFFD in s3logs_replaced.

Timestamps are UTC. ndjson prints one JSON object per row, with NULL as null,
timestamps in RFC 3339 and lists as JSON arrays. A table on a terminal fits
its width and, as in the shell, shows NULL dimmed, so that it differs from the
string 'NULL'; elsewhere it is plain text.`,
		Examples: []string{
			`s3logs query "SELECT bucket, count(*) AS requests FROM aws_s3serveraccess GROUP BY ALL ORDER BY 2 DESC"`,
			`s3logs query --format ndjson "SELECT * FROM aws_s3serveraccess WHERE httpstatus >= 400 LIMIT 10"`,
			`s3logs query "SELECT remoteip, count(*) FROM panther_logs.aws_s3serveraccess WHERE p_occurs_since('1 d') GROUP BY 1"`,
			`echo "SELECT reason, count(*) FROM aws_s3serveraccess_rejects GROUP BY 1" | s3logs query -`,
			`s3logs query "SELECT count(*) FROM aws_s3serveraccess; SELECT count(*) FROM aws_s3serveraccess_rejects"`,
		},
		Run: runQuery,
	})
}

func runQuery(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("query")
	dbPath := dbFlag(fs)
	format := formatFlag(fs, render.Formats(), "table")
	intelF := defineIntelFlags(fs)
	if err := env.Parse(fs, args); err != nil {
		return err
	}
	f, err := render.ParseFormat(*format)
	if err != nil {
		return usagef("--format: %v", err)
	}
	text := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if text == "-" {
		b, err := io.ReadAll(env.Stdin)
		if err != nil {
			return fmt.Errorf("reading SQL from standard input: %w", err)
		}
		text = string(b)
	}
	stmts := queries.Split(text)
	if len(stmts) == 0 {
		return usagef("no SQL given")
	}
	d, err := env.openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	_, done, err := intelF.apply(ctx, d)
	if err != nil {
		return err
	}
	defer done()
	return env.runStatements(ctx, d, stmts, render.Options{Format: f})
}

// runStatements runs stmts in order on one connection of d and prints each
// result to env.Stdout, a blank line between results in the text formats
// (see query --help). The first failure stops the run; with several
// statements, its error is a *render.StatementError saying which one.
func (env *Env) runStatements(ctx context.Context, d *db.DB, stmts []queries.Statement, opts render.Options) error {
	conn, err := d.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	run := &render.Runner{Conn: conn, Out: env.Stdout, Separate: true}
	opts = env.terminalOptions(opts)
	for i, st := range stmts {
		if err := runStatement(ctx, run, st, opts, env.Stderr); err != nil {
			if len(stmts) == 1 {
				return err
			}
			return &render.StatementError{N: i + 1, Of: len(stmts), Line: st.Line, Err: err}
		}
	}
	return nil
}

// runStatement prepares st (queries.Prepare expands Panther's macros) and
// runs it with run; a meta-command is an error outside the shell. When a
// p_occurs_since window holds none of the data, a note on notes says so.
func runStatement(ctx context.Context, run *render.Runner, st queries.Statement, opts render.Options, notes io.Writer) error {
	if st.Meta {
		return fmt.Errorf("%s: meta-commands work only in the shell (s3logs repl)", strings.Fields(st.Text)[0])
	}
	q, noResult, err := queries.Prepare(st.Text)
	if err != nil {
		return err
	}
	printed, err := run.Run(ctx, render.Statement{SQL: q, NoResult: noResult}, opts)
	if err != nil || !printed {
		return queries.TableError(err)
	}
	rq, ok := run.Conn.(queries.RowQuerier)
	if !ok {
		return nil
	}
	note, err := queries.SinceNote(ctx, rq, st.Text, time.Now())
	if note != "" {
		fmt.Fprintln(notes, "s3logs: "+note)
	}
	return err
}

// openExisting opens a database that must exist already, read-only, for
// the commands that only read it: any number of them may run at once, and
// beside the shell. A missing file, or one no load made, is an error saying
// how to make one.
func (env *Env) openExisting(ctx context.Context, path string) (*db.DB, error) {
	return openDBWith(ctx, path, db.Options{ReadOnly: true})
}

// openSandbox is openExisting for SQL the user did not write: see
// db.OpenSandbox.
func (env *Env) openSandbox(ctx context.Context, path string) (*db.DB, error) {
	if path != db.Memory && path != "" {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no database %s: load logs first with 's3logs load --db %s SOURCE...', or try 's3logs demo'", path, path)
		}
	}
	d, err := db.OpenSandbox(ctx, path)
	var locked *db.LockedError
	if errors.As(err, &locked) {
		return nil, fmt.Errorf("database %s is in use by another s3logs or duckdb process; close it or choose another file with --db: %w", path, locked)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot open database %s: %w", path, err)
	}
	return d, nil
}

// terminalOptions completes opts for env.Stdout: on a terminal a table
// fits its width (unless opts sets one) and, as in the shell, is coloured,
// NULL dimmed (so that it differs from the string 'NULL') and the header
// bold, and control characters in values are escaped in every format. Off
// a terminal it is plain and the bytes are exact.
func (env *Env) terminalOptions(opts render.Options) render.Options {
	if opts.Width == 0 {
		opts.Width = env.termWidth(env.Stdout)
	}
	opts.ShowAll = "--format line"
	if env.IsTerminal(env.Stdout) {
		opts.Color = true
		opts.Escape = true // log fields must not drive the terminal
	}
	return opts
}

// termWidth is the width of the terminal w, or 0 when w is not one.
func (env *Env) termWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && env.IsTerminal(f) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil {
			return cols
		}
	}
	return 0
}

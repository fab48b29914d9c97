package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/render"
	"github.com/s3logs/s3logs/queries"
	"github.com/s3logs/s3logs/repl"
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
aws_s3serveraccess_rejects, loaded files in s3logs_manifest.

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
	format := fs.String("format", "table", "output `FORMAT`: "+strings.Join(render.Formats(), ", "))
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
	stmts := repl.Split(text)
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
// (see query --help). Panther's macros are expanded per statement. The
// first failure stops the run; with several statements, its error says
// which one failed.
func (env *Env) runStatements(ctx context.Context, d *db.DB, stmts []repl.Statement, opts render.Options) error {
	conn, err := d.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	printed := false
	for i, st := range stmts {
		wrote, err := env.runStatement(ctx, conn, st, opts, printed)
		if err != nil {
			if len(stmts) == 1 {
				return err
			}
			return fmt.Errorf("statement %d of %d, line %d: %w", i+1, len(stmts), st.Line, err)
		}
		printed = printed || wrote
	}
	return nil
}

// runStatement runs one statement and prints its result, if it has one,
// after a blank line when an earlier result was printed and the format is
// not json or ndjson. It reports whether it printed a result.
func (env *Env) runStatement(ctx context.Context, conn *sql.Conn, st repl.Statement, opts render.Options, after bool) (bool, error) {
	if st.Meta {
		return false, fmt.Errorf("%s: meta-commands work only in the shell (s3logs repl)", strings.Fields(st.Text)[0])
	}
	q, err := queries.Expand(strings.TrimRight(st.Text, ";"))
	if err != nil {
		return false, err
	}
	if repl.NoResult(q) {
		_, err := conn.ExecContext(ctx, q)
		return false, err
	}
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if cols, err := rows.Columns(); err != nil || len(cols) == 0 {
		return false, errors.Join(err, rows.Err())
	}
	if after && opts.Format != render.JSON && opts.Format != render.NDJSON {
		if _, err := io.WriteString(env.Stdout, "\n"); err != nil {
			return false, err
		}
	}
	return true, env.printRows(rows, opts)
}

// openExisting opens a database that must exist already (commands that
// only read it): a missing file is an error saying how to make one.
func (env *Env) openExisting(ctx context.Context, path string) (*db.DB, error) {
	if path != db.Memory && path != "" {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no database %s: load logs first with 's3logs load --db %s SOURCE...', or try 's3logs demo'", path, path)
		}
	}
	return env.OpenDB(ctx, path)
}

// printQuery runs sql on d and writes its rows to env.Stdout (see
// printRows).
func (env *Env) printQuery(ctx context.Context, d *db.DB, sql string, opts render.Options) error {
	rows, err := d.QueryContext(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	return env.printRows(rows, opts)
}

// printRows writes rows to env.Stdout; a table on a terminal fits its
// width and, as in the shell, is coloured: NULL dimmed (so that it differs
// from the string 'NULL') and the header bold. Off a terminal it is plain.
func (env *Env) printRows(rows *sql.Rows, opts render.Options) error {
	if opts.Width == 0 {
		opts.Width = env.termWidth(env.Stdout)
	}
	if env.IsTerminal(env.Stdout) {
		opts.Color = true
	}
	_, err := render.Write(env.Stdout, rows, opts)
	return err
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

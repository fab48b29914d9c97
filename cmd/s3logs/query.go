package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

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
		Help: `SQL is one statement (several words are joined with spaces), or - to read it
from standard input. The table of requests is aws_s3serveraccess; queries
written for Panther's Data Explorer may name it panther_logs.aws_s3serveraccess
or panther_logs.public.aws_s3serveraccess, and may use Panther's macros
p_occurs_between(start, end) and p_occurs_since('6 d'). Rejected lines are in
aws_s3serveraccess_rejects, loaded files in s3logs_manifest.

Timestamps are UTC. ndjson prints one JSON object per row, with NULL as null,
timestamps in RFC 3339 and lists as JSON arrays.`,
		Examples: []string{
			`s3logs query "SELECT bucket, count(*) AS requests FROM aws_s3serveraccess GROUP BY ALL ORDER BY 2 DESC"`,
			`s3logs query --format ndjson "SELECT * FROM aws_s3serveraccess WHERE httpstatus >= 400 LIMIT 10"`,
			`s3logs query "SELECT remoteip, count(*) FROM panther_logs.aws_s3serveraccess WHERE p_occurs_since('1 d') GROUP BY 1"`,
			`echo "SELECT reason, count(*) FROM aws_s3serveraccess_rejects GROUP BY 1" | s3logs query -`,
		},
		Run: runQuery,
	})
}

func runQuery(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("query")
	dbPath := dbFlag(fs)
	format := fs.String("format", "table", "output `FORMAT`: "+strings.Join(render.Formats(), ", "))
	if err := env.Parse(fs, args); err != nil {
		return err
	}
	f, err := render.ParseFormat(*format)
	if err != nil {
		return usagef("--format: %v", err)
	}
	sql := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if sql == "-" {
		b, err := io.ReadAll(env.Stdin)
		if err != nil {
			return fmt.Errorf("reading SQL from standard input: %w", err)
		}
		sql = strings.TrimSpace(string(b))
	}
	if sql == "" {
		return usagef("no SQL given")
	}
	if sql, err = queries.Expand(sql); err != nil {
		return err
	}
	d, err := env.openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	return env.printQuery(ctx, d, sql, render.Options{Format: f})
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

// printQuery runs sql on d and writes its rows to env.Stdout; a table on a
// terminal fits its width.
func (env *Env) printQuery(ctx context.Context, d *db.DB, sql string, opts render.Options) error {
	rows, err := d.QueryContext(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	if opts.Width == 0 {
		opts.Width = env.termWidth(env.Stdout)
	}
	_, err = render.Write(env.Stdout, rows, opts)
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

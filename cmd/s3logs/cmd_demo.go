package main

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/render"
	"github.com/s3logs/s3logs/loader/ingest"
	"github.com/s3logs/s3logs/loader/source"
)

// demoFS holds the demo's logs: every real sample line gathered for the
// project (panther-aws.log, peers.log; see demo/SOURCES.md) and 4,000
// generated lines over a week, with the format's traps and a few broken
// lines (generated.log.gz, made once with internal/gen, seed 20260115).
//
//go:embed demo/*.log demo/*.gz
var demoFS embed.FS

func init() {
	register(&command{
		Name:    "demo",
		Usage:   "demo [--db PATH]",
		Summary: "Load the embedded sample logs and print an investigation overview",
		Help: `Loads the sample logs built into s3logs (real lines from AWS's and Panther's
documentation and other parsers' tests, plus a generated week of traffic) into
an in-memory database, or into --db, and prints what an investigator looks at
first: totals, status classes, top buckets, requesters and IP addresses,
errors, and the lines that could not be parsed with the reason.`,
		Examples: []string{
			"s3logs demo",
			"s3logs demo --db demo.duckdb && s3logs repl --db demo.duckdb",
		},
		Run: runDemo,
	})
}

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("demo")
	dbPath := dbFlagDefault(fs, db.Memory, "")
	if err := env.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo takes no arguments")
	}
	d, err := env.OpenDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	sum, err := ingest.New(d, ingest.Options{Label: "demo"}).Load(ctx, []source.Lister{fsLister{fsys: demoFS, dir: "demo"}})
	if err != nil {
		return err
	}
	if len(sum.Errors) > 0 {
		return fmt.Errorf("demo: %w", sum.Errors[0])
	}
	fmt.Fprintf(env.Stdout, "s3logs demo: %s\n", sum)
	return env.overview(ctx, d)
}

// overviewSections are the questions the demo answers, in order.
var overviewSections = []struct{ title, sql string }{
	{"Overview", `SELECT count(*) AS requests, count(DISTINCT bucket) AS buckets, count(DISTINCT requester) AS requesters,
		count(DISTINCT remoteip) AS ips, min(p_event_time) AS first_seen, max(p_event_time) AS last_seen
		FROM aws_s3serveraccess`},
	{"Requests by status class", `SELECT coalesce((httpstatus // 100)::VARCHAR || 'xx', 'none') AS status, count(*) AS requests,
		round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS percent
		FROM aws_s3serveraccess GROUP BY 1 ORDER BY 1`},
	{"Top buckets", `SELECT bucket, count(*) AS requests, count(*) FILTER (httpstatus >= 400) AS errors,
		count(DISTINCT remoteip) AS ips, coalesce(sum(bytessent), 0) AS bytes_sent
		FROM aws_s3serveraccess GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`},
	{"Top requesters", `SELECT coalesce(requester, '(anonymous)') AS requester, count(*) AS requests,
		count(DISTINCT bucket) AS buckets, count(*) FILTER (errorcode = 'AccessDenied') AS denied
		FROM aws_s3serveraccess GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`},
	{"Top remote IPs", `SELECT coalesce(remoteip, '-') AS remoteip, count(*) AS requests, count(DISTINCT requester) AS requesters,
		count(*) FILTER (httpstatus >= 400) AS errors
		FROM aws_s3serveraccess GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`},
	{"Errors", `SELECT errorcode, httpstatus, count(*) AS requests, count(DISTINCT requester) AS requesters,
		min(p_event_time) AS first_seen
		FROM aws_s3serveraccess WHERE errorcode IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 8`},
	{"Rejected lines (kept in aws_s3serveraccess_rejects)", `SELECT regexp_replace(source, '^demo:', '') AS file, line, coalesce(field, '') AS field, reason
		FROM aws_s3serveraccess_rejects ORDER BY source, line LIMIT 10`},
}

// overview prints the demo's sections and what to try next.
func (env *Env) overview(ctx context.Context, d *db.DB) error {
	width := env.termWidth(env.Stdout)
	if width == 0 {
		width = 120
	}
	for _, s := range overviewSections {
		fmt.Fprintf(env.Stdout, "\n== %s\n", s.title)
		if err := env.printQuery(ctx, d, s.sql, render.Options{Format: render.Table, Width: width, MaxCell: 80}); err != nil {
			return fmt.Errorf("%s: %w", s.title, err)
		}
	}
	fmt.Fprint(env.Stdout, `
Next:
  s3logs load ./your-logs/                         load your own logs into s3logs.duckdb
  s3logs query "SELECT * FROM aws_s3serveraccess LIMIT 5"
  s3logs repl                                      the interactive SQL shell
  s3logs demo --db demo.duckdb                     keep these samples to explore them
`)
	return nil
}

// fsLister lists the files under dir of fsys, in lexical order, as
// Objects with IDs "demo:<name>"; their ETag is a hash of their content, so
// loading them again into the same database adds nothing.
type fsLister struct {
	fsys fs.FS
	dir  string
}

func (l fsLister) List(ctx context.Context, fn func(source.Object) error) error {
	return fs.WalkDir(l.fsys, l.dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := fs.ReadFile(l.fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, l.dir+"/")
		return fn(source.Object{
			Name: path.Join(l.dir, name),
			ID:   "demo:" + name,
			Size: int64(len(b)),
			ETag: hex.EncodeToString(sum[:8]),
			Open: func(context.Context) (io.ReadCloser, error) { return l.fsys.Open(p) },
		})
	})
}

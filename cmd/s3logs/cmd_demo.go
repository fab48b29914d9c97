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
	"time"

	"github.com/s3logs/s3logs/internal/db"
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
		Summary: "Load the embedded sample logs, then print their overview",
		Help: `Loads the sample logs built into s3logs (real lines from AWS's and Panther's
documentation and other parsers' tests, plus a generated week of traffic) into
an in-memory database, or into --db, then prints their overview, as
s3logs overview does for any database: totals, status classes, top buckets,
requesters, IP addresses and operations, errors, and the lines that could not
be parsed with the reason. The load summary goes to standard error.`,
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
	if err := makeDBDir(*dbPath); err != nil {
		return err
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
	fmt.Fprintf(env.Stderr, "s3logs demo: %s\n", sum)
	if *dbPath != db.Memory {
		if err := env.printHolds(ctx, d, "s3logs overview"+dbArg(*dbPath)); err != nil {
			return err
		}
	}
	if err := env.overview(ctx, d, time.Time{}, time.Time{}); err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, demoNext)
	return nil
}

// demoNext is what the demo suggests trying next.
const demoNext = `
Next:
  s3logs load ./your-logs/                         load your own logs into s3logs.duckdb
  s3logs overview                                  this overview, for the logs you loaded
  s3logs query "SELECT * FROM aws_s3serveraccess LIMIT 5"
  s3logs repl                                      the interactive SQL shell
  s3logs demo --db demo.duckdb                     keep these samples to explore them
`

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

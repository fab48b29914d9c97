package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/export"
	"github.com/s3logs/s3logs/loader/ingest"
	"github.com/s3logs/s3logs/loader/source"
	"github.com/s3logs/s3logs/queries"
	"github.com/s3logs/s3logs/repl"
)

// The shell: s3logs repl, and s3logs with no arguments on a terminal.
func init() {
	register(&command{
		Name:    "repl",
		Usage:   "repl [--db PATH] [--queries-dir DIR] [SOURCE...]",
		Summary: "Open the interactive SQL shell on the database (loading any SOURCE first)",
		Help: `The shell runs SQL on the database (the table aws_s3serveraccess and its
rejected lines, aws_s3serveraccess_rejects). Statements end with ; and may
span lines; meta-commands start with a dot and need no ;. Type .help for them.

Tab completes SQL keywords and functions, tables, the columns of the tables
the statement names (with their descriptions), saved query names and their
parameters after .run, and file paths after .load and .export. Ctrl-C cancels
a running query or clears the line; Ctrl-D on an empty line or .quit leaves.
History is kept across sessions in $XDG_STATE_HOME/s3logs/history, else in
s3logs/history under your config folder ($XDG_CONFIG_HOME or ~/.config on
Linux, ~/Library/Application Support on macOS).

When standard input is not a terminal, statements are read from it and their
results printed with no prompt and no colour; the exit status is 1 when any
statement failed.

SOURCE arguments are loaded first, as s3logs load does, with its messages.
If a source cannot be loaded, a script (standard input not a terminal) stops
there with exit status 1 and none of its statements runs; an interactive
session prints the error and opens on what did load. When the load only
rejected some lines, a script runs and its exit status is 3 (as for
s3logs load) unless a statement fails (1).`,
		Examples: []string{
			"s3logs repl",
			"s3logs repl --db cases/incident-42.duckdb ./logs/",
			"echo 'SELECT count(*) FROM aws_s3serveraccess;' | s3logs repl",
		},
		Run: runRepl,
	})
}

func runRepl(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("repl")
	dbPath := dbFlag(fs)
	queriesDir := queriesDirFlag(fs)
	intelF := defineIntelFlags(fs)
	if err := env.Parse(fs, args); err != nil {
		return err
	}
	catalog, err := loadCatalog(*queriesDir)
	if err != nil {
		return err
	}
	if err := replDB(*dbPath, fs.NArg() > 0); err != nil {
		return err
	}
	d, err := env.openShellDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	reload, done, err := intelF.apply(ctx, d)
	if err != nil {
		return err
	}
	defer done()
	load := reloadAfter(writeHook(d, ".load", loadHook(env, d)), reload)
	status, err := env.loadFirst(ctx, load, fs.Args(), repl.Interactive(env.Stdin, env.Stdout))
	if err != nil {
		return err
	}
	span, err := queries.DataSpan(ctx, d)
	if err != nil {
		return err
	}
	hist, err := repl.DefaultHistoryFile()
	if err != nil {
		hist = "" // no config folder: history for this session only
	}
	sh := repl.New(d, repl.Options{
		Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr,
		Catalog: catalog,
		Load:    load,
		Export:  exportHook(d),
		Demo: func(ctx context.Context) (string, error) {
			return reloadAfter(writeHook(d, ".demo", func(ctx context.Context, _ []string) (string, error) { return demoHook(d)(ctx) }), reload)(ctx, nil)
		},
		Detect:      detectHook(env, d),
		Report:      reportHook(env, d),
		HistoryFile: hist,
		Interrupts:  env.OnInterrupt,
		Banner:      replBanner(*dbPath, span),
	})
	err = sh.Run(ctx)
	if errors.Is(err, repl.ErrFailed) {
		return errReplFailed
	}
	if err != nil {
		return err
	}
	return status
}

// replDB checks the database the shell opens at path: a file named with
// --db or $S3LOGS_DB must exist, as for query (a typo would otherwise open a
// new, empty database), unless loading sources creates it, folder
// included. The default s3logs.duckdb is created on first use, so that
// .load and .demo work in a first session.
func replDB(path string, loading bool) error {
	if path == db.Memory || path == "" || path == defaultDB {
		return nil
	}
	if loading {
		return makeDBDir(path)
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no database %s: load logs into it with 's3logs repl --db %s SOURCE...' or 's3logs load --db %s SOURCE...', or check the name", path, shellQuote(path), shellQuote(path))
	}
	return nil
}

// openShellDB opens the shell's database read-only, so that queries,
// detections and other shells can read it meanwhile (writeHook takes the
// write lock for what writes). A file no load made yet is created first
// (as every shell did) and then opened read-only; an in-memory database is
// read-write, as nothing else can open it.
func (env *Env) openShellDB(ctx context.Context, path string) (*db.DB, error) {
	if path == "" || path == db.Memory {
		return env.OpenDB(ctx, path)
	}
	d, err := db.OpenReadOnly(ctx, path)
	if errors.Is(err, db.ErrNoDatabase) {
		if d, err = env.OpenDB(ctx, path); err != nil {
			return nil, err
		}
		if err := d.Reopen(ctx, db.Options{ReadOnly: true}); err != nil {
			d.Close()
			return nil, openError(path, err)
		}
		return d, nil
	}
	if err != nil {
		return nil, openError(path, err)
	}
	return d, nil
}

// writeHook runs write (the shell's .load or .demo, or the SOURCE
// arguments' load) with d reopened read-write, and reopens it read-only
// after. When other processes read the file, the write is refused with a
// message that names them and says the shell goes on reading.
func writeHook(d *db.DB, what string, write func(context.Context, []string) (string, error)) func(context.Context, []string) (string, error) {
	return func(ctx context.Context, args []string) (string, error) {
		if !d.ReadOnly {
			return write(ctx, args)
		}
		if err := d.Reopen(ctx, db.Options{}); err != nil {
			return "", fmt.Errorf("%s needs to write to the database, which the shell has open read-only, and cannot: %w (the shell goes on reading it)", what, openError(d.Path, err))
		}
		msg, err := write(ctx, args)
		if rerr := d.Reopen(ctx, db.Options{ReadOnly: true}); rerr != nil {
			err = errors.Join(err, fmt.Errorf("reopen the database read-only after %s: %w", what, rerr))
		}
		return msg, err
	}
}

// loadFirst loads the SOURCE arguments before the shell opens; load
// reports each problem as it happens. A failed load ends a script with its
// error (exit 1) before any statement runs, since they would run on data
// that is not all there; an interactive session prints the error and opens
// on what did load. A load that only rejected lines prints how many; a
// script then runs and ends with status errRejected (exit 3, as s3logs
// load) unless a statement fails. An interrupted load ends the shell.
func (env *Env) loadFirst(ctx context.Context, load func(context.Context, []string) (string, error), srcs []string, interactive bool) (status, err error) {
	if len(srcs) == 0 {
		return nil, nil
	}
	_, err = load(ctx, srcs)
	switch {
	case err == nil:
		return nil, nil
	case ctx.Err() != nil:
		return nil, err
	case errors.Is(err, errRejected):
		fmt.Fprintf(env.Stderr, "s3logs: %v\n", err)
		if interactive {
			return nil, nil
		}
		return errRejected, nil
	case interactive:
		fmt.Fprintf(env.Stderr, "s3logs: %v\n", err)
		return nil, nil
	default:
		return nil, fmt.Errorf("%w; no statement was run", err)
	}
}

// loadHook loads sources into d for .load and the SOURCE arguments, with
// load's progress line and summary on stderr.
func loadHook(env *Env, d *db.DB) func(ctx context.Context, sources []string) (string, error) {
	return func(ctx context.Context, sources []string) (string, error) {
		sum, err := loadSources(ctx, env, d, sources, ingest.Options{}, nil, ".overview")
		if err != nil {
			return "", err
		}
		return "", loadResult(sum, ".rejects")
	}
}

// errReplFailed is the error of a script in which some statements failed;
// each was reported on stderr already.
var errReplFailed = errors.New("some statements failed (see the messages above)")

// loadCatalog loads the saved queries: the built-in ones, then the user's
// default folder (if it exists), then dir (which must exist) if given.
func loadCatalog(dir string) (*queries.Catalog, error) {
	var dirs []fs.FS
	if def, err := queries.DefaultDir(); err == nil {
		if f, err := queries.Dir(def, false); err != nil {
			return nil, err
		} else if f != nil {
			dirs = append(dirs, f)
		}
	}
	if dir != "" {
		f, err := queries.Dir(dir, true)
		if err != nil {
			return nil, err
		}
		dirs = append(dirs, f)
	}
	return queries.Load(dirs...)
}

// exportHook writes a query's result to a Parquet file for .export.
func exportHook(d *db.DB) func(ctx context.Context, query string, args []any, path string, force bool) error {
	return func(ctx context.Context, query string, args []any, path string, force bool) error {
		_, err := export.Run(ctx, d, export.Options{Query: query, Args: args, Out: path, Force: force})
		if errors.Is(err, export.ErrExists) {
			return fmt.Errorf("%s already exists: .export --force %s replaces it", path, path)
		}
		return err
	}
}

// demoHook loads the embedded sample logs (those of s3logs demo) for .demo.
func demoHook(d *db.DB) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		sum, err := ingest.New(d, ingest.Options{Label: "demo"}).Load(ctx, []source.Lister{fsLister{fsys: demoFS, dir: "demo"}})
		if err != nil {
			return "", err
		}
		if len(sum.Errors) > 0 {
			return sum.String(), fmt.Errorf("demo: %w", sum.Errors[0])
		}
		return "demo logs: " + sum.String() + "\nTry .overview, .run top_ips, .queries, .detect, or SELECT * FROM aws_s3serveraccess LIMIT 5;", nil
	}
}

// detectHook runs the detections on d for .detect; its arguments are the
// flags of s3logs detect (--rule, --since, --format json, --list...) but
// --db, which is the shell's database.
func detectHook(env *Env, d *db.DB) func(ctx context.Context, w io.Writer, args []string) error {
	return func(ctx context.Context, w io.Writer, args []string) error {
		fs := newFlagSet("detect")
		f := newDetectFlags(fs, time.Now())
		sub := &Env{Stdin: env.Stdin, Stdout: w, Stderr: env.Stderr, cmd: commands["detect"]}
		if err := sub.Parse(fs, args); errors.Is(err, errHelp) {
			return nil
		} else if err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("unexpected argument %q (.detect takes the flags of s3logs detect)", fs.Arg(0))
		}
		dbSet := false
		fs.Visit(func(fl *flag.Flag) { dbSet = dbSet || fl.Name == "db" })
		if dbSet {
			return errors.New(".detect runs on the shell's database; --db does not apply")
		}
		if !f.intel.options().Empty() {
			return errors.New(".detect uses the intelligence files the shell was started with (s3logs repl --ip-list ...); --ip-ranges, --geoip and --ip-list do not apply")
		}
		if *f.list {
			return sub.listRules()
		}
		opts, err := f.options()
		if err != nil {
			return err
		}
		return f.detect(ctx, d.DB, w, env.Stderr, opts)
	}
}

// replBanner is the greeting of an interactive session: the database,
// its rows and their time span; on an empty database it says how to load
// logs.
func replBanner(path string, span queries.Span) string {
	b := fmt.Sprintf("s3logs shell on %s: %s in aws_s3serveraccess. .help lists the commands; statements end with ;", path, span)
	if span.Rows == 0 {
		b += "\nThe database is empty: .load PATH loads S3 server access logs (files, folders, globs, s3://),\nor .demo loads the embedded sample logs."
	}
	return b
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/queries"
	"github.com/s3logs/s3logs/ui"
)

func init() {
	register(&command{
		Name:    "report",
		Usage:   "report [--db PATH] --out FILE.html [--since T] [--until T] [--title TEXT] [--config FILE]",
		Summary: "Write a self-contained HTML report of the investigation (overview, alerts, top tables, rejects)",
		Help: `Writes one HTML file to hand to a colleague or attach to a case: totals,
requests and errors over time, status classes, the alerts of the detections
that are on (as s3logs detect prints them) with their sample events, the top
buckets, operations, requesters, IPs, user agents and error codes, and the
reasons lines were rejected. CSS and SVG charts are inline and it has no
script: it makes no request, reads offline and prints.

--since and --until narrow the events (an age such as 24h or 7d, a date, or
an RFC 3339 time); --config is detect's JSON settings file. In the shell,
.report takes the same flags.`,
		Examples: []string{
			"s3logs report --out case.html",
			"s3logs report --db cases/incident-42.duckdb --since 2024-06-01 --until 2024-06-08 --title 'Incident 42' --out incident-42.html",
		},
		Run: runReport,
	})
}

// reportFlags are report's flags but --db, which the shell's .report does
// not take.
type reportFlags struct {
	out, title, config *string
	win                *window
}

// newReportFlags defines report's flags on fs; relative times count back
// from now.
func newReportFlags(fs *flag.FlagSet, now time.Time) *reportFlags {
	return &reportFlags{
		out:    fs.String("out", "", "write the report to `FILE` (required)"),
		win:    windowFlags(fs, now),
		title:  fs.String("title", "", "the report's `TITLE` (default: S3 access log investigation)"),
		config: fs.String("config", "", "detect's JSON settings `FILE` (see s3logs detect --help)"),
	}
}

func runReport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("report")
	dbPath := dbFlag(fs)
	f := newReportFlags(fs, time.Now())
	if err := env.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	opts, err := f.options(time.Now())
	if err != nil {
		return err
	}
	d, err := env.openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	opts.Source = *dbPath
	return f.write(ctx, d, env.Stderr, opts)
}

// options checks the flags and turns them into report options.
func (f *reportFlags) options(now time.Time) (ui.ReportOptions, error) {
	opts := ui.ReportOptions{Title: *f.title, Now: now}
	if *f.out == "" {
		return opts, usagef("--out FILE is required")
	}
	var err error
	if opts.Since, opts.Until, err = f.win.bounds(); err != nil {
		return opts, err
	}
	c := queries.DefaultConfig()
	if *f.config != "" {
		if c, err = queries.LoadConfig(*f.config); err != nil {
			return opts, err
		}
	}
	opts.Detect = queries.Options{Config: c}
	return opts, nil
}

// write writes the report to --out through a temporary file renamed into
// place, so that a failed report leaves no half file, and says where on w.
func (f *reportFlags) write(ctx context.Context, d *db.DB, w io.Writer, opts ui.ReportOptions) error {
	out := *f.out
	tmp, err := os.CreateTemp(filepath.Dir(out), ".s3logs-report-*.html")
	if err != nil {
		return fmt.Errorf("report %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())
	err = ui.Report(ctx, d.DB, tmp, opts)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		return fmt.Errorf("report %s: %w", out, err)
	}
	fmt.Fprintf(w, "s3logs: wrote the report to %s\n", out)
	return nil
}

// reportHook writes the report for the shell's .report.
func reportHook(env *Env, d *db.DB) func(ctx context.Context, w io.Writer, args []string) error {
	return func(ctx context.Context, w io.Writer, args []string) error {
		fs := newFlagSet("report")
		f := newReportFlags(fs, time.Now())
		sub := &Env{Stdin: env.Stdin, Stdout: w, Stderr: env.Stderr, cmd: commands["report"]}
		if err := sub.Parse(fs, args); errors.Is(err, errHelp) {
			return nil
		} else if err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("unexpected argument %q (.report takes the flags of s3logs report but --db)", fs.Arg(0))
		}
		opts, err := f.options(time.Now())
		if err != nil {
			return err
		}
		opts.Source = d.Path
		return f.write(ctx, d, w, opts)
	}
}

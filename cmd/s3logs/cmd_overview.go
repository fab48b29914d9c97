package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/render"
	"github.com/s3logs/s3logs/queries"
)

func init() {
	register(&command{
		Name:    "overview",
		Usage:   "overview [--db PATH] [--since TIME] [--until TIME]",
		Summary: "Print an overview of the loaded logs: totals, status classes, top buckets, principals, IPs, errors",
		Help: `Prints what an investigator looks at first, for any database: the totals and
the time span, requests by status class, the top buckets, requesters, remote
IPs and operations, the errors, bytes in human units (KiB, MiB, GiB), and the
rejected lines by reason. --since and --until narrow it to a window of event
time (the rejected lines, which have none, are always shown whole).

The shell's .overview prints the same; s3logs demo prints it for the samples.`,
		Examples: []string{
			"s3logs overview",
			"s3logs overview --db cases/incident-42.duckdb --since 2024-06-01 --until 2024-06-08",
		},
		Run: runOverview,
	})
}

func runOverview(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("overview")
	dbPath := dbFlag(fs)
	w := windowFlags(fs, time.Now())
	if err := env.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	since, until, err := w.bounds()
	if err != nil {
		return err
	}
	d, err := env.openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := env.overview(ctx, d, since, until); err != nil {
		return err
	}
	if w.relative() {
		span, err := queries.DataSpan(ctx, d)
		if err != nil {
			return err
		}
		if !span.Covers(since, until) {
			fmt.Fprintln(env.Stderr, "s3logs: "+queries.EmptyWindow(w.describe(), span, w.anchored(span)))
		}
	}
	return nil
}

// overview prints the overview of d for [since, until) to env.Stdout,
// fitted to a terminal (120 columns elsewhere).
func (env *Env) overview(ctx context.Context, d *db.DB, since, until time.Time) error {
	return queries.WriteOverview(ctx, d.DB, env.Stdout, since, until, env.overviewOptions(env.Stdout))
}

// overviewOptions are the render options of the overview on w.
func (env *Env) overviewOptions(w io.Writer) render.Options {
	width := env.termWidth(w)
	if width == 0 {
		width = 120
	}
	return render.Options{Format: render.Table, Width: width, MaxCell: 80, Color: env.IsTerminal(w)}
}

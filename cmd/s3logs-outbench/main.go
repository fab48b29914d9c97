// Command s3logs-outbench measures printing a large query result with
// s3logs against the way s3logs printed it before (one read of the whole
// result, as duckdb-go materializes it), in one run on the same generated
// log.
//
// It writes -rows log lines (package internal/gen, seeded), loads them with
// the built s3logs binary, and then, for each format of -formats, prints
// SELECT * FROM aws_s3serveraccess into /dev/null, each time in its own
// process so that wall time, CPU time (user + system) and peak memory
// (RSS) are its own:
//
//   - s3logs: `s3logs query --format F SQL` (render.Runner: the result
//     streamed from DuckDB);
//   - before, with -before PATH: the same with another s3logs binary (an
//     older build, say);
//   - one read: this program in child mode, render.Write over one
//     QueryContext of the same SQL (duckdb-go materializes it whole).
//
// and prints a table of them, with each one's ratios to s3logs. Target
// (issue 15): 4M rows in csv or ndjson under 500 MB peak; a table of 1M
// rows in seconds.
//
//	go run -tags duckdb_arrow ./cmd/s3logs-outbench -rows 4000000 -formats csv,ndjson
//	go run -tags duckdb_arrow ./cmd/s3logs-outbench -rows 1000000 -formats table
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/s3logs/s3logs/internal/benchproc"
	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/internal/render"
)

// childEnv marks a process started by s3logs-outbench to print one result
// the old way.
const childEnv = "S3LOGS_OUTBENCH_CHILD"

// query is what every step prints.
const query = "SELECT * FROM aws_s3serveraccess"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if os.Getenv(childEnv) == "1" {
		if err := child(ctx, args); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	fs := flag.NewFlagSet("s3logs-outbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rows := fs.Int("rows", 4_000_000, "log lines to generate and print")
	formats := fs.String("formats", "csv,ndjson", "comma-separated output formats to measure")
	bin := fs.String("s3logs", "", "s3logs binary to measure (default: build ./cmd/s3logs)")
	before := fs.String("before", "", "another s3logs binary to measure beside it (default: none)")
	dir := fs.String("dir", "", "working folder (default: a temporary one, removed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := bench(ctx, *rows, strings.Split(*formats, ","), *bin, *before, *dir, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "s3logs-outbench:", err)
		return 1
	}
	return 0
}

// step is one measured print.
type step struct {
	format, how string
	wall, cpu   time.Duration
	peakRSS     int64
}

func bench(ctx context.Context, n int, formats []string, bin, before, dir string, stdout, stderr io.Writer) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "s3logs-outbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	bin, err := benchproc.S3logsBinary(ctx, bin, dir, stderr)
	if err != nil {
		return err
	}
	dbPath, err := prepare(ctx, bin, dir, n, stderr)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var steps []step
	for _, f := range formats {
		if f == "" {
			continue
		}
		if _, err := render.ParseFormat(f); err != nil {
			return err
		}
		oneRead := exec.CommandContext(ctx, self, "-db", dbPath, "-format", f)
		oneRead.Env = append(os.Environ(), childEnv+"=1")
		runs := []struct {
			how string
			cmd *exec.Cmd
		}{{"s3logs query", exec.CommandContext(ctx, bin, "query", "--db", dbPath, "--format", f, query)}}
		if before != "" {
			runs = append(runs, struct {
				how string
				cmd *exec.Cmd
			}{"before: " + filepath.Base(before), exec.CommandContext(ctx, before, "query", "--db", dbPath, "--format", f, query)})
		}
		runs = append(runs, struct {
			how string
			cmd *exec.Cmd
		}{"one read (materialized)", oneRead})
		for _, c := range runs {
			c.cmd.Stderr = stderr
			fmt.Fprintf(stderr, "%s, %s ...\n", f, c.how)
			wall, rss, err := benchproc.Measure(c.cmd)
			if err != nil {
				return fmt.Errorf("%s %s: %w", f, c.how, err)
			}
			cpu := c.cmd.ProcessState.UserTime() + c.cmd.ProcessState.SystemTime()
			steps = append(steps, step{f, c.how, wall, cpu, rss})
		}
	}
	report(stdout, n, steps)
	return nil
}

// prepare generates n log lines and loads them into a new database.
func prepare(ctx context.Context, bin, dir string, n int, stderr io.Writer) (string, error) {
	logPath := filepath.Join(dir, "access.log")
	f, err := os.Create(logPath)
	if err != nil {
		return "", err
	}
	if err := gen.Write(f, n, gen.Options{Seed: 1}); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	dbPath := filepath.Join(dir, "out.duckdb")
	fmt.Fprintf(stderr, "loading %d lines ...\n", n)
	load := exec.CommandContext(ctx, bin, "load", "--db", dbPath, logPath)
	load.Stderr = stderr
	if err := load.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 { // 3: some lines rejected
			return "", fmt.Errorf("load: %w", err)
		}
	}
	return dbPath, os.Remove(logPath)
}

// child prints the query the way s3logs did before windows: one
// QueryContext, its rows written by render.Write, to standard output
// (the parent sends it to /dev/null).
func child(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("child", flag.ContinueOnError)
	dbPath := fs.String("db", "", "")
	format := fs.String("format", "csv", "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := render.ParseFormat(*format)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	rows, err := d.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	if _, err := render.Write(w, rows, render.Options{Format: f}); err != nil {
		return err
	}
	return w.Flush()
}

// report prints the steps, with the ratios of each to the first of its
// format (s3logs).
func report(w io.Writer, n int, steps []step) {
	fmt.Fprintf(w, "SELECT * of %d rows into /dev/null\n\n", n)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "format\thow\twall\tCPU\tpeak RSS\t")
	var first step
	for _, s := range steps {
		fmt.Fprintf(tw, "%s\t%s\t%.2f s\t%.2f s\t%d MB\t\n", s.format, s.how, s.wall.Seconds(), s.cpu.Seconds(), s.peakRSS>>20)
		if s.format != first.format {
			first = s
			continue
		}
		fmt.Fprintf(tw, "\t/ s3logs\t%.2fx\t%.2fx\t%.2fx\t\n", s.wall.Seconds()/first.wall.Seconds(),
			s.cpu.Seconds()/first.cpu.Seconds(), float64(s.peakRSS)/float64(first.peakRSS))
	}
	tw.Flush()
}

// Command s3logs-bench measures loading S3 server access logs into a DuckDB
// database file with s3logs against the do-it-yourself DuckDB way, in one run
// on the same generated log. It is owned by the generator engineer.
//
// It writes a realistic log of -lines lines (package internal/gen, seeded, so
// every run loads the same bytes) to a temporary folder, then runs, each in
// its own process so that wall time and peak memory (RSS) are its own:
//
//   - s3logs: the built binary, `s3logs load --db s3logs.duckdb FILE`;
//   - DIY: DuckDB reading each line as one string with read_csv and splitting
//     it with AWS's documented Athena regex through regexp_extract (one match
//     per line, all 26 groups), cast to the same column types (see diy.go).
//
// and prints both times, the speedup and the peak memory as a table. With
// -scale it also loads a log 4 times larger with s3logs and prints the ratio
// of peak memory (target: at most 1.25x).
//
// Run it from the repository (it builds ./cmd/s3logs unless -s3logs is given):
//
//	go run -tags duckdb_arrow ./cmd/s3logs-bench                 # 1,000,000 lines, about 600 MB
//	go run -tags duckdb_arrow ./cmd/s3logs-bench -lines 100000 -scale
//	go run -tags duckdb_arrow ./cmd/s3logs-bench -s3logs ./s3logs -keep -dir /tmp/bench
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/schema"
)

// childEnv marks a process started by s3logs-bench to run one measured load.
// TestMain honours it too, so that tests can re-invoke the test binary.
const childEnv = "S3LOGS_BENCH_CHILD"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is the parsed command line.
type config struct {
	lines    int
	seed     int64
	trapRate float64
	s3logs   string
	dir      string
	keep     bool
	scale    bool
	noDIY    bool
	diyOnly  bool
	dbPath   string
}

func parse(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("s3logs-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.lines, "lines", 1_000_000, "lines in the generated log")
	fs.Int64Var(&c.seed, "seed", 1, "generator seed")
	fs.Float64Var(&c.trapRate, "trap-rate", gen.DefaultTrapRate, "share of lines with the format's traps")
	fs.StringVar(&c.s3logs, "s3logs", "", "s3logs binary to measure (default: build ./cmd/s3logs with -tags duckdb_arrow)")
	fs.StringVar(&c.dir, "dir", "", "working folder for the log and databases (default: a new temporary folder)")
	fs.BoolVar(&c.keep, "keep", false, "keep the working folder")
	fs.BoolVar(&c.scale, "scale", false, "also load a 4x larger log with s3logs and report the peak-memory ratio")
	fs.BoolVar(&c.noDIY, "no-diy", false, "skip the do-it-yourself DuckDB load")
	fs.BoolVar(&c.diyOnly, "diy-only", false, "internal: run only the DIY load of the FILE argument into -db, print its stats")
	fs.StringVar(&c.dbPath, "db", "", "internal, with -diy-only: the database file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: s3logs-bench [-lines N] [-scale] [-s3logs PATH] [-dir DIR] [-keep]\n\n"+
			"Loads the same generated S3 access log with s3logs and with DuckDB's read_csv + Athena regex,\n"+
			"each in its own process, and prints wall time, speedup and peak memory.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if c.diyOnly && (fs.NArg() != 1 || c.dbPath == "") {
		return nil, errors.New("-diy-only needs -db PATH and one FILE")
	}
	if c.diyOnly {
		c.dir = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if c.lines <= 0 {
		return nil, fmt.Errorf("-lines must be positive, not %d", c.lines)
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "s3logs-bench:", err)
		return 2
	}
	if c.diyOnly {
		err = runDIY(ctx, c.dbPath, c.dir, stdout)
	} else {
		err = bench(ctx, c, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "s3logs-bench:", err)
		return 1
	}
	return 0
}

// result is one measured load.
type result struct {
	name      string
	lines     int
	bytes     int64
	wall      time.Duration
	peakRSS   int64 // bytes
	rows      int64
	unmatched int64 // DIY only: rows the regex did not match
}

func bench(ctx context.Context, c *config, stdout, stderr io.Writer) error {
	dir := c.dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "s3logs-bench-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if !c.keep {
		defer os.RemoveAll(dir)
	}
	bin := c.s3logs
	if bin == "" {
		bin = filepath.Join(dir, "s3logs")
		fmt.Fprintln(stderr, "building s3logs ...")
		build := exec.CommandContext(ctx, "go", "build", "-tags", "duckdb_arrow", "-o", bin, "github.com/s3logs/s3logs/cmd/s3logs")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build s3logs (or pass -s3logs PATH): %w", err)
		}
	}
	opts := gen.Options{Seed: c.seed, TrapRate: c.trapRate}
	log1, size1, err := writeLog(dir, "access-1x.log", c.lines, opts, stderr)
	if err != nil {
		return err
	}
	var results []result
	r, err := loadS3logs(ctx, bin, filepath.Join(dir, "s3logs-1x.duckdb"), log1)
	if err != nil {
		return err
	}
	r.lines, r.bytes = c.lines, size1
	results = append(results, r)
	if !c.noDIY {
		d, err := loadDIY(ctx, filepath.Join(dir, "diy-1x.duckdb"), log1)
		if err != nil {
			return err
		}
		d.lines, d.bytes = c.lines, size1
		results = append(results, d)
	}
	if c.scale {
		log4, size4, err := writeLog(dir, "access-4x.log", 4*c.lines, opts, stderr)
		if err != nil {
			return err
		}
		r4, err := loadS3logs(ctx, bin, filepath.Join(dir, "s3logs-4x.duckdb"), log4)
		if err != nil {
			return err
		}
		r4.name += " (4x)"
		r4.lines, r4.bytes = 4*c.lines, size4
		results = append(results, r4)
	}
	report(stdout, c, results)
	return nil
}

// writeLog generates n lines into dir/name and returns its path and size.
func writeLog(dir, name string, n int, opts gen.Options, stderr io.Writer) (string, int64, error) {
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		return "", 0, err
	}
	start := time.Now()
	if err := gen.Write(f, n, opts); err != nil {
		f.Close()
		return "", 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return "", 0, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", 0, err
	}
	fmt.Fprintf(stderr, "generated %s: %d lines, %.1f MB in %v\n", path, n, float64(st.Size())/1e6, time.Since(start).Round(time.Millisecond))
	return path, st.Size(), nil
}

// measure runs cmd and returns its wall time and peak resident memory.
func measure(cmd *exec.Cmd) (time.Duration, int64, error) {
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		return 0, 0, err
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024 // Linux reports KiB
	}
	return wall, rss, err
}

func loadS3logs(ctx context.Context, bin, dbPath, file string) (result, error) {
	r := result{name: "s3logs load"}
	var out strings.Builder
	cmd := exec.CommandContext(ctx, bin, "load", "--db", dbPath, file)
	cmd.Stdout, cmd.Stderr = &out, &out
	wall, rss, err := measure(cmd)
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		err = nil // loaded, with rejected lines; counted below
	}
	if err != nil {
		return r, fmt.Errorf("%s load: %w\n%s", bin, err, out.String())
	}
	r.wall, r.peakRSS = wall, rss
	r.rows, err = countRows(ctx, dbPath, schema.TableName)
	return r, err
}

func loadDIY(ctx context.Context, dbPath, file string) (result, error) {
	r := result{name: "DIY DuckDB read_csv + Athena regex"}
	self, err := os.Executable()
	if err != nil {
		return r, err
	}
	var out, errOut strings.Builder
	cmd := exec.CommandContext(ctx, self, "-diy-only", "-db", dbPath, file)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	wall, rss, err := measure(cmd)
	if err != nil {
		return r, fmt.Errorf("DIY load: %w\n%s", err, errOut.String())
	}
	var st diyStats
	if err := json.Unmarshal([]byte(out.String()), &st); err != nil {
		return r, fmt.Errorf("DIY load printed %q: %w", out.String(), err)
	}
	r.wall, r.peakRSS, r.rows, r.unmatched = wall, rss, st.Rows, st.Unmatched
	return r, nil
}

// countRows counts the rows of table in the database file at path, opened
// read-only after the measured process has exited.
func countRows(ctx context.Context, path, table string) (int64, error) {
	db, err := sql.Open("duckdb", path+"?access_mode=READ_ONLY")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	return n, err
}

func report(w io.Writer, c *config, rs []result) {
	fmt.Fprintf(w, "s3logs-bench: %d lines, %.1f MB generated (seed %d, trap rate %g), %d CPUs\n\n",
		rs[0].lines, float64(rs[0].bytes)/1e6, c.seed, c.trapRate, runtime.NumCPU())
	const row = "%-36s %9s %9s %8s %10s  %s\n"
	fmt.Fprintf(w, row, "loader", "lines", "wall", "MB/s", "peak RSS", "rows loaded")
	for _, r := range rs {
		rows := fmt.Sprint(r.rows)
		if r.unmatched > 0 {
			rows += fmt.Sprintf(" (%d all-NULL: regex did not match)", r.unmatched)
		}
		fmt.Fprintf(w, row, r.name, fmt.Sprint(r.lines), fmt.Sprintf("%.2fs", r.wall.Seconds()),
			fmt.Sprintf("%.1f", float64(r.bytes)/1e6/r.wall.Seconds()), fmt.Sprintf("%.0f MB", float64(r.peakRSS)/1e6), rows)
	}
	fmt.Fprintln(w)
	s3, rest := rs[0], rs[1:]
	if !c.noDIY {
		diy := rest[0]
		rest = rest[1:]
		fmt.Fprintf(w, "speedup s3logs vs DIY: %.2fx (target >= 8x); peak memory s3logs/DIY: %.2fx\n",
			diy.wall.Seconds()/s3.wall.Seconds(), float64(s3.peakRSS)/float64(diy.peakRSS))
	}
	if c.scale {
		r4 := rest[0]
		fmt.Fprintf(w, "peak memory 4x/1x data: %.2fx (target <= 1.25x); time 4x/1x: %.2fx\n",
			float64(r4.peakRSS)/float64(s3.peakRSS), r4.wall.Seconds()/s3.wall.Seconds())
	}
}

// Command s3logs-bench measures loading S3 server access logs into a DuckDB
// database file with s3logs against the do-it-yourself DuckDB way, in one run
// on the same generated log.
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
// and prints both times, the speedup and the peak memory as a table. Two
// more steps show where s3logs' time and memory go: the parse alone
// (loader.Reader to Arrow on one core, no DuckDB) and DuckDB alone (copying
// the rows s3logs loaded into a new database file: the floor of any loader
// that stores this table). With -scale it also loads a log 4 times larger
// with s3logs and prints the ratio of peak memory (target: at most 1.25x).
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

	"github.com/s3logs/s3logs/internal/benchproc"
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
	noPhases bool
	child    string // internal: the one measured step a child process runs
	dbPath   string
	file     string
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
	fs.BoolVar(&c.noPhases, "no-phases", false, "skip the parse-only and DuckDB ingest-floor measurements")
	fs.StringVar(&c.child, "child", "", "internal: run one measured step, `diy|parse|floor`, on FILE (into -db) and print its stats")
	fs.StringVar(&c.dbPath, "db", "", "internal, with -child: the database file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: s3logs-bench [-lines N] [-scale] [-s3logs PATH] [-dir DIR] [-keep]\n\n"+
			"Loads the same generated S3 access log with s3logs and with DuckDB's read_csv + Athena regex,\n"+
			"each in its own process, and prints wall time, speedup and peak memory.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch c.child {
	case "":
		if fs.NArg() > 0 {
			return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
		}
	case "diy", "floor", "parse":
		if fs.NArg() != 1 || (c.dbPath == "") != (c.child == "parse") {
			return nil, fmt.Errorf("-child %s needs one FILE and -db PATH (parse: no -db)", c.child)
		}
		c.file = fs.Arg(0)
	default:
		return nil, fmt.Errorf("-child %q: want diy, parse or floor", c.child)
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
	switch c.child {
	case "diy":
		err = runDIY(ctx, c.dbPath, c.file, stdout)
	case "parse":
		err = runParseOnly(c.file, stdout)
	case "floor":
		err = runIngestFloor(ctx, c.dbPath, c.file, stdout)
	default:
		err = bench(ctx, c, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "s3logs-bench:", err)
		return 1
	}
	return 0
}

// result is one measured step.
type result struct {
	name      string
	lines     int
	bytes     int64
	wall      time.Duration
	peakRSS   int64 // bytes
	rows      int64
	unmatched int64 // DIY only: rows the regex did not match
	rejected  int64 // parse only: lines the loader rejected
}

// run is the measured steps of one benchmark, in report order.
type runResults struct {
	s3, diy, parse, floor, s3x4, floorx4 *result
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
	bin, err := benchproc.S3logsBinary(ctx, c.s3logs, dir, stderr)
	if err != nil {
		return err
	}
	opts := gen.Options{Seed: c.seed, TrapRate: c.trapRate}
	var rr runResults
	if err := benchSize(ctx, c, bin, dir, 1, opts, &rr.s3, &rr.diy, &rr.parse, &rr.floor, stderr); err != nil {
		return err
	}
	if c.scale {
		if err := benchSize(ctx, c, bin, dir, 4, opts, &rr.s3x4, nil, nil, &rr.floorx4, stderr); err != nil {
			return err
		}
	}
	report(stdout, c, &rr)
	return nil
}

// benchSize generates a log of k*c.lines lines and runs the steps whose
// result pointers are not nil on it.
func benchSize(ctx context.Context, c *config, bin, dir string, k int, opts gen.Options, s3, diy, parse, floor **result, stderr io.Writer) error {
	n := k * c.lines
	log, size, err := writeLog(dir, fmt.Sprintf("access-%dx.log", k), n, opts, stderr)
	if err != nil {
		return err
	}
	suffix := ""
	if k > 1 {
		suffix = fmt.Sprintf(" (%dx)", k)
	}
	s3db := filepath.Join(dir, fmt.Sprintf("s3logs-%dx.duckdb", k))
	steps := []struct {
		dst  **result
		skip bool
		do   func() (result, error)
	}{
		{s3, false, func() (result, error) { return loadS3logs(ctx, bin, s3db, log) }},
		{diy, c.noDIY, func() (result, error) {
			return runChild(ctx, "diy", "DIY DuckDB read_csv + Athena regex", filepath.Join(dir, fmt.Sprintf("diy-%dx.duckdb", k)), log)
		}},
		{parse, c.noPhases, func() (result, error) {
			return runChild(ctx, "parse", "phase: s3logs parse only, 1 core", "", log)
		}},
		{floor, c.noPhases, func() (result, error) {
			return runChild(ctx, "floor", "phase: DuckDB ingest floor", filepath.Join(dir, fmt.Sprintf("floor-%dx.duckdb", k)), s3db)
		}},
	}
	for _, st := range steps {
		if st.dst == nil || st.skip {
			continue
		}
		r, err := st.do()
		if err != nil {
			return err
		}
		r.name += suffix
		r.lines, r.bytes = n, size
		*st.dst = &r
		fmt.Fprintf(stderr, "%s: %.2fs, peak RSS %.0f MB\n", r.name, r.wall.Seconds(), float64(r.peakRSS)/1e6)
	}
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

func loadS3logs(ctx context.Context, bin, dbPath, file string) (result, error) {
	r := result{name: "s3logs load"}
	var out strings.Builder
	cmd := exec.CommandContext(ctx, bin, "load", "--db", dbPath, file)
	cmd.Stdout, cmd.Stderr = &out, &out
	wall, rss, err := benchproc.Measure(cmd)
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

// runChild runs one step in a child process (this program, with -child
// mode) and reads the stats it prints.
func runChild(ctx context.Context, mode, name, dbPath, file string) (result, error) {
	r := result{name: name}
	self, err := os.Executable()
	if err != nil {
		return r, err
	}
	args := []string{"-child", mode}
	if dbPath != "" {
		args = append(args, "-db", dbPath)
	}
	var out, errOut strings.Builder
	cmd := exec.CommandContext(ctx, self, append(args, file)...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	wall, rss, err := benchproc.Measure(cmd)
	if err != nil {
		return r, fmt.Errorf("%s: %w\n%s", name, err, errOut.String())
	}
	var st childStats
	if err := json.Unmarshal([]byte(out.String()), &st); err != nil {
		return r, fmt.Errorf("%s printed %q: %w", name, out.String(), err)
	}
	r.wall, r.peakRSS, r.rows, r.unmatched, r.rejected = wall, rss, st.Rows, st.Unmatched, st.Rejected
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

func report(w io.Writer, c *config, rr *runResults) {
	s3 := rr.s3
	fmt.Fprintf(w, "s3logs-bench: %d lines, %.1f MB generated (seed %d, trap rate %g), %d CPUs\n\n",
		s3.lines, float64(s3.bytes)/1e6, c.seed, c.trapRate, runtime.NumCPU())
	const row = "%-40s %9s %9s %8s %10s  %s\n"
	fmt.Fprintf(w, row, "step (each in its own process)", "lines", "wall", "MB/s", "peak RSS", "rows")
	for _, r := range []*result{rr.s3, rr.diy, rr.parse, rr.floor, rr.s3x4, rr.floorx4} {
		if r == nil {
			continue
		}
		rows := fmt.Sprint(r.rows)
		if r.unmatched > 0 {
			rows += fmt.Sprintf(" (%d all-NULL: regex did not match)", r.unmatched)
		}
		if r.rejected > 0 {
			rows += fmt.Sprintf(" (%d lines rejected)", r.rejected)
		}
		fmt.Fprintf(w, row, r.name, fmt.Sprint(r.lines), fmt.Sprintf("%.2fs", r.wall.Seconds()),
			fmt.Sprintf("%.1f", float64(r.bytes)/1e6/r.wall.Seconds()), fmt.Sprintf("%.0f MB", float64(r.peakRSS)/1e6), rows)
	}
	fmt.Fprintln(w)
	if d := rr.diy; d != nil {
		fmt.Fprintf(w, "speedup s3logs vs DIY: %.2fx (target >= 8x); peak memory s3logs/DIY: %.2fx\n",
			d.wall.Seconds()/s3.wall.Seconds(), float64(s3.peakRSS)/float64(d.peakRSS))
		if f := rr.floor; f != nil {
			fmt.Fprintf(w, "DuckDB ingest floor: %.0f%% of the s3logs load; best possible speedup vs DIY with it: %.2fx\n",
				100*f.wall.Seconds()/s3.wall.Seconds(), d.wall.Seconds()/f.wall.Seconds())
		}
	}
	if s4 := rr.s3x4; s4 != nil {
		fmt.Fprintf(w, "peak memory 4x/1x data: %.2fx (target <= 1.25x); time 4x/1x: %.2fx\n",
			float64(s4.peakRSS)/float64(s3.peakRSS), s4.wall.Seconds()/s3.wall.Seconds())
		if f1, f4 := rr.floor, rr.floorx4; f1 != nil && f4 != nil {
			fmt.Fprintf(w, "DuckDB ingest floor peak memory 4x/1x: %.2fx\n", float64(f4.peakRSS)/float64(f1.peakRSS))
		}
	}
}

// Command s3logs-bench measures loading S3 server access logs into a DuckDB
// database file with s3logs against the do-it-yourself DuckDB way, in one run
// on the same generated log, on one core and on all of them.
//
// It writes a realistic log of -lines lines (package internal/gen, seeded, so
// every run loads the same bytes) to a temporary folder, then runs, each in
// its own process so that wall time, CPU time and peak memory (RSS) are its
// own, on all the CPUs the process may use and on one (taskset -c CPU):
//
//   - s3logs: the built binary, `s3logs load --db s3logs.duckdb FILE`;
//   - DIY: DuckDB reading each line as one string with read_csv and splitting
//     it with AWS's documented Athena regex through regexp_extract (one match
//     per line, all 26 groups), cast to the same column types (see diy.go),
//     with DuckDB's threads set to the usable CPUs like s3logs does.
//
// Each step runs -runs times, the steps taking turns, and the table shows
// medians: wall time, CPU seconds (user + system of the process, from its
// rusage), peak RSS, the database file's size and bytes per row. Below it,
// the ratios the targets of issue 11 name (scaling from 1 core to all,
// s3logs against DIY, CPU, memory, file size) and the serial fraction of
// the s3logs load that the scaling implies (Amdahl's law), with what it
// predicts for bigger machines. Two more steps show where s3logs' time and
// memory go: the parse alone (loader.Reader to Arrow on one core, no DuckDB)
// and DuckDB alone (copying the rows s3logs loaded into a new database file).
// With -scale it also loads logs of a quarter and 4 times the lines with
// s3logs on all cores and prints the ratios of peak memory (target: at most
// 1.25x for 4x the data).
//
// Run it from the repository (it builds ./cmd/s3logs unless -s3logs is given):
//
//	go run -tags duckdb_arrow ./cmd/s3logs-bench -scale          # 1,000,000 lines, about 600 MB
//	go run -tags duckdb_arrow ./cmd/s3logs-bench -lines 100000 -runs 1
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
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

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
	noOne    bool
	runs     int
	cpu      int    // the CPU of the one-core steps
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
	fs.BoolVar(&c.scale, "scale", false, "also load logs of 1/4 and 4x the lines with s3logs and report the peak-memory ratios")
	fs.BoolVar(&c.noDIY, "no-diy", false, "skip the do-it-yourself DuckDB load")
	fs.BoolVar(&c.noPhases, "no-phases", false, "skip the parse-only and DuckDB ingest-floor measurements")
	fs.BoolVar(&c.noOne, "no-one-core", false, "skip the one-core (taskset) loads")
	fs.IntVar(&c.runs, "runs", 3, "times each load runs (taking turns); the table shows medians")
	fs.IntVar(&c.cpu, "cpu", -1, "the CPU of the one-core loads (default: the first this process may use)")
	fs.StringVar(&c.child, "child", "", "internal: run one measured step, `diy|parse|floor`, on FILE (into -db) and print its stats")
	fs.StringVar(&c.dbPath, "db", "", "internal, with -child: the database file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: s3logs-bench [-lines N] [-runs N] [-scale] [-s3logs PATH] [-dir DIR] [-keep]\n\n"+
			"Loads the same generated S3 access log with s3logs and with DuckDB's read_csv + Athena regex,\n"+
			"each in its own process, on all usable CPUs and on one (taskset), and prints wall time,\n"+
			"CPU time, peak memory, file size and the ratios against their targets.\n\n")
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
	if c.runs <= 0 {
		return nil, fmt.Errorf("-runs must be positive, not %d", c.runs)
	}
	if c.cpu < 0 {
		c.cpu = firstCPU()
	}
	return c, nil
}

// firstCPU returns the first CPU this process may run on (0 when the
// affinity cannot be read).
func firstCPU() int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 0
	}
	for i := 0; i < len(set)*64; i++ {
		if set.IsSet(i) {
			return i
		}
	}
	return 0
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

// result is one measured step: the medians of its runs.
type result struct {
	name      string
	lines     int
	bytes     int64 // of the log
	runs      int
	wall      time.Duration
	wallMin   time.Duration
	wallMax   time.Duration
	cpu       time.Duration // user + system
	peakRSS   int64         // bytes
	fileBytes int64         // the database file after the load, 0 for the parse
	rows      int64
	unmatched int64 // DIY only: rows the regex did not match
	rejected  int64 // parse only: lines the loader rejected
}

// sample is one run of a step.
type sample struct {
	wall, cpu time.Duration
	rss, file int64
	rows      int64
	unmatched int64
	rejected  int64
}

// runResults is the measured steps of one benchmark, in report order.
type runResults struct {
	s3, s3one, diy, diyOne, parse, floor, s3q, s3x4 *result
	loadBefore, loadAfter                           string // /proc/loadavg
}

// step is one thing to measure, n times.
type step struct {
	dst  **result
	name string
	do   func(i int) (sample, error)
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
	rr := runResults{loadBefore: loadAvg()}
	b := &bencher{c: c, bin: bin, dir: dir, stderr: stderr}
	if err := b.size(ctx, c.lines, "", b.mainSteps(ctx, &rr)); err != nil {
		return err
	}
	if c.scale {
		if err := b.size(ctx, max(1, c.lines/4), " (1/4)", b.s3Steps(ctx, &rr.s3q)); err != nil {
			return err
		}
		if err := b.size(ctx, 4*c.lines, " (4x)", b.s3Steps(ctx, &rr.s3x4)); err != nil {
			return err
		}
	}
	rr.loadAfter = loadAvg()
	report(stdout, c, &rr)
	return nil
}

// bencher runs the steps of one benchmark.
type bencher struct {
	c        *config
	bin, dir string
	stderr   io.Writer
	log      string // the log of the size being measured
	lines    int
}

// mainSteps are the steps on the log of -lines lines.
func (b *bencher) mainSteps(ctx context.Context, rr *runResults) []step {
	all := fmt.Sprintf(", all %d CPUs", runtime.NumCPU())
	one := fmt.Sprintf(", 1 CPU (taskset -c %d)", b.c.cpu)
	taskset := []string{"taskset", "-c", strconv.Itoa(b.c.cpu)}
	steps := []step{{&rr.s3, "s3logs load" + all, b.s3logs(ctx, "s3logs", nil)}}
	if !b.c.noOne {
		steps = append(steps, step{&rr.s3one, "s3logs load" + one, b.s3logs(ctx, "s3logs-1cpu", taskset)})
	}
	if !b.c.noDIY {
		steps = append(steps, step{&rr.diy, "DIY read_csv + Athena regex" + all, b.child(ctx, "diy", "diy", nil)})
		if !b.c.noOne {
			steps = append(steps, step{&rr.diyOne, "DIY read_csv + Athena regex" + one, b.child(ctx, "diy", "diy-1cpu", taskset)})
		}
	}
	if !b.c.noPhases {
		steps = append(steps,
			step{&rr.parse, "phase: s3logs parse only, 1 goroutine", b.child(ctx, "parse", "", nil)},
			step{&rr.floor, "phase: DuckDB copying the table" + all, b.child(ctx, "floor", "floor", nil)})
	}
	return steps
}

// s3Steps is the s3logs load alone, into dst.
func (b *bencher) s3Steps(ctx context.Context, dst **result) []step {
	return []step{{dst, fmt.Sprintf("s3logs load, all %d CPUs", runtime.NumCPU()), b.s3logs(ctx, "s3logs", nil)}}
}

// size generates a log of n lines and runs steps on it, c.runs times each,
// taking turns, so that a change in the machine's load spreads over all.
func (b *bencher) size(ctx context.Context, n int, suffix string, steps []step) error {
	log, size, err := writeLog(b.dir, fmt.Sprintf("access-%d.log", n), n, gen.Options{Seed: b.c.seed, TrapRate: b.c.trapRate}, b.stderr)
	if err != nil {
		return err
	}
	b.log, b.lines = log, n
	samples := make([][]sample, len(steps))
	for i := range b.c.runs {
		for k, st := range steps {
			smp, err := st.do(i)
			if err != nil {
				return err
			}
			samples[k] = append(samples[k], smp)
			fmt.Fprintf(b.stderr, "run %d/%d %s%s: %.2fs wall, %.2fs CPU, peak RSS %.0f MB, file %.1f MB\n",
				i+1, b.c.runs, st.name, suffix, smp.wall.Seconds(), smp.cpu.Seconds(), float64(smp.rss)/1e6, float64(smp.file)/1e6)
		}
	}
	for k, st := range steps {
		r := summarize(samples[k])
		r.name, r.lines, r.bytes = st.name+suffix, n, size
		*st.dst = &r
	}
	if !b.c.keep {
		os.Remove(log)
	}
	return nil
}

// dbPath is the database file of a step's load (removed before each run).
func (b *bencher) dbPath(what string) string {
	return filepath.Join(b.dir, fmt.Sprintf("%s-%d.duckdb", what, b.lines))
}

// s3logs measures `s3logs load` of the current log, after prefix (taskset).
func (b *bencher) s3logs(ctx context.Context, what string, prefix []string) func(int) (sample, error) {
	return func(int) (sample, error) {
		db := b.dbPath(what)
		removeDB(db)
		args := append(append(prefix, b.bin), "load", "--db", db, b.log)
		var out strings.Builder
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = &out, &out
		smp, err := measure(cmd)
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 3 {
			err = nil // loaded, with rejected lines
		}
		if err != nil {
			return smp, fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, out.String())
		}
		smp.file = fileSize(db)
		smp.rows, err = countRows(ctx, db, schema.TableName)
		return smp, err
	}
}

// child measures one step in a child process (this program, with -child
// mode) on the current log (floor: on the s3logs database of the current
// size) and reads the stats it prints.
func (b *bencher) child(ctx context.Context, mode, what string, prefix []string) func(int) (sample, error) {
	return func(int) (sample, error) {
		self, err := os.Executable()
		if err != nil {
			return sample{}, err
		}
		args := append(append(prefix, self), "-child", mode)
		var db string
		if what != "" {
			db = b.dbPath(what)
			removeDB(db)
			args = append(args, "-db", db)
		}
		file := b.log
		if mode == "floor" {
			file = b.dbPath("s3logs")
		}
		var out, errOut strings.Builder
		cmd := exec.CommandContext(ctx, args[0], append(args[1:], file)...)
		cmd.Env = append(os.Environ(), childEnv+"=1")
		cmd.Stdout, cmd.Stderr = &out, &errOut
		smp, err := measure(cmd)
		if err != nil {
			return smp, fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, errOut.String())
		}
		var st childStats
		if err := json.Unmarshal([]byte(out.String()), &st); err != nil {
			return smp, fmt.Errorf("%s printed %q: %w", mode, out.String(), err)
		}
		smp.rows, smp.unmatched, smp.rejected = st.Rows, st.Unmatched, st.Rejected
		if db != "" {
			smp.file = fileSize(db)
		}
		return smp, nil
	}
}

// measure runs cmd and returns its wall time, CPU time and peak RSS.
func measure(cmd *exec.Cmd) (sample, error) {
	wall, rss, err := benchproc.Measure(cmd)
	smp := sample{wall: wall, rss: rss}
	if ps := cmd.ProcessState; ps != nil {
		smp.cpu = ps.UserTime() + ps.SystemTime()
	}
	return smp, err
}

func removeDB(path string) {
	os.Remove(path)
	os.Remove(path + ".wal")
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// loadAvg returns the first three fields of /proc/loadavg, or "".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
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

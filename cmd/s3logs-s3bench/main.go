// Command s3logs-s3bench measures loading many small log objects from an
// S3-protocol server with s3logs against a plain sequential list-and-get
// baseline, in one run.
//
// It starts a gofakes3 server (loader/s3/s3test) in a separate process, so
// that the server's CPU and memory are not counted as the loaders', holding
// for each count in -objects a prefix of that many generated log objects
// (internal/gen, seeded: every run serves the same bytes; -lines lines each,
// a few KB, simple key layout). Every request waits -latency before being
// answered, standing in for the first-byte latency of S3 that loopback
// lacks. Then, each in its own process so that wall time and peak memory
// (RSS) are its own:
//
//   - s3logs: the built binary, `s3logs load --db FILE --endpoint-url URL
//     --no-sign-request --concurrency N s3://bench/nCOUNT/` (full pipeline:
//     list, concurrent GETs, parse, insert into a DuckDB file, manifest);
//   - baseline: one goroutine with the same SDK client (internal/awscfg)
//     that pages through ListObjectsV2 and, for each object in turn, GETs
//     it, reads the whole body and parses it with loader.Reader (the same
//     parser), counting rows. It inserts nothing, so it does less work than
//     s3logs: its time is a lower bound for any sequential loader.
//
// It prints both times, the speedup (target: at least 8x) and both peak
// memories. To tell memory that follows the object count from memory that
// follows the data, it also loads, with s3logs only, the smallest count of
// objects holding as many lines in all as the largest count, and prints
// the ratio of peak memories for the same lines in many and in few
// objects (target: about 1x).
//
// Run it from the repository (it builds ./cmd/s3logs unless -s3logs is given):
//
//	go run -tags duckdb_arrow ./cmd/s3logs-s3bench
//	go run -tags duckdb_arrow ./cmd/s3logs-s3bench -objects 1000 -latency 5ms
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/s3logs/s3logs/internal/benchproc"
	"github.com/s3logs/s3logs/internal/db"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is the parsed command line.
type config struct {
	objects     []int
	lines       int
	latency     time.Duration
	concurrency int
	s3logs      string
	dir         string
	// child modes
	serve    bool
	baseline string // endpoint URL, with -prefix
	prefix   string
}

func parse(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("s3logs-s3bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	objects := fs.String("objects", "1000,10000", "comma-separated object `COUNTS` to load")
	fs.IntVar(&c.lines, "lines", 10, "log lines per object")
	fs.DurationVar(&c.latency, "latency", 20*time.Millisecond, "delay before the server answers each request, standing in for S3's first-byte latency of a small GET in the same region")
	fs.IntVar(&c.concurrency, "concurrency", 32, "s3logs --concurrency")
	fs.StringVar(&c.s3logs, "s3logs", "", "s3logs binary `PATH` (default: build ./cmd/s3logs)")
	fs.StringVar(&c.dir, "dir", "", "working `DIR` for the databases (default: a temporary one, removed)")
	fs.BoolVar(&c.serve, "serve", false, "internal: run the S3 server")
	fs.StringVar(&c.baseline, "baseline", "", "internal: run the baseline against this endpoint `URL`")
	fs.StringVar(&c.prefix, "prefix", "", "internal: the baseline's prefix")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, s := range strings.Split(*objects, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-objects: %q is not a positive count", s)
		}
		c.objects = append(c.objects, n)
	}
	if c.lines < 1 || c.concurrency < 1 || c.latency < 0 {
		return nil, errors.New("-lines and -concurrency must be at least 1, -latency not negative")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, err := parse(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "s3logs-s3bench: %v\n", err)
		}
		return 2
	}
	switch {
	case c.serve:
		err = serve(ctx, c, stdin, stdout)
	case c.baseline != "":
		err = runBaseline(ctx, c.baseline, c.prefix, stdout)
	default:
		err = bench(ctx, c, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "s3logs-s3bench: %v\n", err)
		return 1
	}
	return 0
}

// result is one measured load.
type result struct {
	set
	wall         time.Duration
	rss          int64
	rows         int64
	baseWall     time.Duration
	baseRSS      int64
	baseRows     int64
	s3logsOutput string
}

func bench(ctx context.Context, c *config, stdout, stderr io.Writer) error {
	dir := c.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "s3logs-s3bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	bin, err := benchproc.S3logsBinary(ctx, c.s3logs, dir, stderr)
	if err != nil {
		return err
	}
	url, stopServer, err := startServer(ctx, c)
	if err != nil {
		return err
	}
	defer stopServer()
	fmt.Fprintf(stdout, "s3logs-s3bench: %d lines per object, %s latency per request, s3logs --concurrency %d; server in its own process at %s\n",
		c.lines, c.latency, c.concurrency, url)
	var rs []result
	ss := c.sets()
	for _, st := range ss[:len(c.objects)] {
		r, err := measureCount(ctx, c, bin, url, dir, st)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	var same *result
	if len(ss) > len(c.objects) {
		r := result{set: ss[len(ss)-1]}
		if err := runS3logs(ctx, c, bin, url, dir, &r); err != nil {
			return err
		}
		same = &r
	}
	report(stdout, rs, same)
	return nil
}

// startServer starts this program with -serve and returns the URL it
// printed once its objects were in place; stop ends it.
func startServer(ctx context.Context, c *config) (url string, stop func(), err error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	counts := make([]string, len(c.objects))
	for i, n := range c.objects {
		counts[i] = strconv.Itoa(n)
	}
	cmd := exec.CommandContext(ctx, self, "-serve", "-objects", strings.Join(counts, ","),
		"-lines", strconv.Itoa(c.lines), "-latency", c.latency.String())
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() { in.Close(); cmd.Wait() }
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("S3 server did not start: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}

// measureCount loads the prefix of n objects with s3logs and with the
// baseline, each in its own process, and checks that both read every line.
func measureCount(ctx context.Context, c *config, bin, url, dir string, st set) (result, error) {
	r := result{set: st}
	var err error
	if err = runS3logs(ctx, c, bin, url, dir, &r); err != nil {
		return r, err
	}
	if err = runBaselineChild(ctx, url, &r); err != nil {
		return r, err
	}
	if want := int64(st.n * st.lines); r.baseRows != want {
		return r, fmt.Errorf("%d objects: the baseline parsed %d rows, want %d", st.n, r.baseRows, want)
	}
	return r, nil
}

// runS3logs loads r.objects objects with the s3logs binary into a fresh
// database file and counts the rows.
func runS3logs(ctx context.Context, c *config, bin, url, dir string, r *result) error {
	prefix := fmt.Sprintf("s3://%s/%s", bucket, r.prefix())
	dbPath := filepath.Join(dir, fmt.Sprintf("s3bench-%d.duckdb", r.n))
	os.Remove(dbPath)
	defer os.Remove(dbPath)
	var out strings.Builder
	cmd := exec.CommandContext(ctx, bin, "load", "--db", dbPath, "--endpoint-url", url, "--no-sign-request",
		"--concurrency", strconv.Itoa(c.concurrency), prefix)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
	var err error
	r.wall, r.rss, err = benchproc.Measure(cmd)
	r.s3logsOutput = strings.TrimSpace(out.String())
	if err != nil {
		return fmt.Errorf("s3logs load of %d objects: %w\n%s", r.n, err, r.s3logsOutput)
	}
	if r.rows, err = countRows(ctx, dbPath); err == nil && r.rows != int64(r.n*r.lines) {
		err = fmt.Errorf("%d objects: s3logs loaded %d rows, want %d\n%s", r.n, r.rows, r.n*r.lines, r.s3logsOutput)
	}
	return err
}

// runBaselineChild runs the baseline in a child process.
func runBaselineChild(ctx context.Context, url string, r *result) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var out, errOut strings.Builder
	cmd := exec.CommandContext(ctx, self, "-baseline", url, "-prefix", r.prefix())
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if r.baseWall, r.baseRSS, err = benchproc.Measure(cmd); err != nil {
		return fmt.Errorf("baseline of %d objects: %w\n%s", r.n, err, errOut.String())
	}
	if r.baseRows, err = strconv.ParseInt(strings.TrimSpace(out.String()), 10, 64); err != nil {
		return fmt.Errorf("baseline printed %q: %w", out.String(), err)
	}
	return nil
}

// countRows counts the rows s3logs loaded.
func countRows(ctx context.Context, path string) (int64, error) {
	d, err := db.Open(ctx, path)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	var n int64
	err = d.QueryRowContext(ctx, "SELECT count(*) FROM aws_s3serveraccess").Scan(&n)
	return n, err
}

// report prints the table and the memory ratios.
func report(w io.Writer, rs []result, same *result) {
	fmt.Fprintf(w, "%9s %6s %10s %10s %10s %10s %8s\n", "objects", "lines", "s3logs", "peak RSS", "baseline", "peak RSS", "speedup")
	for _, r := range rs {
		fmt.Fprintf(w, "%9d %6d %9.2fs %7.0f MB %9.2fs %7.0f MB %7.1fx\n", r.n, r.lines,
			r.wall.Seconds(), mb(r.rss), r.baseWall.Seconds(), mb(r.baseRSS), r.baseWall.Seconds()/r.wall.Seconds())
	}
	all := rs
	if same != nil {
		fmt.Fprintf(w, "%9d %6d %9.2fs %7.0f MB   (the lines of the largest count in fewer objects; s3logs only)\n",
			same.n, same.lines, same.wall.Seconds(), mb(same.rss))
		all = append(all, *same)
	}
	if len(rs) > 1 {
		lo, hi := rs[0], rs[len(rs)-1]
		fmt.Fprintf(w, "s3logs peak memory, %d objects / %d objects (%.0fx the lines): %.2fx\n", hi.n, lo.n,
			float64(hi.n*hi.lines)/float64(lo.n*lo.lines), float64(hi.rss)/float64(lo.rss))
	}
	if same != nil {
		hi := rs[len(rs)-1]
		fmt.Fprintf(w, "s3logs peak memory, the same %d lines in %d objects / in %d objects: %.2fx\n",
			hi.n*hi.lines, hi.n, same.n, float64(hi.rss)/float64(same.rss))
	}
	for _, r := range all {
		fmt.Fprintf(w, "s3logs said (%d objects of %d lines): %s\n", r.n, r.lines, r.s3logsOutput)
	}
}

func mb(b int64) float64 { return float64(b) / 1e6 }

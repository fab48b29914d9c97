// Command s3logs-s3bench measures loading many small log objects from an
// S3-protocol server with s3logs, against the floor set by the server's
// latency, in one run.
//
// It starts a gofakes3 server (loader/s3/s3test) in a separate process, so
// that the server's CPU and memory are not counted as the loaders', holding
// for each count in -objects and each layout in -layouts a prefix of that
// many generated log objects (internal/gen, seeded: every run serves the
// same bytes; -lines lines each, a few KB), delivered evenly over -days
// days from 2024-01-01: simple keys (PREFIX/YYYY-mm-DD-HH-MM-SS-UNIQUE), or
// partitioned ones (PREFIX/ACCOUNT/REGION/BUCKET/YYYY/MM/DD/..., two
// regions of two buckets each). Every request waits -latency before being
// answered, standing in for the first-byte latency of S3 that loopback
// lacks. Then, each in its own process so that wall time and peak memory
// (RSS) are its own, the built s3logs binary runs
//
//   - full: `s3logs load --db FILE --endpoint-url URL --no-sign-request
//     --concurrency N s3://bench/PREFIX/` into a fresh database (list,
//     concurrent GETs, parse, insert, manifest), checked to hold every line;
//   - reload: the same load again into the same database, where every
//     object is already loaded and skipped;
//   - resume: with -resume, a load of the largest count of each layout into a
//     fresh database, interrupted with SIGINT (Ctrl-C) halfway through the
//     full load's time, then the same load again (measured), which must
//     complete every row with fewer GETs than objects and list fewer keys
//     than the full load (the days loaded whole are not listed again);
//   - window: with -window, a load of one day in the middle (--since,
//     --until) of the largest count of each layout, into a fresh database.
//
// For each it prints the wall time, the floor (GETs x latency /
// concurrency: the time the GETs alone take at that concurrency), their
// ratio (target: within 1.5x), the list requests and GETs the server
// answered and the keys its listings returned, and the peak RSS; then the
// ratio of peak memories of the largest and smallest count (target: at
// most 1.2x: memory flat in the number of objects).
//
// With -compare it also runs, for the full loads, a plain sequential
// baseline in its own process: one goroutine with the same SDK client
// (internal/awscfg) that pages through ListObjectsV2 and, for each object
// in turn, GETs it, reads it and parses it with loader.Reader, inserting
// nothing (a lower bound for any sequential loader; it takes objects x
// latency, 2,000 s for 100,000 objects at 20 ms).
//
// Run it from the repository (it builds ./cmd/s3logs unless -s3logs is given):
//
//	go run -tags duckdb_arrow ./cmd/s3logs-s3bench -objects 10000,100000
//	go run -tags duckdb_arrow ./cmd/s3logs-s3bench -objects 1000 -latency 5ms -compare
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
	layouts     []string
	lines       int
	days        int
	latency     time.Duration
	concurrency int
	window      bool
	resume      bool
	compare     bool
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
	layouts := fs.String("layouts", "simple,partitioned", "comma-separated key `LAYOUTS`: simple, partitioned")
	fs.IntVar(&c.lines, "lines", 10, "log lines per object")
	fs.IntVar(&c.days, "days", 60, "days the objects of each prefix are delivered over")
	fs.DurationVar(&c.latency, "latency", 20*time.Millisecond, "delay before the server answers each request, standing in for S3's first-byte latency of a small GET in the same region")
	fs.IntVar(&c.concurrency, "concurrency", 32, "s3logs --concurrency")
	fs.BoolVar(&c.window, "window", true, "also load one day in the middle of the largest count of each layout")
	fs.BoolVar(&c.resume, "resume", true, "also interrupt a load of the largest count of each layout halfway (SIGINT) and load again")
	fs.BoolVar(&c.compare, "compare", false, "also run the sequential baseline of each full load (objects x latency)")
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
	for _, s := range strings.Split(*layouts, ",") {
		s = strings.TrimSpace(s)
		if s != simpleLayout && s != partitionedLayout {
			return nil, fmt.Errorf("-layouts: %q is not simple or partitioned", s)
		}
		c.layouts = append(c.layouts, s)
	}
	if c.lines < 1 || c.concurrency < 1 || c.latency < 0 || c.days < 3 {
		return nil, errors.New("-lines and -concurrency must be at least 1, -days at least 3, -latency not negative")
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
	kind     string // full, reload, window
	wall     time.Duration
	rss      int64
	rows     int64
	counts   serverCounts
	baseWall time.Duration
	output   string
}

// floor is the time the load's GETs take at the concurrency when each
// waits the latency and nothing else.
func (r result) floor(c *config) time.Duration {
	return time.Duration(r.counts.gets) * c.latency / time.Duration(c.concurrency)
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
	srv, err := startServer(ctx, c)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(stdout, "s3logs-s3bench: %d lines per object over %d days, %s latency per request, s3logs --concurrency %d; server in its own process at %s\n",
		c.lines, c.days, c.latency, c.concurrency, srv.url)
	var rs []result
	for _, layout := range c.layouts {
		for _, n := range c.objects {
			st := set{n: n, lines: c.lines, days: c.days, layout: layout}
			full, reload, err := measureSet(ctx, c, bin, srv, dir, st)
			if err != nil {
				return err
			}
			rs = append(rs, full, reload)
			printResult(stdout, c, full)
			printResult(stdout, c, reload)
			if c.resume && n == maxOf(c.objects) {
				r, err := measureResume(ctx, c, bin, srv, dir, st, full)
				if err != nil {
					return err
				}
				rs = append(rs, r)
				printResult(stdout, c, r)
			}
		}
		if c.window {
			st := set{n: maxOf(c.objects), lines: c.lines, days: c.days, layout: layout}
			r, err := measureWindow(ctx, c, bin, srv, dir, st)
			if err != nil {
				return err
			}
			rs = append(rs, r)
			printResult(stdout, c, r)
		}
	}
	summary(stdout, c, rs)
	return nil
}

func maxOf(ns []int) int {
	m := ns[0]
	for _, n := range ns {
		m = max(m, n)
	}
	return m
}

// server is the S3 server child: it answers "reset" and "counts" on its
// stdin.
type server struct {
	url  string
	in   io.WriteCloser
	out  *bufio.Reader
	stop func()
}

// serverCounts are the server's counts since the last reset.
type serverCounts struct{ lists, listed, gets int }

func (s *server) command(cmd string) (string, error) {
	if _, err := fmt.Fprintln(s.in, cmd); err != nil {
		return "", err
	}
	line, err := s.out.ReadString('\n')
	return strings.TrimSpace(line), err
}

func (s *server) reset() error {
	_, err := s.command("reset")
	return err
}

func (s *server) counts() (serverCounts, error) {
	line, err := s.command("counts")
	if err != nil {
		return serverCounts{}, err
	}
	var c serverCounts
	_, err = fmt.Sscan(line, &c.lists, &c.listed, &c.gets)
	return c, err
}

// startServer starts this program with -serve and returns it once it
// printed its URL, its objects in place.
func startServer(ctx context.Context, c *config) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	counts := make([]string, len(c.objects))
	for i, n := range c.objects {
		counts[i] = strconv.Itoa(n)
	}
	cmd := exec.CommandContext(ctx, self, "-serve", "-objects", strings.Join(counts, ","), "-layouts", strings.Join(c.layouts, ","),
		"-days", strconv.Itoa(c.days), "-lines", strconv.Itoa(c.lines), "-latency", c.latency.String())
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{in: in, out: bufio.NewReader(out), stop: func() { in.Close(); cmd.Wait() }}
	line, err := s.out.ReadString('\n')
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("S3 server did not start: %w", err)
	}
	s.url = strings.TrimSpace(line)
	return s, nil
}

// measureSet loads a set into a fresh database, then again (everything
// skipped), and with -compare runs the baseline.
func measureSet(ctx context.Context, c *config, bin string, srv *server, dir string, st set) (full, reload result, err error) {
	dbPath := filepath.Join(dir, "s3bench-"+strings.TrimSuffix(st.prefix(), "/")+".duckdb")
	os.Remove(dbPath)
	defer os.Remove(dbPath)
	full = result{set: st, kind: "full"}
	if err = runS3logs(ctx, c, bin, srv, dbPath, &full); err != nil {
		return
	}
	if want := int64(st.n * st.lines); full.rows != want {
		return full, reload, fmt.Errorf("%s: s3logs loaded %d rows, want %d\n%s", st.prefix(), full.rows, want, full.output)
	}
	reload = result{set: st, kind: "reload"}
	if err = runS3logs(ctx, c, bin, srv, dbPath, &reload); err != nil {
		return
	}
	if reload.counts.gets != 0 || reload.rows != full.rows {
		return full, reload, fmt.Errorf("%s: the reload fetched %d objects and left %d rows, want 0 and %d\n%s", st.prefix(), reload.counts.gets, reload.rows, full.rows, reload.output)
	}
	if c.compare {
		err = runBaselineChild(ctx, srv.url, &full)
	}
	return
}

// measureResume starts a load of the set into a fresh database, stops it
// with SIGINT (Ctrl-C) halfway through the time a full load took, then
// loads again: the second load must complete the rows with fewer GETs than
// objects (what was committed is not fetched again).
func measureResume(ctx context.Context, c *config, bin string, srv *server, dir string, st set, full result) (result, error) {
	dbPath := filepath.Join(dir, "s3bench-resume.duckdb")
	os.Remove(dbPath)
	defer os.Remove(dbPath)
	cmd := exec.CommandContext(ctx, bin, "load", "--db", dbPath, "--endpoint-url", srv.url, "--no-sign-request",
		"--concurrency", strconv.Itoa(c.concurrency), fmt.Sprintf("s3://%s/%s", bucket, st.prefix()))
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	t := time.AfterFunc(full.wall/2, func() { cmd.Process.Signal(os.Interrupt) })
	err := cmd.Wait()
	t.Stop()
	r := result{set: st, kind: "resume"}
	if err == nil {
		return r, fmt.Errorf("%s: the load to interrupt finished before the interrupt\n%s", st.prefix(), out.String())
	}
	if err := runS3logs(ctx, c, bin, srv, dbPath, &r); err != nil {
		return r, err
	}
	if want := int64(st.n * st.lines); r.rows != want || r.counts.gets >= st.n || r.counts.listed >= full.counts.listed {
		return r, fmt.Errorf("%s: the resumed load left %d rows after %d GETs and %d keys listed, want %d rows, fewer GETs than %d objects and fewer keys than the full load's %d\n%s",
			st.prefix(), r.rows, r.counts.gets, r.counts.listed, want, st.n, full.counts.listed, r.output)
	}
	return r, nil
}

// measureWindow loads one day in the middle of a set into a fresh database.
func measureWindow(ctx context.Context, c *config, bin string, srv *server, dir string, st set) (result, error) {
	dbPath := filepath.Join(dir, "s3bench-window.duckdb")
	os.Remove(dbPath)
	defer os.Remove(dbPath)
	day := start.AddDate(0, 0, st.days/2)
	r := result{set: st, kind: "window"}
	err := runS3logs(ctx, c, bin, srv, dbPath, &r, "--since", day.Format(time.RFC3339), "--until", day.AddDate(0, 0, 1).Format(time.RFC3339))
	if err == nil && r.rows == 0 {
		err = fmt.Errorf("%s: a one-day window loaded no rows\n%s", st.prefix(), r.output)
	}
	return r, err
}

// runS3logs runs s3logs load of the set into dbPath, measured, with the
// server's counts, and counts the rows.
func runS3logs(ctx context.Context, c *config, bin string, srv *server, dbPath string, r *result, extra ...string) error {
	if err := srv.reset(); err != nil {
		return err
	}
	args := append([]string{"load", "--db", dbPath, "--endpoint-url", srv.url, "--no-sign-request",
		"--concurrency", strconv.Itoa(c.concurrency)}, extra...)
	args = append(args, fmt.Sprintf("s3://%s/%s", bucket, r.prefix()))
	var out strings.Builder
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
	var err error
	r.wall, r.rss, err = benchproc.Measure(cmd)
	r.output = strings.TrimSpace(out.String())
	if err != nil {
		return fmt.Errorf("s3logs load of %s (%s): %w\n%s", r.prefix(), r.kind, err, r.output)
	}
	if r.counts, err = srv.counts(); err != nil {
		return err
	}
	r.rows, err = countRows(ctx, dbPath)
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
	if r.baseWall, _, err = benchproc.Measure(cmd); err != nil {
		return fmt.Errorf("baseline of %s: %w\n%s", r.prefix(), err, errOut.String())
	}
	rows, err := strconv.ParseInt(strings.TrimSpace(out.String()), 10, 64)
	if err != nil {
		return fmt.Errorf("baseline printed %q: %w", out.String(), err)
	}
	if rows != r.rows {
		return fmt.Errorf("%s: the baseline parsed %d rows, s3logs loaded %d", r.prefix(), rows, r.rows)
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

// printResult prints one load as it is measured.
func printResult(w io.Writer, c *config, r result) {
	ratio := "-"
	if f := r.floor(c); f > 0 {
		ratio = fmt.Sprintf("%.2fx", r.wall.Seconds()/f.Seconds())
	}
	fmt.Fprintf(w, "%-11s %7s %8d objects: %8.2fs, floor %7.2fs (%s), %5d lists, %7d keys listed, %7d GETs, %6.0f MB peak RSS, %d rows",
		r.layout, r.kind, r.n, r.wall.Seconds(), r.floor(c).Seconds(), ratio, r.counts.lists, r.counts.listed, r.counts.gets, mb(r.rss), r.rows)
	if r.baseWall > 0 {
		fmt.Fprintf(w, "; sequential baseline %.2fs (%.1fx)", r.baseWall.Seconds(), r.baseWall.Seconds()/r.wall.Seconds())
	}
	fmt.Fprintf(w, "\n    s3logs said: %s\n", strings.ReplaceAll(r.output, "\n", "\n    "))
}

// summary prints the memory ratios of the largest and smallest count.
func summary(w io.Writer, c *config, rs []result) {
	if len(c.objects) < 2 {
		return
	}
	lo, hi := c.objects[0], maxOf(c.objects)
	for _, n := range c.objects {
		lo = min(lo, n)
	}
	for _, layout := range c.layouts {
		var a, b result
		for _, r := range rs {
			if r.layout == layout && r.kind == "full" && r.n == lo {
				a = r
			}
			if r.layout == layout && r.kind == "full" && r.n == hi {
				b = r
			}
		}
		if a.rss > 0 {
			fmt.Fprintf(w, "%s: peak memory of a full load, %d objects / %d objects: %.2fx\n", layout, hi, lo, float64(b.rss)/float64(a.rss))
		}
	}
}

func mb(b int64) float64 { return float64(b) / 1e6 }

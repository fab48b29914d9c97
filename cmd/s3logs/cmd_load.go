package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/loader/ingest"
	"github.com/s3logs/s3logs/loader/s3"
	"github.com/s3logs/s3logs/loader/source"
)

func init() {
	register(&command{
		Name:    "load",
		Usage:   "load [--db PATH] [--label L] [--workers N] [--since T] [--until T] SOURCE...",
		Summary: "Load S3 server access logs into the database",
		Help: `Each SOURCE is a log file, a folder (read recursively, hidden files skipped),
a glob pattern such as 'logs/2024-*', - for standard input, or an s3://bucket/prefix/.
Gzipped files are recognised by their content and read transparently.

Rows go to the table aws_s3serveraccess, lines that cannot be parsed to
aws_s3serveraccess_rejects (with the reason), and every object read to
s3logs_manifest. Loading the same files again adds nothing; a file that grew
is read from where the last load stopped; a changed file is reloaded whole;
an interrupted load (Ctrl-C, kill) is completed by running it again.

--since and --until keep the rows of a time window (forms under Flags); for
s3:// sources they also narrow the listing to the objects that may hold them.
A file loaded before under a narrower window is read again for the rows it
left out (its rows replaced, none doubled).

A line longer than --max-line-bytes (default 8M) is rejected with its
length, keeping its first 64 KiB, and read to its end without being held
in memory; the load goes on. A last line without its line end in a file
whose read failed (a truncated gzip, a cut S3 body) is rejected as cut.

A file none of whose lines is an S3 server access log line (another log
format, a README) is not loaded at all, not even as rejects: it is an error
naming the file and how many of its lines were rejected. Such a file, and a
truncated or corrupt gzip, is remembered: while it is unchanged, later loads
skip it with one line, and do not fail for it. --exclude GLOB (repeatable)
leaves out files whose name or its last parts match, such as '*.md'. A copy
of a file already loaded (same size and bytes, another name) is skipped with
one line; --allow-duplicates loads it anyway.

Exit status: 0 when everything loaded; 3 when it loaded but some lines were
rejected (see aws_s3serveraccess_rejects); 1 when a source could not be read
or is not an S3 server access log (the others are still loaded).`,
		Examples: []string{
			"s3logs load ./logs/",
			"s3logs load --db cases/incident-42.duckdb 'archive/2024-06-*.gz'",
			"zcat access.log.gz | s3logs load -",
			"s3logs load --label prod --since 2024-06-01 --until 2024-06-08 logs/",
		},
		Run: runLoad,
	})
}

// loadFlags are the flags of load that are not --db.
type loadFlags struct {
	label   *string
	workers *int
	window  *window
	maxLine *byteSize
	exclude *globList
	dupes   *bool
	s3      *s3Flags
}

// defineLoadFlags defines load's flags on fs; relative --since and
// --until count back from now.
func defineLoadFlags(fs *flag.FlagSet, now time.Time) *loadFlags {
	lf := &loadFlags{}
	lf.label = fs.String("label", "", "`LABEL` of the loaded rows, their p_source_label (default: each SOURCE as given)")
	lf.workers = fs.Int("workers", 0, "`N` objects parsed at once (default: the number of CPUs; 32 for s3:// sources)")
	lf.window = windowFlags(fs, now)
	lf.maxLine = maxLineFlag(fs)
	lf.exclude = excludeFlag(fs)
	lf.dupes = fs.Bool("allow-duplicates", false, "load a file even when it holds the same bytes as one already loaded under another name (a copy is skipped by default)")
	lf.s3 = defineS3Flags(fs, lf.workers)
	return lf
}

func runLoad(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("load")
	dbPath := dbFlag(fs)
	lf := defineLoadFlags(fs, time.Now())
	if err := env.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("no SOURCE given: name log files, folders, glob patterns, - for standard input, or s3://bucket/prefix/")
	}
	opts, err := lf.options()
	if err != nil {
		return err
	}
	d, err := env.OpenDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	sum, err := loadSources(ctx, env, d, fs.Args(), opts, lf.s3)
	if err != nil {
		return err
	}
	return loadResult(sum, rejectsHint(*dbPath))
}

// options turns the parsed flags into ingest options.
func (lf *loadFlags) options() (ingest.Options, error) {
	opts := ingest.Options{Label: *lf.label, Workers: *lf.workers, MaxLineBytes: int(*lf.maxLine), Exclude: *lf.exclude, AllowDuplicates: *lf.dupes}
	if *lf.workers < 0 {
		return opts, usagef("--workers must be at least 1")
	}
	var err error
	opts.Since, opts.Until, err = lf.window.bounds()
	return opts, err
}

// loadSources loads args (paths, folders, globs, -, s3:// URLs) into d,
// reporting each problem on env.Stderr as it happens, a progress line while
// it runs when stderr is a terminal, and the summary line at the end. The
// s3:// sources are read as s3f says (nil: AWS's defaults, no --watch),
// and within opts.Since and opts.Until. The shell's .load uses it too.
func loadSources(ctx context.Context, env *Env, d *db.DB, args []string, opts ingest.Options, s3f *s3Flags) (ingest.Summary, error) {
	var listers []source.Lister
	var early []error
	hasS3 := false
	s3src := newS3Sources(s3f, args, opts, env.Stderr)
	for _, arg := range args {
		if strings.HasPrefix(arg, "s3://") {
			hasS3 = true
			l, err := s3src.lister(ctx, arg)
			if err != nil {
				early = append(early, err)
				continue
			}
			listers = append(listers, ingest.Source{Lister: l, Label: arg})
			continue
		}
		if arg == "-" && env.IsTerminal(env.Stdin) {
			fmt.Fprintln(env.Stderr, "s3logs: reading log lines from standard input; end with Ctrl-D")
		}
		listers = append(listers, ingest.Source{Lister: source.LocalLister(arg, env.Stdin), Label: arg})
	}
	if hasS3 && opts.Workers == 0 {
		opts.Workers = s3.DefaultConcurrency
	}
	pl := newProgressLine(env)
	opts.OnError = func(err error) { pl.printf("s3logs: %v\n", err) }
	opts.OnNote = func(note string) { pl.printf("s3logs: %s\n", note) }
	for _, err := range early {
		opts.OnError(err)
	}
	ld := ingest.New(d, opts)
	stop := pl.start(ld)
	sum, err := ld.Load(ctx, listers)
	stop()
	sum.Failed += len(early)
	sum.Errors = append(early, sum.Errors...)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return sum, fmt.Errorf("load interrupted; what was committed is consistent, run the same load again to complete it: %w", err)
		}
		return sum, err
	}
	fmt.Fprintln(env.Stderr, sum.String())
	return sum, nil
}

// loadResult is the error (and so the exit code) of a finished load; hint
// says how to see the rejected lines.
func loadResult(sum ingest.Summary, hint string) error {
	switch {
	case sum.Failed > 0:
		return fmt.Errorf("%d of the sources could not be loaded in full (see the messages above)", sum.Failed)
	case sum.Rejected > 0:
		return &rejectedError{fmt.Sprintf("%s could not be parsed; see them with: %s", pluralLines(sum.Rejected), hint)}
	}
	return nil
}

// rejectsHint is the command that shows the rejected lines of the database
// at dbPath, naming it when it is not the one query would open by default.
func rejectsHint(dbPath string) string {
	dbArg := ""
	if def := os.Getenv("S3LOGS_DB"); dbPath != defaultDB && (def == "" || dbPath != def) {
		dbArg = " --db " + shellQuote(dbPath)
	}
	return "s3logs query" + dbArg + " 'SELECT * FROM aws_s3serveraccess_rejects'"
}

// progressLine draws a live progress line on a terminal stderr, and prints
// messages above it.
type progressLine struct {
	mu     sync.Mutex
	w      io.Writer
	active bool // a progress line is on screen
	tty    bool
}

func newProgressLine(env *Env) *progressLine {
	return &progressLine{w: env.Stderr, tty: env.IsTerminal(env.Stderr)}
}

// printf prints a message, clearing the progress line first.
func (p *progressLine) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fmt.Fprintf(p.w, format, args...)
}

func (p *progressLine) clear() {
	if p.active {
		fmt.Fprint(p.w, "\r\033[K")
		p.active = false
	}
}

// start redraws the line five times a second until stop is called (only on
// a terminal).
func (p *progressLine) start(ld *ingest.Loader) (stop func()) {
	if !p.tty {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				pr := ld.Progress()
				p.mu.Lock()
				fmt.Fprintf(p.w, "\r\033[K%s", progressText(pr))
				p.active = true
				p.mu.Unlock()
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		p.mu.Lock()
		p.clear()
		p.mu.Unlock()
	}
}

// progressText is the content of the progress line.
func progressText(pr ingest.Progress) string {
	mbs := 0.0
	if s := pr.Elapsed.Seconds(); s > 0 {
		mbs = float64(pr.Bytes) / 1e6 / s
	}
	files := ingest.Group(pr.Objects) + " files"
	if pr.Objects == 1 {
		files = "1 file"
	}
	s := fmt.Sprintf("loading: %s, %s lines, %s rejected, %.1f MB/s", files, ingest.Group(pr.Lines), ingest.Group(pr.Rejected), mbs)
	if pr.Skipped > 0 {
		s += fmt.Sprintf(", %d unchanged", pr.Skipped)
	}
	if pr.Failed > 0 {
		s += fmt.Sprintf(", %d failed", pr.Failed)
	}
	return s
}

func pluralLines(n int64) string {
	if n == 1 {
		return "1 line"
	}
	return ingest.Group(n) + " lines"
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

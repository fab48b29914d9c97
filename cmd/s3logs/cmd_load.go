package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/memtune"
	"github.com/s3logs/s3logs/internal/render"
	"github.com/s3logs/s3logs/loader/ingest"
	"github.com/s3logs/s3logs/loader/s3"
	"github.com/s3logs/s3logs/loader/source"
	"github.com/s3logs/s3logs/queries"
	"github.com/s3logs/s3logs/schema"
)

func init() {
	register(&command{
		Name:    "load",
		Usage:   "load [--db PATH] [--label L] [--workers N] [--since T] [--until T] [--format F] SOURCE...",
		Summary: "Load S3 server access logs into the database",
		Help: `Each SOURCE is a log file, a folder (read recursively, hidden files skipped),
a glob pattern such as 'logs/2024-*', - for standard input, or an s3://bucket/prefix/.
Gzipped files are recognised by their content and read transparently, and so
is each file's format: S3's text lines, AWS's JSON records (one per line, as
CloudWatch Logs delivers them; CloudWatch export timestamps and {"message":
...} wrappers are undone) or a Parquet file of them. All go to the same table
with the same columns; --format text|json|parquet forces one format.

Rows go to the table aws_s3serveraccess, lines that cannot be parsed to
aws_s3serveraccess_rejects (with the reason), and every object read to
s3logs_manifest. Bytes that are not valid UTF-8 (in a user agent or a key)
are written as U+FFFD; the rows changed are counted, and s3logs_replaced
lists them (p_row_id, field). Loading the same files again adds nothing; a file that grew
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
or is not an S3 server access log (the others are still loaded); 130 when
interrupted (Ctrl-C), after saying how much was committed.`,
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
	format  *source.Format
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
	lf.format = inputFormatFlag(fs)
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
	if err := makeDBDir(*dbPath); err != nil {
		return err
	}
	d, err := env.OpenDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	sum, err := loadSources(ctx, env, d, fs.Args(), opts, lf.s3, "s3logs overview"+dbArg(*dbPath))
	if err != nil {
		return err
	}
	return loadResult(sum, rejectsHint(*dbPath))
}

// options turns the parsed flags into ingest options.
func (lf *loadFlags) options() (ingest.Options, error) {
	opts := ingest.Options{Label: *lf.label, Workers: *lf.workers, Format: *lf.format, MaxLineBytes: int(*lf.maxLine), Exclude: *lf.exclude, AllowDuplicates: *lf.dupes}
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
// and within opts.Since and opts.Until. The closing line names the
// database, what it holds and next, the command that shows its overview.
// The shell's .load uses it too.
func loadSources(ctx context.Context, env *Env, d *db.DB, args []string, opts ingest.Options, s3f *s3Flags, next string) (ingest.Summary, error) {
	if err := env.warnDemo(ctx, d); err != nil {
		return ingest.Summary{}, err
	}
	var listers []source.Lister
	var early []error
	hasS3 := false
	s3src := newS3Sources(d, s3f, args, opts, env.Stderr)
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
	opts.OnError = func(err error) { pl.printf("s3logs: %s\n", pl.text(err.Error())) }
	opts.OnNote = func(note string) { pl.printf("s3logs: %s\n", pl.text(note)) }
	for _, err := range early {
		opts.OnError(err)
	}
	ld := ingest.New(d, opts)
	stop := pl.start(ld)
	restore := memtune.ForLoad()
	sum, err := ld.Load(ctx, listers)
	restore()
	stop()
	sum.Failed += len(early)
	sum.Skipped += s3src.resumedObjects()
	sum.Errors = append(early, sum.Errors...)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return sum, fmt.Errorf("%s: %w", interruptedNote(d, sum), err)
		}
		return sum, err
	}
	fmt.Fprintln(env.Stderr, sum.String())
	s3src.printResumed(env.Stderr)
	return sum, env.printHolds(ctx, d, next)
}

// interruptedNote says what an interrupted load committed: the files and
// rows of this run whose commit finished, and what the database holds now
// (read after the interruption, so with a context of its own).
func interruptedNote(d *db.DB, sum ingest.Summary) string {
	files := "1 file"
	if sum.Objects != 1 {
		files = queries.GroupDigits(int64(sum.Objects)) + " files"
	}
	msg := fmt.Sprintf("load interrupted after committing %s (%s rows)", files, queries.GroupDigits(sum.Rows))
	if sum.Partial > 0 {
		part := "1 file"
		if sum.Partial != 1 {
			part = queries.GroupDigits(int64(sum.Partial)) + " files"
		}
		msg += fmt.Sprintf(" and %s rows of %s it was reading", queries.GroupDigits(sum.PartialRows), part)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if span, err := queries.DataSpan(ctx, d); err == nil {
		msg += fmt.Sprintf("; %s holds %s", dbName(d.Path), span)
	}
	return msg + "; what was committed is consistent: run the same load again to complete it"
}

// printHolds prints on stderr what the database holds now, its rows and
// their time span (so that a window that misses them can be told at
// once), and next, the command that shows its overview.
func (env *Env) printHolds(ctx context.Context, d *db.DB, next string) error {
	span, err := queries.DataSpan(ctx, d)
	if err != nil {
		return err
	}
	if next == "" || d.Path == db.Memory {
		fmt.Fprintf(env.Stderr, "%s holds %s\n", dbName(d.Path), span)
		return nil
	}
	fmt.Fprintf(env.Stderr, "%s holds %s; overview: %s\n", dbName(d.Path), span, next)
	return nil
}

// makeDBDir creates the folder of the database file at path, as export
// creates the folders of its output, so that load --db cases/x.duckdb
// works on a fresh checkout.
func makeDBDir(path string) error {
	if path == db.Memory || path == "" {
		return nil
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("cannot create the folder of database %s: %w", path, err)
		}
	}
	return nil
}

// warnDemo warns on stderr when d holds the demo's sample rows (loaded by
// s3logs demo --db or .demo), which the logs about to be loaded would be
// mixed with.
func (env *Env) warnDemo(ctx context.Context, d *db.DB) error {
	var n int64
	err := d.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = ?`, schema.ManifestTableName).Scan(&n)
	if err == nil && n > 0 { // the manifest is made by the first load
		err = d.QueryRowContext(ctx, `SELECT coalesce(sum("rows"), 0) FROM `+schema.ManifestTableName+` WHERE id LIKE 'demo:%'`).Scan(&n)
	}
	if err != nil {
		return fmt.Errorf("database %s: %w", d.Path, err)
	}
	if n > 0 {
		fmt.Fprintf(env.Stderr, "s3logs: warning: %s holds the demo's %s sample rows; what you load now is mixed with them (load into another database with --db)\n",
			dbName(d.Path), queries.GroupDigits(n))
	}
	return nil
}

// dbName names the database at path in a message.
func dbName(path string) string {
	if path == db.Memory || path == "" {
		return "the in-memory database"
	}
	return "database " + path
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
	return "s3logs query" + dbArg(dbPath) + " 'SELECT * FROM aws_s3serveraccess_rejects'"
}

// dbArg is " --db PATH" for a command line about the database at dbPath,
// or "" when it is the one commands open by default.
func dbArg(dbPath string) string {
	if def := os.Getenv("S3LOGS_DB"); dbPath != defaultDB && (def == "" || dbPath != def) {
		return " --db " + shellQuote(dbPath)
	}
	return ""
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

// text is a message for the terminal: it names files and objects, whose
// names are whoever wrote them's text, so on a terminal their control
// characters are shown escaped (render.Visible), line by line.
func (p *progressLine) text(s string) string {
	if !p.tty {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = render.Visible(l)
	}
	return strings.Join(lines, "\n")
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

// progressText is the content of the progress line: the objects in each
// phase (listed, fetched, parsed, stored), the rates, and the time left
// once the listing is done.
func progressText(pr ingest.Progress) string {
	secs := pr.Elapsed.Seconds()
	var b strings.Builder
	files := ingest.Group(pr.Listed) + " files"
	if pr.Listed == 1 {
		files = "1 file"
	}
	fmt.Fprintf(&b, "listed %s", files)
	if pr.ListedBytes > 0 {
		fmt.Fprintf(&b, " (%s)", sizeText(pr.ListedBytes))
	}
	if pr.Listing {
		b.WriteString(" so far")
	}
	fmt.Fprintf(&b, ", fetched %s, parsed %s (%s lines, %s rejected), stored %s",
		ingest.Group(pr.Fetched), ingest.Group(pr.Objects), ingest.Group(pr.Lines), ingest.Group(pr.Rejected), ingest.Group(pr.Stored))
	if pr.Skipped > 0 {
		fmt.Fprintf(&b, ", %s already loaded", ingest.Group(pr.Skipped))
	}
	if pr.Failed > 0 {
		fmt.Fprintf(&b, ", %d failed", pr.Failed)
	}
	if secs <= 0 {
		return b.String()
	}
	// With every size known, the total is in bytes: one large file moves
	// the line as much as many small ones.
	total := !pr.Listing && pr.Unsized == 0 && pr.ToRead > 0
	if total {
		read := min(pr.Read, pr.ToRead)
		fmt.Fprintf(&b, "; read %s of %s (%d%%)", sizeText(read), sizeText(pr.ToRead), read*100/pr.ToRead)
	}
	rate := float64(pr.Objects) / secs
	fmt.Fprintf(&b, "; %.0f files/s, %.1f MB/s", rate, float64(pr.Bytes)/1e6/secs)
	var left time.Duration
	if total && pr.Read > 0 && pr.Read < pr.ToRead { // all read but not all stored: left by objects
		left = time.Duration(float64(pr.ToRead-min(pr.Read, pr.ToRead)) / (float64(pr.Read) / secs) * float64(time.Second))
	} else if n := pr.Listed - pr.Skipped - pr.Objects; !pr.Listing && rate > 0 && n > 0 {
		left = time.Duration(float64(n)/rate) * time.Second
	}
	if left >= time.Second/2 {
		fmt.Fprintf(&b, ", about %s left", left.Round(time.Second))
	}
	return b.String()
}

// sizeText is n bytes in KB, MB or GB.
func sizeText(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.0f KB", float64(n)/1e3)
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

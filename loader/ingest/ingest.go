// Package ingest loads S3 server access logs into DuckDB: it lists the
// objects of each source, parses them in parallel with loader.Reader, and
// inserts the Arrow record batches into aws_s3serveraccess (and rejected
// lines into aws_s3serveraccess_rejects) through one dedicated connection,
// on which DuckDB converts and compresses them on all its threads.
//
// The pipeline:
//
//	listers ──objects──▶ N workers (open, source.Decode, loader.Reader)
//	                         │ batches + rejects (bounded channel)
//	                         ▼
//	                 one inserter goroutine, one connection, per transaction:
//	                 the channel as an Arrow stream view (in-memory catalog),
//	                 INSERT INTO aws_s3serveraccess SELECT * FROM view
//	                   (DuckDB scans the stream on one thread per CPU),
//	                 the rejects, the manifest rows, COMMIT every 983,040 rows
//
// The manifest table s3logs_manifest records every object loaded (its id,
// size, modification time or etag, bytes consumed and line counts). An
// object's rows, rejects and manifest row are committed in the same
// transaction, and a transaction that ends while an object is still being
// read records it as "partial"; so after Ctrl-C or kill -9 the database
// says exactly what it holds, and the next load deletes the rows of partial
// objects and reads them again. Unchanged objects are skipped; a local file
// that only grew is read from where the last load stopped.
package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/loader/source"
	"github.com/s3logs/s3logs/schema"
)

// Options configures a Loader. The zero value is ready to use. Workers
// objects are read at once, and at most Workers chunks (of one object or
// several) are parsed at once.
type Options struct {
	// Workers is how many objects are parsed at once; 0 means runtime.NumCPU().
	// S3 loads use more, as most of their time is spent waiting on the network.
	Workers int
	// Label is p_source_label of every row; empty means the source argument
	// (see Source) or else the object's name.
	Label string
	// Since and Until, when non-zero, keep only rows with event time in
	// [Since, Until); the others are counted as filtered.
	Since, Until time.Time
	// BatchRows is the number of rows per Arrow record batch; 0 means
	// loader.DefaultBatchRows.
	BatchRows int
	// ChunkBytes is how much of an object one goroutine parses at a time;
	// 0 means DefaultChunkBytes.
	ChunkBytes int
	// MaxLineBytes is the longest line read, not counting its line end; a longer
	// one is rejected (schema.RejectTooLong) and read to its end without
	// being buffered. 0 means loader.MaxLineBytes.
	MaxLineBytes int
	// CommitRows is how many rows a transaction holds before it commits; 0
	// means DefaultCommitRows. Commits also happen every CommitEvery.
	CommitRows int
	// CommitEvery bounds the time between commits; 0 means DefaultCommitEvery.
	CommitEvery time.Duration
	// Allocator allocates the record batches; nil means memory.DefaultAllocator.
	Allocator memory.Allocator
	// Format, when not source.FormatAuto, is the format of every object
	// (--format); otherwise each object's is detected from its content
	// (source.Decode).
	Format source.Format
	// AllowDuplicates loads an object even when it holds the same bytes as
	// one loaded under another name (a copied file); by default such a
	// copy is skipped with a note (see dupes.go).
	AllowDuplicates bool
	// Exclude are filepath.Match patterns of objects not to load: one
	// matches an object when it matches its name, or the last parts of it
	// (so "*.md" and "docs/*" match "logs/docs/README.md").
	Exclude []string
	// OnNote, when set, is called (from one goroutine) with a line about an
	// object skipped for a reason the user may not expect (refused by an
	// earlier load and unchanged).
	OnNote func(note string)
	// OnError, when set, is called (from any goroutine, one call at a time)
	// with each problem of one source or object as it happens; the load goes
	// on with the others. Every such error is also in Summary.Errors.
	OnError func(err error)
}

// RowGroupRows is the number of rows in one of DuckDB's row groups, the
// unit it compresses and writes to the database file (DuckDB's default,
// which internal/db keeps).
const RowGroupRows = 122880

// Defaults of Options.
const (
	// DefaultCommitRows is eight of DuckDB's row groups: DuckDB compresses
	// a transaction's row groups into the database file as they fill and
	// holds little else, so memory does not grow with it (measured: the
	// same peak as with two). Each commit writes the last row groups and
	// the metadata (measured with one DuckDB thread: half a second); fewer
	// commits did not measurably shorten a 1,000,000-line load, but
	// CommitEvery, not this, is what keeps commits frequent.
	DefaultCommitRows = 8 * RowGroupRows
	// DefaultCommitEvery bounds the time between commits (at a row group
	// boundary when rows keep coming), so an interrupted load keeps most
	// of its work.
	DefaultCommitEvery = 5 * time.Second
)

// Source pairs a Lister with the label of its rows (p_source_label),
// normally the argument as the user typed it. Load accepts a Source
// anywhere it accepts a Lister.
type Source struct {
	source.Lister
	Label string
}

// Summary is what a load did. Every line read is accounted for:
// Lines = Rows + Rejected + Blank + Filtered.
type Summary struct {
	Objects  int // objects read (in whole or, for a grown file, the new part)
	Resumed  int // of Objects, grown files read from where the last load stopped
	Reloaded int // of Objects, changed or interrupted objects whose old rows were replaced
	Widened  int // of Objects, unchanged ones read again for rows an earlier --since/--until left out
	Skipped  int // objects already loaded and unchanged, or refused before and unchanged
	Refused  int // of Skipped, objects an earlier load refused (not a log, damaged), unchanged
	Copies   int // objects skipped as copies of loaded ones (same size and bytes, another name)
	Failed   int // objects or sources that could not be read, in whole or in part
	Partial  int // objects an interruption cut while they were read, part of them committed (not in Objects; the next load reads them again)

	PartialRows int64 // rows of the Partial objects committed by this load

	Lines, Rows, Rejected, Blank, Filtered int64
	Replaced                               int64 // of Rows, rows with bytes that are not valid UTF-8, written as U+FFFD (marked in s3logs_replaced)
	Bytes                                  int64 // bytes parsed (after decompression)

	Elapsed time.Duration
	Errors  []error // one per failed source or object, naming it
}

// String is the one-line summary printed at the end of a load, for example
// "loaded 12 files: 1,000,000 lines, 999,990 rows, 10 rejected, 0 blank in
// 3.2s (150.0 MB/s)".
func (s Summary) String() string {
	var b strings.Builder
	if s.Objects == 0 && s.Failed == 0 {
		fmt.Fprintf(&b, "nothing new to load")
		if n := s.Skipped - s.Refused; n > 0 {
			fmt.Fprintf(&b, ": %s already loaded and unchanged", plural(n, "file"))
		}
		if s.Refused > 0 {
			fmt.Fprintf(&b, "; %s refused before and unchanged", plural(s.Refused, "file"))
		}
		if s.Copies > 0 {
			fmt.Fprintf(&b, "; %s of loaded files skipped", copies(s.Copies))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "loaded %s: %s lines, %s rows, %s rejected, %s blank",
		plural(s.Objects, "file"), Group(s.Lines), Group(s.Rows), Group(s.Rejected), Group(s.Blank))
	if s.Filtered > 0 {
		fmt.Fprintf(&b, ", %s outside the time window", Group(s.Filtered))
	}

	secs := s.Elapsed.Seconds()
	fmt.Fprintf(&b, " in %.1fs", secs)
	if secs > 0 && s.Bytes > 0 {
		fmt.Fprintf(&b, " (%.1f MB/s)", float64(s.Bytes)/1e6/secs)
	}
	var extra []string
	if s.Replaced > 0 {
		extra = append(extra, fmt.Sprintf("%s with bytes that are not UTF-8 written as U+FFFD (listed in %s)", plural(int(s.Replaced), "row"), schema.ReplacedTableName))
	}
	if n := s.Skipped - s.Refused; n > 0 {
		extra = append(extra, plural(n, "unchanged file")+" skipped")
	}
	if s.Copies > 0 {
		extra = append(extra, copies(s.Copies)+" of loaded files skipped")
	}
	if s.Refused > 0 {
		extra = append(extra, plural(s.Refused, "file")+" refused before and unchanged skipped")
	}
	if s.Resumed > 0 {
		extra = append(extra, plural(s.Resumed, "grown file")+" read from where it stopped")
	}
	if s.Reloaded > 0 {
		extra = append(extra, plural(s.Reloaded, "changed or interrupted file")+" reloaded")
	}
	if s.Widened > 0 {
		extra = append(extra, plural(s.Widened, "file")+" read again for rows outside an earlier time window")
	}
	if s.Failed > 0 {
		extra = append(extra, fmt.Sprintf("%d failed", s.Failed))
	}
	if len(extra) > 0 {
		b.WriteString("; " + strings.Join(extra, ", "))
	}
	return b.String()
}

// copies is "1 copy" or "N copies".
func copies(n int) string {
	if n == 1 {
		return "1 copy"
	}
	return Group(int64(n)) + " copies"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return Group(int64(n)) + " " + what + "s"
}

// Group formats n with thousands separators, 1,234,567, as the load
// summary and progress line print counts.
func Group(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Progress is a snapshot of a running load, for a progress line. An
// object goes through the phases listed, fetched (opened: the GET answered
// for S3), parsed (read to its end: Objects) and stored (committed), or is
// skipped as already loaded, or fails.
type Progress struct {
	Listed, ListedBytes      int64 // objects the listers handed over, and their size as stored (where known)
	Listing                  bool  // the listers are still running: Listed will grow
	Fetched                  int64
	Objects, Skipped, Failed int64
	Stored                   int64
	Lines, Rows, Rejected    int64
	Bytes                    int64 // parsed so far (after decompression)
	// ToRead is the stored size of the objects to read (not skipped) whose
	// size is known, Read how much of it is read (a finished object counts
	// whole, however it ended), and Unsized the objects to read whose size
	// is not known (stdin, a pipe): while there are any, or the listing
	// runs, there is no total.
	ToRead, Read int64
	Unsized      int64
	Elapsed      time.Duration
}

// Loader loads sources into one database. Make it with New; one Load at a
// time.
type Loader struct {
	d     *db.DB
	opts  Options
	slots chan struct{} // one per chunk being parsed: at most Workers at once

	startNano                  atomic.Int64 // when Load started; read by Progress from other goroutines
	listed, listedBytes        atomic.Int64
	listing                    atomic.Bool
	fetched, stored            atomic.Int64
	objects, skipped, failed   atomic.Int64
	refused                    atomic.Int64 // of skipped, refused before
	copies                     atomic.Int64
	dups                       *dupIndex // the loaded objects' sizes and checksums
	lines, rows, rejected      atomic.Int64
	bytes                      atomic.Int64
	toRead, readBytes, unsized atomic.Int64 // see Progress

	errMu       sync.Mutex
	errs        []error
	unreachable []*UnreachableError // sources gone away, reported once at the end
}

// New returns a Loader that writes into d, which must stay open while the
// Loader is used.
func New(d *db.DB, opts Options) *Loader {
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.BatchRows <= 0 {
		opts.BatchRows = loader.DefaultBatchRows
	}
	if opts.ChunkBytes <= 0 {
		opts.ChunkBytes = DefaultChunkBytes
	}
	if opts.CommitRows <= 0 {
		opts.CommitRows = DefaultCommitRows
	}
	if opts.CommitEvery <= 0 {
		opts.CommitEvery = DefaultCommitEvery
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	return &Loader{d: d, opts: opts, slots: make(chan struct{}, opts.Workers)}
}

// Progress returns a snapshot of the running load; it is safe to call from
// any goroutine.
func (l *Loader) Progress() Progress {
	return Progress{
		Listed: l.listed.Load(), ListedBytes: l.listedBytes.Load(), Listing: l.listing.Load(),
		Fetched: l.fetched.Load(), Stored: l.stored.Load(),
		Objects: l.objects.Load(), Skipped: l.skipped.Load(), Failed: l.failed.Load(),
		Lines: l.lines.Load(), Rows: l.rows.Load(), Rejected: l.rejected.Load(),
		Bytes: l.bytes.Load(), ToRead: l.toRead.Load(), Read: l.readBytes.Load(), Unsized: l.unsized.Load(),
		Elapsed: time.Since(time.Unix(0, l.startNano.Load())),
	}
}

// fail records a problem with one source or object and reports it; the
// objects of a source that could not be reached are reported together at
// the end (see UnreachableError).
func (l *Loader) fail(err error) {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	if l.holdUnreachable(err) {
		return
	}
	l.failed.Add(1)
	l.errs = append(l.errs, err)
	if l.opts.OnError != nil {
		l.opts.OnError(err)
	}
}

// Load reads every object of every lister into the database. Problems
// with one source or object are in Summary.Errors (and reported through
// Options.OnError); the error returned is for what stops the whole load: the
// database failing, or ctx being cancelled. After an error, whatever was
// committed is consistent, and loading again completes the work.
func (l *Loader) Load(ctx context.Context, listers []source.Lister) (Summary, error) {
	l.startNano.Store(time.Now().UnixNano())
	ins, err := newInserter(ctx, l)
	if err != nil {
		return Summary{}, err
	}
	defer ins.close()

	l.dups = ins.manifest.dups
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan *job, l.opts.Workers)
	// Room for the batches parsed while the inserter commits.
	msgs := make(chan message, 8*l.opts.Workers)

	l.listing.Store(true)
	go func() {
		defer close(jobs)
		defer l.listing.Store(false)
		l.list(ctx, listers, ins.manifest, jobs)
	}()
	var wg sync.WaitGroup
	parseTime := time.Now().UTC()
	for range l.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				l.work(ctx, j, parseTime, msgs)
			}
		}()
	}
	go func() {
		wg.Wait()
		close(msgs)
	}()

	sum, err := ins.run(ctx, msgs)
	if err != nil {
		cancel(err)
		// Free the batches of workers still finishing; do not wait for
		// them, as one may be blocked reading a pipe or a terminal.
		go func() {
			for m := range msgs {
				m.release()
			}
		}()
	}
	if err == nil {
		err = context.Cause(ctx)
	}
	l.reportUnreachable()
	sum.Skipped = int(l.skipped.Load())
	sum.Refused = int(l.refused.Load())
	sum.Copies = int(l.copies.Load())
	sum.Failed = int(l.failed.Load())
	sum.Elapsed = time.Since(time.Unix(0, l.startNano.Load()))
	l.errMu.Lock()
	sum.Errors = append([]error(nil), l.errs...)
	l.errMu.Unlock()
	return sum, err
}

// list runs the listers one after the other and sends each object that
// needs loading to jobs. An object listed twice (a file named and also in a
// named folder) is read once; a lone lister lists each object once, so
// with one no ids are kept (a million of them would be held to the end).
func (l *Loader) list(ctx context.Context, listers []source.Lister, m *manifestIndex, jobs chan<- *job) {
	var seen map[string]bool
	if len(listers) > 1 {
		seen = map[string]bool{}
	}
	files := map[string]bool{} // source.Object.FileKey of the local files listed
	for _, ls := range listers {
		label := l.opts.Label
		inner := ls
		if src, ok := ls.(Source); ok {
			inner = src.Lister
			if label == "" {
				label = src.Label
			}
		}
		if s, ok := inner.(*source.StdinLister); ok && s.Judge == nil {
			s.Judge = l.judgeStdin // stop reading an input that is not a log
		}
		err := ls.List(ctx, func(o source.Object) error {
			if seen[o.ID] || o.FileKey != "" && files[o.FileKey] || l.isDatabase(o.ID) || l.excluded(o.Name) {
				return nil
			}
			if seen != nil {
				seen[o.ID] = true
			}
			if o.FileKey != "" {
				files[o.FileKey] = true // one file reached by two paths is read once
			}
			l.listed.Add(1)
			l.listedBytes.Add(max(o.Size, 0))
			if o.Unstable {
				id, err := m.streamID(ctx, o.ID)
				if err != nil {
					return err
				}
				o.ID = id
			}
			j, prev, err := m.plan(ctx, o)
			if err != nil {
				return err
			}
			if j = l.widen(o, prev, j); j == nil {
				l.skipped.Add(1)
				l.noteRefused(o, prev)
				return nil
			}
			if o.Size >= 0 {
				l.toRead.Add(o.Size)
			} else {
				l.unsized.Add(1)
			}
			j.label = label
			if j.label == "" {
				j.label = o.Name
			}
			select {
			case jobs <- j:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			l.fail(err)
		}
	}
}

// excluded reports whether Options.Exclude excludes the object named name:
// a pattern matches the name or its last parts.
func (l *Loader) excluded(name string) bool {
	if len(l.opts.Exclude) == 0 {
		return false
	}
	parts := strings.Split(filepath.ToSlash(name), "/")
	for i := range parts {
		tail := strings.Join(parts[i:], "/")
		for _, p := range l.opts.Exclude {
			if ok, _ := filepath.Match(filepath.ToSlash(p), tail); ok {
				return true
			}
		}
	}
	return false
}

// skipCopy counts j's object as a copy of the loaded object other, and
// says so in one line through Options.OnNote.
func (l *Loader) skipCopy(j *job, other string) {
	l.copies.Add(1)
	if l.opts.OnNote != nil {
		l.opts.OnNote(fmt.Sprintf("%s: skipped, the same bytes as %s, already loaded; --allow-duplicates loads it anyway", j.obj.Name, other))
	}
}

// noteRefused counts a skipped object an earlier load refused, and says so
// in one line through Options.OnNote.
func (l *Loader) noteRefused(o source.Object, prev *manifestRow) {
	if prev == nil || prev.Status != StatusRefused {
		return
	}
	l.refused.Add(1)
	if l.opts.OnNote != nil {
		l.opts.OnNote(fmt.Sprintf("%s: skipped, refused by an earlier load and unchanged since (%s); change it, or --exclude it", o.Name, strings.TrimPrefix(firstLine(prev.Error), o.Name+": ")))
	}
}

// firstLine is s up to its first newline.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// isDatabase reports whether id is the database file being loaded into,
// or its write-ahead log (as when loading "." with the database in it).
func (l *Loader) isDatabase(id string) bool {
	if l.d.Path == db.Memory || l.d.Path == "" {
		return false
	}
	p, err := filepath.Abs(l.d.Path)
	return err == nil && (id == p || id == p+".wal")
}

// ObjectError is a problem with one object; the load went on without it
// (or with the part of it read before the problem).
type ObjectError struct {
	Name string // the object's name as shown to the user
	Line int64  // the last line read before the problem, 0 if none
	Err  error
}

// Error says which object, after which line, and what went wrong.
func (e *ObjectError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: after line %d: %v", e.Name, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Name, e.Err)
}

// Unwrap returns the underlying error.
func (e *ObjectError) Unwrap() error { return e.Err }

package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/loader/source"
	"github.com/s3logs/s3logs/schema"
)

// message goes from a worker to the inserter. For each job a worker sends
// one start message, then batches, then one done message, in that order.
type message struct {
	j    *job
	kind messageKind
	// start
	deleteFirst bool // the object's earlier rows must go before its new ones
	offset      int64
	firstLine   int64
	// batch
	rec     arrow.RecordBatch // retained for the inserter, which releases it
	rejects []loader.Reject
	counts  loader.Stats // of the lines this batch accounts for (rows, rejects, and the blank and filtered lines among them)
	// replaced marks rec's values that held bytes that are not valid
	// UTF-8 (loader.Reader.Replaced, copied).
	replaced []loader.Replacement
	// done
	stats    loader.Stats // of this read (not counting a resumed prefix)
	err      error        // what stopped the read early, if anything
	loaded   bool         // false when nothing of the object was sent (not a log)
	checksum string
	copyOf   string // the id of a loaded object with the same bytes: nothing was read (see dupes.go)
}

type messageKind int

const (
	msgStart messageKind = iota
	msgBatch
	msgDone
)

// release frees what the message holds.
func (m message) release() {
	if m.rec != nil {
		m.rec.Release()
	}
}

// checkBytes is how much of the head and of the tail of a plain file the
// manifest checksum covers.
const checkBytes = 4096

// work reads one object and sends its messages.
func (l *Loader) work(ctx context.Context, j *job, parseTime time.Time, msgs chan<- message) {
	done := l.read(ctx, j, parseTime, msgs)
	if j.obj.Size > j.counted { // the object is done: count what was not read through countReader
		l.readBytes.Add(j.obj.Size - j.counted)
	}
	done.j, done.kind = j, msgDone
	if done.copyOf != "" {
		l.skipCopy(j, done.copyOf)
		return
	}
	if done.err != nil {
		line := done.firstLine + done.stats.Lines
		if errors.Is(done.err, source.ErrNotLog) {
			line = 0
		}
		done.err = &ObjectError{Name: j.obj.Name, Line: line, Err: done.err}
		if errors.Is(done.err, context.Canceled) && ctx.Err() != nil {
			return // the load is stopping; nothing more is committed
		}
	}
	l.objects.Add(1)
	select {
	case msgs <- done:
	case <-ctx.Done():
	}
}

// read opens, decodes (see source.Decode) and parses j's object, sending
// start and batch messages; it returns the done message (without kind and
// job set).
func (l *Loader) read(ctx context.Context, j *job, parseTime time.Time, msgs chan<- message) (done message) {
	rc, err := j.obj.Open(ctx)
	if err != nil {
		done.err = err
		return done
	}
	defer rc.Close()
	l.fetched.Add(1)
	if _, ok := rc.(io.ReaderAt); ok && j.prev == nil && !l.opts.AllowDuplicates && l.dups != nil {
		if done.copyOf = l.dups.claim(j.obj.ID, j.obj.Size, rc); done.copyOf != "" {
			return done
		}
	}
	start := message{j: j, kind: msgStart, deleteFirst: j.prev != nil}
	if j.resume {
		if off, ok := resumable(rc, j.prev); ok {
			start.deleteFirst, start.offset, start.firstLine = false, off, j.prev.Lines
			j.counted += off
			l.readBytes.Add(off)
		}
	}
	done.firstLine = start.firstLine
	in, err := source.Decode(&countReader{r: rc, l: l, j: j})
	if err != nil {
		done.err = err
		return done
	}
	defer in.Release() // every goroutine reading it is done when read returns
	if j.format, err = l.format(in); err != nil {
		done.err = err
		return done
	}
	if j.format == source.FormatParquet {
		return l.readParquet(ctx, j, rc, in, start, parseTime, msgs)
	}
	// The new part of a grown file is of a log already loaded: its bad
	// lines are rejects, whatever their number.
	if start.firstLine == 0 {
		if err := l.probe(in, j.obj.ID, j.format); err != nil {
			done.err = err
			return done
		}
	}
	if !send(ctx, msgs, start) {
		done.err = ctx.Err()
		return done
	}
	done.loaded, done.stats, done.err = l.parseChunks(ctx, j, in, start.firstLine, parseTime, msgs)
	if done.err == nil {
		done.err = shrunk(rc, j.obj.Size, done.firstLine+done.stats.Lines)
	}
	if done.err == nil && !in.Gzip {
		done.checksum = checksum(rc, start.offset+done.stats.Bytes)
	} else if done.err == nil && j.obj.Size > 0 {
		done.checksum = checksum(rc, j.obj.Size) // of the stored bytes: for the copy check only (bytes != size, so never resumed)
	}
	return done
}

// probeBytes is how much of an object probe parses to tell whether it is
// an S3 server access log at all: as much as its Input can Peek.
const probeBytes = source.MaxPeek

// probe parses the complete lines of the first probeBytes of a larger
// object on their own, and refuses the object when none of them is a row
// but some are rejected: a file of another format is then refused without
// being read whole. Smaller objects are judged by parse.
func (l *Loader) probe(in *source.Input, id string, format source.Format) error {
	head, _ := in.Peek(probeBytes)
	if len(head) < probeBytes {
		return nil
	}
	i := bytes.LastIndexByte(head, '\n')
	if i < 0 {
		// The first line is longer than the probe: it cannot be judged
		// from a cut-off part, so the parse decides, line by line; unless
		// it is lines ending in CR alone, which the parse would take for
		// one line, rejected as too long.
		if crOnly(head, format) {
			first := loader.Reject{Source: id, Line: 1, Kind: schema.RejectNotLog, Reason: "lines that end in a CR alone", Raw: bytes.Clone(head)} // head is in's buffer, reused once it is released
			return &NotLogError{Lines: 1, Rejected: 1, CROnly: true, First: first}
		}
		return nil
	}
	head = head[:i+1]
	rd := loader.NewReader(bytes.NewReader(head), id, loader.Options{BatchRows: 1, Allocator: l.opts.Allocator, Format: format})
	defer rd.Release()
	var rejects []loader.Reject
	for rd.Next() {
		if rd.Stats().Rows > 0 {
			return nil
		}
		rejects = append(rejects, rd.Rejects()...)
	}
	if len(rejects) == 0 {
		return nil
	}
	return notLog(rejects, rd.Stats(), false, format)
}

// judgeStdin tells from head, the first source.JudgeBytes of standard
// input, whether it is a log at all, as probe tells for a file: the
// StdinLister (which copies standard input to a temporary file to name it
// by its hash) stops reading an input judged not one, which may never end.
func (l *Loader) judgeStdin(head []byte) error {
	in, err := source.Decode(bytes.NewReader(head))
	if err != nil {
		return err
	}
	defer in.Release()
	format, err := l.format(in)
	if err != nil || format == source.FormatParquet {
		return err
	}
	return l.probe(in, "-", format)
}

// parse sends rd's batches. With hold (an object read from its start as
// one chunk), its rejects are held back while no line has been valid (a
// row, or one outside the time window): an object none of whose lines is
// valid is not an S3 server access log, and is refused as a whole
// (source.ErrNotLog, nothing of it stored) instead of filling the rejects table.
// Such a chunk is small: objects larger than probeBytes with no valid line
// are refused by probe before they are read. The new part of a grown file
// is never held: the file is a log, and its bad lines are rejects.
func (l *Loader) parse(ctx context.Context, j *job, rd batchReader, hold bool, msgs chan<- message) (loaded bool, err error) {
	var held []loader.Reject
	var prev, sent loader.Stats // the counts so far, and those of the batches sent
	for rd.Next() {
		if err := ctx.Err(); err != nil {
			return loaded, err
		}
		st := rd.Stats()
		l.lines.Add(st.Lines - prev.Lines)
		l.rows.Add(st.Rows - prev.Rows)
		l.rejected.Add(st.Rejected - prev.Rejected)
		l.bytes.Add(st.Bytes - prev.Bytes)
		prev = st
		m := message{j: j, kind: msgBatch}
		if rec := rd.RecordBatch(); rec != nil && rec.NumRows() > 0 {
			rec.Retain()
			m.rec = rec
			if rp, ok := rd.(interface{ Replaced() []loader.Replacement }); ok && len(rp.Replaced()) > 0 {
				m.replaced = slices.Clone(rp.Replaced())
			}
		}
		held = append(held, rd.Rejects()...)
		if hold && m.rec == nil && st.Rows+st.Filtered == 0 {
			continue
		}
		m.rejects, held = held, nil
		m.counts, sent = minus(st, sent), st
		if !send(ctx, msgs, m) {
			m.release()
			return loaded, ctx.Err()
		}
		loaded = true
	}
	if len(held) == 0 {
		return loaded, nil
	}
	if st := rd.Stats(); hold && st.Rows+st.Filtered == 0 && rd.Err() == nil {
		return false, notLog(held, st, true, j.format)
	}
	if !send(ctx, msgs, message{j: j, kind: msgBatch, rejects: held, counts: minus(rd.Stats(), sent)}) {
		return loaded, ctx.Err()
	}
	return true, nil
}

// minus returns a - b, field by field.
func minus(a, b loader.Stats) loader.Stats {
	return loader.Stats{Lines: a.Lines - b.Lines, Rows: a.Rows - b.Rows, Rejected: a.Rejected - b.Rejected,
		Blank: a.Blank - b.Blank, Filtered: a.Filtered - b.Filtered, Bytes: a.Bytes - b.Bytes, Replaced: a.Replaced - b.Replaced}
}

// plus returns a + b, field by field.
func plus(a, b loader.Stats) loader.Stats {
	return loader.Stats{Lines: a.Lines + b.Lines, Rows: a.Rows + b.Rows, Rejected: a.Rejected + b.Rejected,
		Blank: a.Blank + b.Blank, Filtered: a.Filtered + b.Filtered, Bytes: a.Bytes + b.Bytes, Replaced: a.Replaced + b.Replaced}
}

// batchReader is what parse reads: a loader.Reader (text and JSON lines)
// or a loader.ParquetReader.
type batchReader interface {
	Next() bool
	RecordBatch() arrow.RecordBatch
	Rejects() []loader.Reject
	Stats() loader.Stats
	Err() error
}

// notLog describes an object none of whose lines is valid: rejects are its
// rejected lines and st the counts of the lines read, all of the object
// (whole) or its first ones (the probe), in format. Nothing of it is
// stored.
func notLog(rejects []loader.Reject, st loader.Stats, whole bool, format source.Format) error {
	return &NotLogError{Lines: st.Lines, Rejected: st.Rejected, Blank: st.Blank, Whole: whole, First: rejects[0],
		CROnly: crOnly(rejects[0].Raw, format)}
}

// crOnly reports whether line, a rejected first line, is lines that end
// in a CR alone (classic Mac OS line endings), which the reader, splitting
// at LF, took for one: it holds a CR not followed by LF, and what comes
// before its first CR is a valid line. A CR inside a field of a real line
// does not pass: the part before it is not a line.
func crOnly(line []byte, format source.Format) bool {
	i := bytes.IndexByte(line, '\r')
	if i <= 0 || i+1 < len(line) && line[i+1] == '\n' || bytes.IndexByte(line, '\n') >= 0 {
		return false
	}
	rd := loader.NewReader(bytes.NewReader(line[:i+1]), "", loader.Options{BatchRows: 1, Format: format})
	defer rd.Release()
	for rd.Next() {
		if rd.Stats().Rows > 0 {
			return true
		}
	}
	return false
}

// NotLogError refuses an object none of whose lines (or of whose first
// 64 KB of lines, for a larger one) is a valid S3 server access log line.
// It wraps source.ErrNotLog and its first rejected line, so that
// errors.Is(err, schema.RejectNotLog) tells a file of another format from
// one whose lines are all, say, truncated.
type NotLogError struct {
	Lines, Rejected, Blank int64         // of the lines read
	Whole                  bool          // the whole object was read, not only its first lines
	First                  loader.Reject // the first rejected line
	// CROnly: its lines end in a CR alone, and the first of them is
	// valid; the reader, which splits lines at LF (and takes CRLF as one
	// line end), read them as one.
	CROnly bool
}

// Error says how many lines were read and why the first was rejected, or
// that its lines end in CR alone.
func (e *NotLogError) Error() string {
	if e.CROnly {
		return fmt.Sprintf("%v as read: its lines end in a CR alone (classic Mac OS line endings), and s3logs ends lines at LF or CRLF, "+
			"so it read them as one line, which is not one; none of it was loaded. Convert its line endings first: tr '\\r' '\\n' < IN > OUT",
			source.ErrNotLog)
	}
	what := fmt.Sprintf("none of its first %s is one", plural(int(e.Lines), "line"))
	if e.Whole {
		what = fmt.Sprintf("none of its %s is one", plural(int(e.Lines), "line"))
	}
	return fmt.Sprintf("%v: %s (%s rejected, %s blank), so none of it was loaded; line %d: %s",
		source.ErrNotLog, what, Group(e.Rejected), Group(e.Blank), e.First.Line, reason(e.First))
}

// Unwrap returns source.ErrNotLog and the first rejected line.
func (e *NotLogError) Unwrap() []error { return []error{source.ErrNotLog, &e.First} }

// reason is r's field and reason, without its position.
func reason(r loader.Reject) string {
	if r.Field != "" {
		return r.Field + ": " + r.Reason
	}
	return r.Reason
}

func send(ctx context.Context, msgs chan<- message, m message) bool {
	select {
	case msgs <- m:
		return true
	case <-ctx.Done():
		return false
	}
}

// resumable checks that the plain file behind rc still starts with what
// was loaded (same checksum, the last line complete) and seeks past it.
func resumable(rc io.ReadCloser, prev *manifestRow) (offset int64, ok bool) {
	ra, isRA := rc.(io.ReaderAt)
	sk, isSeeker := rc.(io.Seeker)
	if !isRA || !isSeeker || prev.Bytes <= 0 {
		return 0, false
	}
	last := make([]byte, 1)
	if _, err := ra.ReadAt(last, prev.Bytes-1); err != nil || last[0] != '\n' {
		return 0, false
	}
	if checksum(rc, prev.Bytes) != prev.Checksum {
		return 0, false
	}
	if _, err := sk.Seek(prev.Bytes, io.SeekStart); err != nil {
		return 0, false
	}
	return prev.Bytes, true
}

// checksum hashes the first and the last checkBytes of rc's first end
// bytes, or returns "" when rc cannot be read at an offset.
func checksum(rc io.Reader, end int64) string {
	ra, ok := rc.(io.ReaderAt)
	if !ok {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d:", end)
	for _, off := range []int64{0, max(0, end-checkBytes)} {
		buf := make([]byte, min(checkBytes, end))
		if _, err := ra.ReadAt(buf, off); err != nil && err != io.EOF {
			return ""
		}
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// countReader counts the stored bytes read of j's object, for Progress.
// It is read by j's worker only.
type countReader struct {
	r io.Reader
	l *Loader
	j *job
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.j.counted += int64(n)
	c.l.readBytes.Add(int64(n))
	return n, err
}

// shrunk returns a *ShrunkError when the file behind rc (one that can say
// its size now, as a local file) is smaller than size, its size when it
// was listed: it was truncated or rewritten while it was read, so the
// lines read may not be what it holds. lines is how many were read.
func shrunk(rc io.Reader, size, lines int64) error {
	f, ok := rc.(interface{ Stat() (fs.FileInfo, error) })
	if !ok || size < 0 {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() >= size {
		return nil
	}
	return &ShrunkError{Was: size, Now: fi.Size(), Lines: lines}
}

// ShrunkError reports a file that became smaller while it was read
// (truncated, as by logrotate's copytruncate, or rewritten). What was read
// is kept, but its manifest row is not "loaded": the next load reads the
// file again and replaces those rows.
type ShrunkError struct {
	Was, Now int64 // its size when listed, and after the read
	Lines    int64 // the lines read
}

// Error says what happened and what the next load does about it.
func (e *ShrunkError) Error() string {
	return fmt.Sprintf("it shrank from %s to %s bytes while it was read (truncated or rewritten), so the %s loaded may hold lines it no longer has; the next load reads it again",
		Group(e.Was), Group(e.Now), plural(int(e.Lines), "line"))
}

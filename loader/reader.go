// Package loader turns the bytes of AWS S3 server access logs into rows of
// the AWS.S3ServerAccess table (schema.S3ServerAccess) as Arrow record
// batches, and keeps every line it cannot parse as a Reject.
//
// One line of a log, as S3 writes it:
//
//	79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be DOC-EXAMPLE-BUCKET1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /DOC-EXAMPLE-BUCKET1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader DOC-EXAMPLE-BUCKET1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1
//
// becomes the row
//
//	bucketowner        79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be
//	bucket             DOC-EXAMPLE-BUCKET1
//	time               2019-02-06 00:00:38 UTC   (the bracketed time is one field; offsets are converted to UTC)
//	remoteip           192.0.2.3
//	requester          79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be
//	requestid          3E57427F3EXAMPLE
//	operation          REST.GET.VERSIONING
//	key                NULL                      (a bare - or a quoted "-" is NULL)
//	requesturi         GET /DOC-EXAMPLE-BUCKET1?versioning HTTP/1.1   (quotes removed)
//	httpstatus         200
//	errorcode          NULL
//	bytessent          113
//	objectsize         NULL
//	totaltime          7
//	turnaroundtime     NULL
//	referrer           NULL
//	useragent          S3Console/0.4
//	versionid          NULL
//	hostid             s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=
//	signatureversion   SigV4
//	ciphersuite        ECDHE-RSA-AES128-GCM-SHA256
//	authenticationtype AuthHeader
//	hostheader         DOC-EXAMPLE-BUCKET1.s3.us-west-1.amazonaws.com
//	tlsVersion         TLSV1.2
//	accesspointarn     arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP
//	aclrequired        Yes
//	additionalFields   [us-east-1]               (every field after the 26th, raw)
//	p_log_type         AWS.S3ServerAccess
//	p_any_ip_addresses [192.0.2.3]
//
// plus p_row_id, p_event_time, p_parse_time, p_source_id and p_source_label.
//
// What a line may be, and what the loader decides where AWS does not say:
//   - Fields are counted as AWS counts them, the bracketed time being one.
//     A line has 17 fields (through useragent: pre-2013 logs; Panther's
//     docs count these as 18 columns) to 26 (through aclRequired); the
//     missing trailing fields are NULL. Fields after the 26th (the 2026
//     Source Region first) go, raw, to additionalFields. Fewer than 17
//     fields: the line is rejected as truncated. Fields are positional, so
//     the made-up "test1 test2" after tlsVersion in Panther's tests are
//     accesspointarn and aclrequired.
//   - Quotes inside the request URI, referrer and user agent are not
//     escaped by S3; where a quoted field ends is decided by the grammar of
//     what follows it, and a line that reads more than one way is rejected
//     as "ambiguous quoting" rather than guessed (see quoted.go).
//   - The requester may contain spaces (CloudFront origin access
//     identities): it is everything between the remote IP and the request
//     id, which is the token before the first operation-shaped token.
//   - Outside quotes, a run of spaces separates like one space: the two
//     spaces after the remote IP in some real lines are not an empty field.
//   - Numbers that are not numbers, impossible dates (31/Feb, hour 25), a
//     NULL bucketowner (required by Panther), NUL bytes and lines of other
//     formats reject the line, with the 1-based byte column and the field.
//     Nothing is silently NULLed or half loaded.
//   - Bytes that are not valid UTF-8 become U+FFFD in the row's strings;
//     the row is kept and the Reject (if any) keeps the raw bytes.
//
// The same requests in AWS's structured formats of 2026 (schema.AWSFields)
// become the same rows: one JSON record per line with Options.Format =
// FormatJSON (json.go: {"bucket_name":"DOC-EXAMPLE-BUCKET1",
// "request_time":"2019-02-06T00:00:38.000Z","http_status":200,...}), and
// Parquet files through ParquetReader; both fill the text path's row
// through a recBuilder (structured.go), so p_row_id, the p_any_ columns
// and the NULL rules are computed by the same code.
//
// The loader does not depend on DuckDB, so that the parser can be tested,
// fuzzed and benchmarked on its own.
package loader

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/schema"
)

// MaxLineBytes is the longest line read when Options.MaxLineBytes is zero
// (8 MiB, about 4,000 times a typical line): a longer one is rejected
// (schema.RejectTooLong, keeping its first 64 KiB) and read to its end
// without being buffered, so that no line, however long, makes memory grow.
const MaxLineBytes = 8 << 20

// DefaultBatchRows is the number of rows per record batch when
// Options.BatchRows is zero. A batch's values are written straight into
// the buffers the record batch takes over (see columns.go); at 4096 rows
// of typical lines (2.5 MB) those buffers stay in cache while they are
// written and recycled, and the whole parse measured faster than with
// 16384 (BenchmarkReader, best of 4: 11.8 against 13.8 ms/op). DuckDB
// scans Arrow in chunks of 2048 rows whatever the batch size.
const DefaultBatchRows = 4096

const (
	// rawKeepBytes is how much of an over-long line its Reject keeps.
	rawKeepBytes = 64 << 10
	// maxBatchBytes ends a batch early when its lines reach this many bytes,
	// which keeps Arrow's 32-bit string offsets far from overflowing.
	maxBatchBytes = 64 << 20
	// readSize is the initial size of the read buffer; it doubles as needed
	// to hold the longest line.
	readSize = 256 << 10
	// poolReadBytes and poolBatchBytes bound the buffers kept in statePool,
	// so that one huge line or batch does not pin its memory for good.
	poolReadBytes  = 4 << 20
	poolBatchBytes = 32 << 20
)

// state is the memory a Reader reuses from line to line and batch to
// batch, one part per job: the read buffer (framing), the tokenizer (the
// row) and the column buffers (the batch). It is pooled between Readers
// because a load opens thousands of small log objects, and growing fresh
// buffers for each would cost more than parsing.
type state struct {
	lines framer     // cuts the input into lines
	p     parser     // turns a text line into a row
	j     jsonParser // turns a JSON record into a row
	b     batch      // appends rows to the columns of a record batch
}

var statePool = sync.Pool{New: func() any { return new(state) }}

// arrowSchema is the schema of every batch, built once: Arrow schemas are
// immutable, and building one per Reader would cost more than parsing a
// small log object.
var arrowSchema = sync.OnceValue(schema.S3ServerAccess.ArrowSchema)

// Options configures a Reader. The zero value is ready to use.
type Options struct {
	Label     string           // p_source_label of every row
	BatchRows int              // rows per record batch; 0 means DefaultBatchRows
	Allocator memory.Allocator // allocates the record batches (through a recycler, see alloc.go); nil means memory.DefaultAllocator
	ParseTime time.Time        // p_parse_time of every row; zero means time.Now()
	FirstLine int64            // lines already consumed before the reader (resume of a grown file); line numbers continue from it
	Since     time.Time        // when non-zero, rows whose event time is before Since are dropped and counted in Stats.Filtered
	Until     time.Time        // when non-zero, rows whose event time is at or after Until are dropped and counted in Stats.Filtered
	// Format is the format of the lines: FormatJSON reads one JSON
	// record per line (see json.go); anything else reads S3's text lines.
	// Parquet is read by a ParquetReader, not a Reader.
	Format Format
	// Windows, when not empty, replaces Since and Until: rows whose event
	// time is in none of these windows are dropped and counted in
	// Stats.Filtered (a file loaded again under a wider set of windows).
	Windows []Window
	// MaxLineBytes is the longest line read, not counting its line end; a longer
	// one is rejected. 0 means MaxLineBytes.
	MaxLineBytes int
}

// Stats are the running totals of a Reader. Lines = Rows + Rejected +
// Blank + Filtered.
type Stats struct {
	Lines    int64 // lines read, blank ones included
	Rows     int64 // lines that became rows
	Rejected int64 // lines that became Rejects
	Blank    int64 // lines holding nothing but spaces, tabs or a CR; skipped
	Filtered int64 // parsed lines dropped by Options.Since / Options.Until
	Bytes    int64 // bytes read from the source, line endings included
	// Replaced counts the rows (of Rows) with bytes that are not valid
	// UTF-8, written as U+FFFD in their values (see Reader.Replaced).
	Replaced int64
}

// Reader reads S3 server access log lines from an io.Reader and yields them
// as Arrow record batches of schema.S3ServerAccess, with the Rejects of the
// lines it could not parse. Lines end at "\n" or "\r\n" and may be of any
// length up to Options.MaxLineBytes. A Reader is not safe for concurrent use.
//
// Semantics of the values:
//   - "-" and `"-"` are NULL; a line that ends early (17 to 25 fields) has
//     NULL in the missing trailing columns; fields after the 26th go, raw,
//     to additionalFields, which is NULL when there are none;
//   - bytes that are not valid UTF-8 are written as U+FFFD in the string
//     columns (the row is kept, counted in Stats.Replaced, and each value
//     changed is in Replaced); a line with a NUL byte is rejected as
//     binary;
//   - p_any_ip_addresses is [remoteip] when remoteip is a valid IPv4 or
//     IPv6 address, p_any_aws_arns is [requester] when requester starts with
//     "arn:", p_any_aws_account_ids is the 12-digit account of that ARN;
//     each is NULL (not an empty list) when there is nothing to list;
//   - p_row_id is a hash of the source id in 16 hex digits followed by the
//     line number in hex: unique per line and the same on every load.
type Reader struct {
	*state // framing, row and batch state, pooled between Readers

	window window // Options.Since and Options.Until
	ownMem bool   // the batch's recycler is the Reader's own, closed on Release
	json   bool   // the lines are JSON records

	line int64 // lines consumed, the current one included
	output
}

// output is what a Reader and a ParquetReader give after each Next, and
// the accessors of both.
type output struct {
	stats    Stats
	err      error
	done     bool
	rec      arrow.RecordBatch
	rejects  []Reject
	replaced []Replacement
}

// Window is the time window [Since, Until) of event times; a zero time is
// no bound.
type Window struct {
	Since, Until time.Time
}

// window is the time window of Options.Since and Options.Until, in
// microseconds since the epoch, that rows must be in; or, with more, rows
// must be in it or in one of more (Options.Windows).
type window struct {
	since, until       int64
	hasSince, hasUntil bool
	more               []window
}

// newWindow returns the window [since, until); a zero time is no bound.
func newWindow(since, until time.Time) window {
	return window{since: since.UnixMicro(), until: until.UnixMicro(), hasSince: !since.IsZero(), hasUntil: !until.IsZero()}
}

// newWindows returns the window of opts: Since and Until, or Windows.
func newWindows(opts Options) window {
	if len(opts.Windows) == 0 {
		return newWindow(opts.Since, opts.Until)
	}
	w := newWindow(opts.Windows[0].Since, opts.Windows[0].Until)
	for _, o := range opts.Windows[1:] {
		w.more = append(w.more, newWindow(o.Since, o.Until))
	}
	return w
}

// excludes reports whether t (µs) is outside the window.
func (w *window) excludes(t int64) bool {
	out := w.hasSince && t < w.since || w.hasUntil && t >= w.until
	for i := 0; out && i < len(w.more); i++ {
		out = w.more[i].excludes(t)
	}
	return out
}

// NewReader returns a Reader of r, whose bytes must be text (an object's
// stored bytes go through source.Decode first). sourceID becomes
// p_source_id and seeds p_row_id. The Reader owns the batches it returns;
// the caller must call Release when done with the Reader.
func NewReader(r io.Reader, sourceID string, opts Options) *Reader {
	if opts.BatchRows <= 0 {
		opts.BatchRows = DefaultBatchRows
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	if opts.ParseTime.IsZero() {
		opts.ParseTime = time.Now()
	}
	mem, ownMem := recyclerFor(opts.Allocator)
	rd := &Reader{
		state:  statePool.Get().(*state),
		window: newWindows(opts),
		ownMem: ownMem,
		json:   opts.Format == FormatJSON,
		line:   opts.FirstLine,
	}
	rd.lines.begin(r, sourceID, opts.MaxLineBytes)
	rd.b.begin(mem, batchConsts{
		sourceID:  sourceID,
		label:     opts.Label,
		parseTime: opts.ParseTime.UnixMicro(),
		rowPrefix: rowPrefix(sourceID),
		maxRows:   opts.BatchRows,
	})
	rd.b.reset()
	return rd
}

// rowPrefix returns the part of p_row_id before the line number: a hash of
// the source id in 16 hex digits, as two little-endian words.
func rowPrefix(sourceID string) [2]uint64 {
	h := fnv.New64a()
	h.Write([]byte(sourceID))
	prefix := fmt.Appendf(nil, "%016x", h.Sum64())
	return [2]uint64{binary.LittleEndian.Uint64(prefix), binary.LittleEndian.Uint64(prefix[8:])}
}

// Next reads up to Options.BatchRows rows. It returns true when a batch with
// at least one row or at least one reject is ready, and false at the end of
// the input or on a read error (see Err).
func (r *Reader) Next() bool {
	r.releaseRecord()
	r.rejects, r.replaced = r.rejects[:0], r.replaced[:0]
	if r.done {
		return false
	}
	r.b.reset()
	for r.b.n < r.b.maxRows && len(r.rejects) < r.b.maxRows && r.b.bytes < maxBatchBytes {
		line, kind, ok := r.lines.next()
		if !ok {
			r.done = true
			break
		}
		r.line++
		r.stats.Lines++
		switch kind {
		case lineTooLong:
			r.rejects = append(r.rejects, TooLong(r.b.sourceID, r.line, r.lines.longLen, r.lines.maxLine, line))
			r.stats.Rejected++
			r.b.bytes += len(line)
			continue
		case lineCut:
			r.rejects = append(r.rejects, Cut(r.b.sourceID, r.line, line))
			r.stats.Rejected++
			r.b.bytes += len(line)
			continue
		}
		r.addLine(line)
	}
	r.stats.Bytes, r.err = r.lines.read, r.lines.err
	if r.b.n == 0 && len(r.rejects) == 0 {
		return false
	}
	r.rec = r.b.build()
	return true
}

// addLine parses one line (with its ending) and adds it to the batch as a
// row, a reject, or a blank or filtered line.
func (r *Reader) addLine(line []byte) {
	line = trimEOL(line)
	if r.line == 1 {
		// A byte order mark, written by some editors, is not part of the
		// bucket owner.
		line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	}
	if isBlank(line) {
		r.stats.Blank++
		return
	}
	if r.json {
		r.addJSON(line)
		return
	}
	if !r.p.parse(line) {
		r.reject(line, r.p.err)
		return
	}
	if r.window.excludes(r.p.row.time) {
		r.stats.Filtered++
		return
	}
	r.b.appendRow(&r.p.row, line, r.line)
	r.stats.Rows++
	if !r.p.row.utf8 { // rare: valid lines pay this one branch
		r.replaced = r.b.countReplaced(r.replaced, &r.stats, &r.p.row, line, r.line)
	}
}

// addJSON parses one JSON record (without its line ending) and adds it to
// the batch as a row, a reject, or a filtered line. The row's values are
// in the parser's buffer, which appendRow reads as it reads a text line.
func (r *Reader) addJSON(line []byte) {
	if !r.j.parse(line) {
		r.reject(line, r.j.err)
		return
	}
	if r.window.excludes(r.j.row.time) {
		r.stats.Filtered++
		return
	}
	r.b.appendRow(&r.j.row, r.j.values(), r.line)
	r.stats.Rows++
	if !r.j.row.utf8 {
		r.replaced = r.b.countReplaced(r.replaced, &r.stats, &r.j.row, r.j.values(), r.line)
	}
}

// reject records line (copied) as rejected for reason e.
func (r *Reader) reject(line []byte, e lineError) {
	field := ""
	if e.field >= 0 {
		field = schema.S3ServerAccess.Columns[e.field].Name
	}
	r.rejects = append(r.rejects, Reject{
		Source: r.b.sourceID,
		Line:   r.line,
		Column: e.col,
		Field:  field,
		Kind:   e.kind,
		Reason: e.reason,
		Raw:    bytes.Clone(line),
	})
	r.stats.Rejected++
	r.b.bytes += len(line) // rejects keep their lines: they count toward a batch's size
}

// RecordBatch returns the batch read by the last Next. It has the schema
// schema.S3ServerAccess.ArrowSchema() and zero rows when the batch holds
// only rejects; it is never nil after Next returned true. The Reader owns
// it: it is valid until the next Next or Release; call Retain to keep it
// longer (and Release it then). Its buffers are reused for later batches
// once released, so values read from it (array.String.Value shares the
// buffer's bytes) must be copied to outlive it.
func (r *output) RecordBatch() arrow.RecordBatch { return r.rec }

// Rejects returns the lines (or Parquet rows) rejected since the previous
// Next. The slice is valid until the next Next; each Reject's Raw is its
// own copy.
func (r *output) Rejects() []Reject { return r.rejects }

// Stats returns the running totals (a ParquetReader counts rows as
// lines, and its Bytes is the file's size once read to the end).
func (r *output) Stats() Stats { return r.stats }

// Err returns the error that stopped the reader, if any. Rejected lines
// are never errors.
func (r *output) Err() error { return r.err }

// Release frees the current batch and returns the Reader's buffers to a
// pool. The Reader must not be used afterwards; releasing twice is safe.
func (r *Reader) Release() {
	r.releaseRecord()
	if r.state == nil {
		return
	}
	mem := r.b.mem
	r.b.free()
	r.lines.end()
	if cap(r.j.buf) > poolReadBytes || cap(r.j.inner) > poolReadBytes {
		r.j.buf, r.j.inner = nil, nil // one huge record does not pin its memory
	}
	if cap(r.lines.buf) <= poolReadBytes && !r.b.big {
		statePool.Put(r.state)
	}
	r.state = nil
	if r.ownMem {
		// Hand the kept buffers back to the caller's allocator; buffers of
		// batches still retained go straight to it when released.
		mem.close()
		r.ownMem = false
	}
}

func (r *output) releaseRecord() {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
}

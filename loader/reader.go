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
// The loader does not depend on DuckDB, so that the parser can be tested,
// fuzzed and benchmarked on its own.
package loader

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"math/bits"
	"net/netip"
	"sync"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/schema"
)

// DefaultBatchRows is the number of rows per record batch when
// Options.BatchRows is zero.
const DefaultBatchRows = 16384

const (
	// maxLineBytes is the longest line read; a longer one is rejected
	// (keeping its first rawKeepBytes) and skipped, so that a file without
	// newlines cannot exhaust memory.
	maxLineBytes = 64 << 20
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
// batch: the read buffer, the tokenizer and the column buffers. It is
// pooled between Readers because a load opens thousands of small log
// objects, and growing fresh buffers for each would cost more than parsing.
type state struct {
	buf      []byte
	p        parser
	strs     [schema.NumLogFields]strCol
	ints     [schema.NumLogFields]intCol
	extra    listCol
	ips      listCol
	arns     listCol
	accounts listCol
	rowIDs   strCol
	masks    []uint32 // per row of the batch: bit c set when log column c is NULL
}

var statePool = sync.Pool{New: func() any { return new(state) }}

// Options configures a Reader. The zero value is ready to use.
type Options struct {
	Label     string           // p_source_label of every row
	BatchRows int              // rows per record batch; 0 means DefaultBatchRows
	Allocator memory.Allocator // allocates the record batches; nil means memory.DefaultAllocator
	ParseTime time.Time        // p_parse_time of every row; zero means time.Now()
	FirstLine int64            // lines already consumed before the reader (resume of a grown file); line numbers continue from it
	Since     time.Time        // when non-zero, rows whose event time is before Since are dropped and counted in Stats.Filtered
	Until     time.Time        // when non-zero, rows whose event time is at or after Until are dropped and counted in Stats.Filtered
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
}

// Reader reads S3 server access log lines from an io.Reader and yields them
// as Arrow record batches of schema.S3ServerAccess, with the Rejects of the
// lines it could not parse. Lines end at "\n" or "\r\n" and may be of any
// length up to 64 MiB. A Reader is not safe for concurrent use.
//
// Semantics of the values:
//   - "-" and `"-"` are NULL; a line that ends early (17 to 25 fields) has
//     NULL in the missing trailing columns; fields after the 26th go, raw,
//     to additionalFields, which is NULL when there are none;
//   - bytes that are not valid UTF-8 are written as U+FFFD in the string
//     columns (the row is kept); a line with a NUL byte is rejected as
//     binary;
//   - p_any_ip_addresses is [remoteip] when remoteip is a valid IPv4 or
//     IPv6 address, p_any_aws_arns is [requester] when requester starts with
//     "arn:", p_any_aws_account_ids is the 12-digit account of that ARN;
//     each is NULL (not an empty list) when there is nothing to list;
//   - p_row_id is a hash of the source id in 16 hex digits followed by the
//     line number in hex: unique per line and the same on every load.
type Reader struct {
	src      io.Reader
	sourceID string
	opts     Options
	schema   *arrow.Schema

	*state // buffers, pooled between Readers

	// Framing: buf[r:w] is read but not yet consumed; buf[r:scan] holds no
	// newline.
	r, w     int
	scan     int
	eof      bool
	skipping bool // discarding the rest of an over-long line
	maxLine  int

	rowPrefix []byte // p_row_id before the line number
	parseTime int64  // p_parse_time, µs
	since     int64  // µs; valid when hasSince
	until     int64  // µs; valid when hasUntil
	hasSince  bool
	hasUntil  bool

	// The batch being built, n rows so far.
	n          int
	batchBytes int
	bigBatch   bool // a batch grew past poolBatchBytes: do not pool the state

	line    int64
	stats   Stats
	err     error
	done    bool
	rec     arrow.RecordBatch
	rejects []Reject
}

// isInt tells the integer columns (bigint in the schema) from the strings.
var isInt = func() (m [schema.NumLogFields]bool) {
	for i, c := range schema.S3ServerAccess.Columns[:schema.NumLogFields] {
		m[i] = c.Type == schema.BigInt
	}
	return m
}()

// NewReader returns a Reader of r, whose bytes must already be
// decompressed. sourceID becomes p_source_id and seeds p_row_id. The
// Reader owns the batches it returns; the caller must call Release when
// done with the Reader.
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
	h := fnv.New64a()
	h.Write([]byte(sourceID))
	rd := &Reader{
		state:     statePool.Get().(*state),
		src:       r,
		sourceID:  sourceID,
		opts:      opts,
		schema:    schema.S3ServerAccess.ArrowSchema(),
		maxLine:   maxLineBytes,
		rowPrefix: fmt.Appendf(nil, "%016x", h.Sum64()),
		parseTime: opts.ParseTime.UnixMicro(),
		since:     opts.Since.UnixMicro(),
		until:     opts.Until.UnixMicro(),
		hasSince:  !opts.Since.IsZero(),
		hasUntil:  !opts.Until.IsZero(),
		line:      opts.FirstLine,
	}
	rd.resetBatch()
	return rd
}

// Next reads up to Options.BatchRows rows. It returns true when a batch with
// at least one row or at least one reject is ready, and false at the end of
// the input or on a read error (see Err).
func (r *Reader) Next() bool {
	r.releaseRecord()
	r.rejects = r.rejects[:0]
	if r.done {
		return false
	}
	r.resetBatch()
	for r.n < r.opts.BatchRows && len(r.rejects) < r.opts.BatchRows && r.batchBytes < maxBatchBytes {
		line, tooLong, ok := r.readLine()
		if !ok {
			r.done = true
			break
		}
		r.line++
		r.stats.Lines++
		if tooLong {
			r.reject(line, lineError{reason: fmt.Sprintf("line longer than %d bytes (first %d kept)", r.maxLine, len(line))})
			continue
		}
		r.addLine(line)
	}
	if r.n == 0 && len(r.rejects) == 0 {
		return false
	}
	r.rec = r.build()
	return true
}

// addLine parses one line (with its ending) and adds it to the batch as a
// row, a reject, or a blank or filtered line.
func (r *Reader) addLine(line []byte) {
	line = trimEOL(line)
	if isBlank(line) {
		r.stats.Blank++
		return
	}
	if !r.p.parse(line) {
		r.reject(line, r.p.err)
		return
	}
	if t := r.p.row.time; r.hasSince && t < r.since || r.hasUntil && t >= r.until {
		r.stats.Filtered++
		return
	}
	r.appendRow(&r.p.row, line)
	if r.batchBytes += len(line); r.batchBytes > poolBatchBytes {
		r.bigBatch = true
	}
	r.stats.Rows++
}

// reject records line (copied) as rejected for reason e.
func (r *Reader) reject(line []byte, e lineError) {
	field := ""
	if e.field >= 0 && e.reason != "" && e.col > 0 {
		field = schema.S3ServerAccess.Columns[e.field].Name
	}
	r.rejects = append(r.rejects, Reject{
		Source: r.sourceID,
		Line:   r.line,
		Column: e.col,
		Field:  field,
		Reason: e.reason,
		Raw:    bytes.Clone(line),
	})
	r.stats.Rejected++
}

// strCols and intCols list the log columns by kind, in order; time is
// handled on its own.
var strCols, intCols = func() (strs, ints []int) {
	for i, c := range schema.S3ServerAccess.Columns[:schema.NumLogFields] {
		switch c.Type {
		case schema.String:
			strs = append(strs, i)
		case schema.BigInt:
			ints = append(ints, i)
		}
	}
	return strs, ints
}()

// appendRow appends row, parsed from line, to the batch's columns.
func (r *Reader) appendRow(row *row, line []byte) {
	ok := row.utf8
	var mask uint32
	for _, col := range strCols {
		if v := row.v[col]; v.s >= 0 {
			r.strs[col].add(line[v.s:v.e], ok)
		} else {
			r.strs[col].addNull()
			mask |= 1 << col
		}
	}
	for _, col := range intCols {
		r.ints[col].add(row.n[col])
		if row.v[col].s < 0 {
			mask |= 1 << col
		}
	}
	r.ints[schema.ColTime].add(row.time)
	r.masks = append(r.masks, mask)

	n := r.n
	for _, v := range row.extra {
		r.extra.addElem(line[v.s:v.e], ok)
	}
	r.extra.endRow(n)
	if v := row.v[schema.ColRemoteip]; v.s >= 0 && isIP(line[v.s:v.e]) {
		r.ips.addElem(line[v.s:v.e], true)
	}
	r.ips.endRow(n)
	if v := row.v[schema.ColRequester]; v.s >= 0 && bytes.HasPrefix(line[v.s:v.e], []byte("arn:")) {
		req := line[v.s:v.e]
		r.arns.addElem(req, ok)
		if acct := arnAccount(req); acct != nil {
			r.accounts.addElem(acct, true)
		}
	}
	r.arns.endRow(n)
	r.accounts.endRow(n)
	c := &r.rowIDs
	c.data = append(c.data, r.rowPrefix...)
	c.data = appendHex(c.data, uint64(r.line))
	c.offs = append(c.offs, int32(len(c.data)))
	r.n++
}

// isIP reports whether b is a valid IPv4 or IPv6 address.
func isIP(b []byte) bool {
	if isIPv4(b) {
		return true
	}
	if bytes.IndexByte(b, ':') < 0 {
		return false
	}
	// The string shares b's bytes instead of copying them: ParseAddr does
	// not keep it past the call unless it fails, and then the error (which
	// holds it) is dropped here.
	_, err := netip.ParseAddr(unsafe.String(unsafe.SliceData(b), len(b)))
	return err == nil
}

// appendHex appends x in lower-case hex without leading zeros, like
// strconv.AppendUint(dst, x, 16) but without its general-base loop: it runs
// once per row, for p_row_id.
func appendHex(dst []byte, x uint64) []byte {
	const digits = "0123456789abcdef"
	n := max(1, (bits.Len64(x)+3)/4)
	dst = append(dst, "0000000000000000"[:n]...)
	for i := len(dst) - 1; x != 0; i-- {
		dst[i] = digits[x&15]
		x >>= 4
	}
	return dst
}

// isIPv4 reports whether b is a dotted-decimal IPv4 address as
// netip.ParseAddr accepts it (four parts of 0..255, no leading zeros); it
// is the common case, written out because it runs on every row.
func isIPv4(b []byte) bool {
	parts, val, digits := 0, 0, 0
	for _, c := range b {
		switch {
		case c == '.':
			if digits == 0 || parts == 3 {
				return false
			}
			parts, val, digits = parts+1, 0, 0
		case isDigit(c):
			if digits > 0 && val == 0 {
				return false
			}
			val, digits = val*10+int(c-'0'), digits+1
			if val > 255 {
				return false
			}
		default:
			return false
		}
	}
	return parts == 3 && digits > 0
}

// arnAccount returns the account id of an ARN
// (arn:partition:service:region:account:resource) when it is 12 digits,
// else nil.
func arnAccount(arn []byte) []byte {
	// A plain loop: the four colons are within the first few dozen bytes,
	// too close together for bytes.IndexByte's call to pay off.
	colons := 0
	for i, c := range arn {
		if c == ':' {
			if colons++; colons == 4 {
				arn = arn[i+1:]
				break
			}
		}
	}
	if colons < 4 || len(arn) < 13 || arn[12] != ':' {
		return nil
	}
	for _, c := range arn[:12] {
		if !isDigit(c) {
			return nil
		}
	}
	return arn[:12]
}

// build turns the batch's columns into a record batch.
func (r *Reader) build() arrow.RecordBatch {
	mem, n := r.opts.Allocator, r.n
	cols := make([]arrow.Array, len(r.schema.Fields()))
	for col := 0; col < schema.NumLogFields; col++ {
		valid, nulls := nullMasks(mem, r.masks, col)
		switch {
		case col == schema.ColTime:
			cols[col] = r.ints[col].build(mem, schema.TimestampType, n, valid, nulls)
		case isInt[col]:
			cols[col] = r.ints[col].build(mem, arrow.PrimitiveTypes.Int64, n, valid, nulls)
		default:
			cols[col] = r.strs[col].build(mem, n, valid, nulls)
		}
	}
	cols[schema.ColAdditionalFields] = r.extra.build(mem, n)
	cols[schema.ColPLogType] = constStr(mem, schema.LogType, n)
	cols[schema.ColPRowID] = r.rowIDs.build(mem, n, nil, 0)
	cols[schema.ColPEventTime] = cols[schema.ColTime] // same values: share the array
	cols[schema.ColPEventTime].Retain()
	cols[schema.ColPParseTime] = constInt(mem, schema.TimestampType, r.parseTime, n)
	cols[schema.ColPSourceID] = constStr(mem, r.sourceID, n)
	cols[schema.ColPSourceLabel] = constStr(mem, r.opts.Label, n)
	cols[schema.ColPAnyIPAddresses] = r.ips.build(mem, n)
	cols[schema.ColPAnyAWSARNs] = r.arns.build(mem, n)
	cols[schema.ColPAnyAWSAccountIDs] = r.accounts.build(mem, n)
	rec := array.NewRecordBatch(r.schema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// resetBatch empties the column buffers, keeping their memory.
func (r *Reader) resetBatch() {
	r.n, r.batchBytes = 0, 0
	r.masks = r.masks[:0]
	for i := range r.strs {
		r.strs[i].reset()
		r.ints[i].reset()
	}
	r.extra.reset()
	r.ips.reset()
	r.arns.reset()
	r.accounts.reset()
	r.rowIDs.reset()
}

// readLine returns the next line with its ending, a sub-slice of the read
// buffer valid until the next call. tooLong reports a line longer than
// r.maxLine, of which only the first rawKeepBytes are returned (the rest
// is skipped). ok is false at the end of the input or on a read error; a
// partial last line is returned at EOF but dropped on an error.
func (r *Reader) readLine() (line []byte, tooLong, ok bool) {
	for {
		if r.skipping {
			if k := bytes.IndexByte(r.buf[r.r:r.w], '\n'); k >= 0 {
				r.r += k + 1
				r.skipping = false
			} else {
				r.r = r.w
			}
			r.scan = r.r
		}
		if !r.skipping {
			if k := bytes.IndexByte(r.buf[r.scan:r.w], '\n'); k >= 0 {
				end := r.scan + k + 1
				line = r.buf[r.r:end]
				r.r, r.scan = end, end
				return line, false, true
			}
			r.scan = r.w
			if r.w-r.r >= r.maxLine {
				line = r.buf[r.r : r.r+min(rawKeepBytes, r.w-r.r)]
				r.r, r.scan, r.skipping = r.w, r.w, true
				return line, true, true
			}
		}
		if r.eof {
			if r.r < r.w && !r.skipping {
				line = r.buf[r.r:r.w]
				r.r, r.scan = r.w, r.w
				return line, false, true
			}
			return nil, false, false
		}
		r.fill()
	}
}

// fill reads more input into buf, moving the unconsumed bytes to its start
// and growing it when it is full.
func (r *Reader) fill() {
	if r.r > 0 {
		copy(r.buf, r.buf[r.r:r.w])
		r.w -= r.r
		r.scan -= r.r
		r.r = 0
	}
	if r.w == len(r.buf) {
		nb := make([]byte, max(readSize, 2*len(r.buf)))
		copy(nb, r.buf[:r.w])
		r.buf = nb
	}
	n, err := r.src.Read(r.buf[r.w:])
	r.w += n
	r.stats.Bytes += int64(n)
	switch {
	case err == io.EOF:
		r.eof = true
	case err != nil:
		r.err = fmt.Errorf("read %s: %w", r.sourceID, err)
		r.eof = true
		r.r, r.scan = r.w, r.w // drop the partial line
	}
}

// RecordBatch returns the batch read by the last Next. It has the schema
// schema.S3ServerAccess.ArrowSchema() and zero rows when the batch holds
// only rejects; it is never nil after Next returned true. The Reader owns
// it: it is valid until the next Next or Release; call Retain to keep it
// longer (and Release it then).
func (r *Reader) RecordBatch() arrow.RecordBatch { return r.rec }

// Rejects returns the lines rejected since the previous Next. The slice is
// valid until the next Next; each Reject's Raw is its own copy.
func (r *Reader) Rejects() []Reject { return r.rejects }

// Stats returns the running totals.
func (r *Reader) Stats() Stats { return r.stats }

// Err returns the I/O error that stopped the Reader, if any. Rejected
// lines are never errors.
func (r *Reader) Err() error { return r.err }

// Release frees the current batch and returns the Reader's buffers to a
// pool. The Reader must not be used afterwards; releasing twice is safe.
func (r *Reader) Release() {
	r.releaseRecord()
	if r.state != nil {
		if cap(r.buf) <= poolReadBytes && !r.bigBatch {
			statePool.Put(r.state)
		}
		r.state = nil
	}
}

func (r *Reader) releaseRecord() {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
}

// trimEOL removes a trailing "\n" or "\r\n".
func trimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line
}

// isBlank reports whether line holds nothing but spaces, tabs and CRs.
func isBlank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

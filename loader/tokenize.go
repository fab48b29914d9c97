package loader

// The tokenizer. It works on sub-slices of the line and allocates nothing
// for a line that parses (the only allocations are the formatted reasons of
// rejected lines), because it runs once per line of logs that can hold
// billions of lines.
//
// Grammar, as S3 writes it (fields separated by single spaces; any field
// may be "-"):
//
//	owner bucket [time] ip requester reqid operation key "uri" status err bytes size total turn "referrer" "ua" versionid hostid sig cipher auth host tls ap acl [more...]
//
// Three facts make it harder than splitting at spaces:
//   - requester may contain spaces (CloudFront origin access identities), so
//     it is everything between the remote IP and the request id, and the
//     request id is found as the token before the first token shaped like an
//     operation (REST.GET.OBJECT, S3.COMPUTE.OBJECT.CHECKSUM);
//   - S3 does not escape '"' inside the request URI, referrer and user agent,
//     so a quoted field ends at a '"' followed by a space or the end of the
//     line whose following fields fit the grammar. Every such reading is
//     tried (see quoted); a line with more than one is rejected as ambiguous
//     rather than guessed;
//   - lines end after anything from the user agent (17 fields, pre-2013
//     logs) to aclRequired (26 fields), or carry fields S3 added later,
//     which go to additionalFields raw.
//
// Runs of spaces count as one separator outside quotes (peers.log line 62
// has two spaces between the remote IP and the requester: the requester is
// the ARN that follows, not NULL), and leading and trailing spaces are
// ignored. Inside quotes and inside a requester with spaces, bytes are kept
// as they are.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/s3logs/s3logs/schema"
)

const (
	// minFields is the fewest fields a line may have: up to the user agent,
	// as S3 wrote before version ids were logged (peers.log lines 20, 33).
	minFields = schema.ColUseragent + 1
	// maxRequesterTokens bounds the search for the operation after the
	// remote IP; a requester with spaces has a handful of words.
	maxRequesterTokens = 32
	// maxReadings bounds the readings of the quoted fields tried on one
	// line, and maxSteps the quotes looked at while trying them, so that a
	// line crafted with many quotes (a client controls the request URI,
	// referrer and user agent) cannot take quadratic time: such a line is
	// rejected as ambiguous after a few milliseconds.
	maxReadings = 1024
	maxSteps    = 1 << 20
)

// row is one parsed line. Every value is a span of the line (NULL when its
// start is negative), copied into its column once. Spans rather than
// sub-slices because they hold no pointers: storing 26 of them per line
// costs no GC write barriers.
type row struct {
	v     [schema.NumLogFields]span
	n     [schema.NumLogFields]int64 // the values of the integer columns
	time  int64                      // microseconds since the epoch, UTC
	extra []span                     // fields after the 26th, raw
	utf8  bool                       // the line is valid UTF-8
}

// lineError says why a line was rejected.
type lineError struct {
	col    int               // 1-based byte column; 0 when it concerns the whole line
	field  int               // schema column index, or -1
	kind   schema.RejectKind // why, as a value
	reason string            // why, in words, with the detail
}

// span is a half-open byte range of the line; start < 0 means NULL.
type span struct{ s, e int }

// null is the span of a NULL value.
var null = span{-1, -1}

// allNull is a row's values before a line is read.
var allNull = func() (v [schema.NumLogFields]span) {
	for k := range v {
		v[k] = null
	}
	return v
}()

// isNull reports whether the span is NULL.
func (s span) isNull() bool { return s.s < 0 }

// reading is one way to read the quoted part of a line (fields 9..26+).
type reading struct {
	uri, ref, ua span
	mid          [6]span                                         // httpstatus .. turnaroundtime
	tail         [schema.NumLogFields - schema.ColVersionid]span // versionid .. aclrequired
	ntail        int                                             // how many of tail are present
	extra        int                                             // where fields after the 26th start
}

// parser holds the state of the tokenizer; it is reused from line to line
// so that buffers are allocated once.
type parser struct {
	line   []byte
	quotes []int // positions of '"' in the quoted part of line

	spaces    []uint64 // bitmap of the spaces of line (see index)
	spaces2   []uint64 // spaces and a zero word after it (see tokenEnd)
	quoteBits []uint64 // bitmap of the quotes of line
	row       row
	err       lineError
	times     timeCache // the last time parsed

	full     bool // never take the shortcut of natural (tests compare the two)
	shortcut bool // the last line's quoted fields were read by natural

	strict bool      // check the values of fields while reading (see quoted)
	mixed  bool      // allow quoted fields next to bare "-" ones (see quoted)
	found  int       // readings found
	tries  int       // readings tried
	steps  int       // quotes looked at while trying readings
	cur    reading   // reading being built
	best   reading   // first reading found
	far    lineError // the failure furthest into the line, to report
}

// parse tokenizes line (without its line ending) into p.row. It returns
// false, with the reason in p.err, when the line must be rejected.
func (p *parser) parse(line []byte) bool {
	p.line = line
	r := &p.row
	r.v = allNull
	r.extra = r.extra[:0]
	ascii, nul := p.index(line)
	if nul {
		return p.fail(bytes.IndexByte(line, 0), -1, schema.RejectBinary, "binary data (NUL byte): not a log line")
	}
	r.utf8 = ascii || utf8.Valid(line)

	i := p.skipSpaces(0)
	e := p.tokenEnd(i)
	owner := span{i, e}
	if i = p.skipSpaces(e); i < len(line) {
		e = p.tokenEnd(i)
		r.v[schema.ColBucket] = nullable(line, i, e)
		i = p.skipSpaces(e)
	}
	if i >= len(line) || line[i] != '[' {
		// Checked before anything else: a line without the bracketed time
		// as its third field is some other kind of log, and saying so is
		// more use than naming the first field that does not fit.
		return p.fail(min(i, len(line)), -1, schema.RejectNotLog, "not an S3 server access log line: no [dd/Mon/yyyy:hh:mm:ss +hhmm] time as the third field")
	}
	if isNull(line[owner.s:owner.e]) {
		return p.fail(owner.s, schema.ColBucketowner, schema.RejectRequired, "required field is -")
	}
	r.v[schema.ColBucketowner] = owner
	if !p.parseTime(i) {
		return false
	}
	if i = p.skipSpaces(i + timeLen); i >= len(line) {
		return p.truncated(schema.ColRemoteip)
	}
	e = p.tokenEnd(i)
	r.v[schema.ColRemoteip] = nullable(line, i, e)
	if i = p.skipSpaces(e); i >= len(line) {
		return p.truncated(schema.ColRequester)
	}
	i, ok := p.requester(i)
	if !ok {
		return false
	}
	if i >= len(line) {
		return p.truncated(schema.ColKey)
	}
	e = p.tokenEnd(i)
	r.v[schema.ColKey] = nullable(line, i, e)
	if i = p.skipSpaces(e); i >= len(line) {
		return p.truncated(schema.ColRequesturi)
	}
	return p.quoted(i) && (p.shortcut || p.numbers())
}

// parseTime parses the bracketed time starting at line[i].
func (p *parser) parseTime(i int) bool {
	line := p.line
	end := i + timeLen
	if line[i] == '[' && end <= len(line) && line[end-1] == ']' && (end == len(line) || line[end] == ' ') {
		if t, ok := p.times.parse(line[i+1 : end-1]); ok {
			p.row.time = t
			p.row.v[schema.ColTime] = span{i + 1, end - 1}
			return true
		}
	}
	e := min(len(line), end)
	if k := bytes.IndexByte(line[i:], ']'); k >= 0 && i+k < end {
		e = i + k + 1
	}
	if end <= len(line) && line[i] == '[' && line[end-1] == ']' && timeOutOfRange(line[i+1:end-1]) {
		return p.fail(i, schema.ColTime, schema.RejectTime, fmt.Sprintf("time %q is outside the years 0001 to 9999 (UTC): no S3 log holds it", line[i:e]))
	}
	return p.fail(i, schema.ColTime, schema.RejectTime, fmt.Sprintf("invalid time %q, want %s", line[i:e], timeLayout))
}

// requester reads fields 5 to 7 starting at line[i]: the requester (which
// may contain spaces), the request id and the operation. The operation is
// the first token after the remote IP, other than the first, that is shaped
// like one; the token before it is the request id and everything between
// the remote IP and the request id is the requester. It returns where the
// key starts.
func (p *parser) requester(i int) (int, bool) {
	line := p.line
	first := i
	prevS, prevE, prev2E := -1, -1, -1
	for k := 0; k < maxRequesterTokens && i < len(line); k++ {
		e := p.tokenEnd(i)
		if k >= 1 && isOperation(line[i:e]) {
			if k == 1 {
				return 0, p.fail(first, schema.ColRequester, schema.RejectRequester, fmt.Sprintf("missing requester or request id before operation %q", line[i:e]))
			}
			p.row.v[schema.ColRequester] = nullable(line, first, prev2E)
			p.row.v[schema.ColRequestid] = nullable(line, prevS, prevE)
			p.row.v[schema.ColOperation] = span{i, e}
			return p.skipSpaces(e), true
		}
		prev2E, prevS, prevE = prevE, i, e
		i = p.skipSpaces(e)
	}
	if i >= len(line) {
		return 0, p.truncated(schema.ColOperation)
	}
	return 0, p.fail(first, schema.ColOperation, schema.RejectOperation, fmt.Sprintf("no operation (like REST.GET.OBJECT) within %d fields after the remote IP", maxRequesterTokens))
}

// isOperation reports whether b looks like an S3 operation: an upper-case
// word, then one or more dot-separated words (REST.GET.OBJECT,
// SOAP.CreateBucket, S3.COMPUTE.OBJECT.CHECKSUM).
func isOperation(b []byte) bool {
	// A table lookup per byte rather than chained range tests: the bytes of
	// a request id alternate between digits and letters, which made the
	// branches of the range tests mispredict on every line.
	// The first word is short (REST, SOAP, WEBSITE, BATCH, S3); stopping
	// after 10 bytes rejects a 16-character request id early.
	if len(b) >= 11 {
		// The first word is followed by a dot within the first 11 bytes:
		// a request id, which has none, is told apart by two word loads
		// rather than a byte loop that mispredicts where it stops.
		const dots = 0x2e2e2e2e2e2e2e2e
		if zeroBytes(binary.LittleEndian.Uint64(b)^dots)|zeroBytes(binary.LittleEndian.Uint64(b[3:])^dots) == 0 {
			return false
		}
	}
	i := 0
	for i < len(b) && i <= 10 && opClass[b[i]]&opHead != 0 {
		i++
	}
	if i == 0 || i > 10 || i == len(b) {
		return false
	}
	for i < len(b) {
		if b[i] != '.' {
			return false
		}
		i++
		j := i
		for i < len(b) && opClass[b[i]]&opWord != 0 {
			i++
		}
		if i == j {
			return false
		}
	}
	return true
}

// Classes of bytes in an operation: opHead for its first word (upper-case
// letters and digits), opWord for the words after a dot (letters, digits
// and '_').
const (
	opHead = 1 << iota
	opWord
)

// opClass maps each byte to its operation classes.
var opClass = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		if isUpper(b) || isDigit(b) {
			t[c] |= opHead
		}
		if isUpper(b) || isLower(b) || isDigit(b) || b == '_' {
			t[c] |= opWord
		}
	}
	return t
}()

// numbers converts the integer fields, rejecting the line when one is
// neither a non-negative integer nor "-".
func (p *parser) numbers() bool {
	r := &p.row
	for _, col := range [...]int{schema.ColHttpstatus, schema.ColBytessent, schema.ColObjectsize, schema.ColTotaltime, schema.ColTurnaroundtime} {
		s := r.v[col]
		if s.isNull() {
			continue
		}
		b := p.line[s.s:s.e]
		n, ok := parseInt(b)
		if !ok {
			return p.fail(s.s, col, schema.RejectInteger, fmt.Sprintf("invalid integer %q", clip(b)))
		}
		r.n[col] = n
	}
	return true
}

// miss records why a reading failed, keeping the failure of the reading
// that got furthest through the fields, and among those the one that
// closed its quotes earliest (the natural reading). Only the loose pass
// records: its failures are the ones reported.
func (p *parser) miss(i, col int, kind schema.RejectKind, reason string) {
	if !p.strict && !p.mixed && (col > p.far.field || col == p.far.field && i+1 < p.far.col) {
		p.far = lineError{col: i + 1, field: col, kind: kind, reason: reason}
	}
}

// missTruncated records that the line ended before column col.
func (p *parser) missTruncated(col int) {
	if !p.strict && !p.mixed {
		p.miss(len(p.line), col, schema.RejectTruncated, truncatedReason(col))
	}
}

// fail sets p.err and returns false.
func (p *parser) fail(i, col int, kind schema.RejectKind, reason string) bool {
	p.err = lineError{col: i + 1, field: col, kind: kind, reason: reason}
	return false
}

// truncated rejects the line because it ends before column col.
func (p *parser) truncated(col int) bool {
	return p.fail(len(p.line), col, schema.RejectTruncated, truncatedReason(col))
}

// truncatedReason says that a line ended before column col.
func truncatedReason(col int) string {
	return fmt.Sprintf("truncated line: it ends before field %d (%s); a line has at least %d fields, through useragent",
		col+1, schema.S3ServerAccess.Columns[col].Name, minFields)
}

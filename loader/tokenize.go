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
	"math/bits"
	"strings"
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
	// line, so that a line made of quotes cannot take quadratic time.
	maxReadings = 1024
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
	col    int    // 1-based byte column; 0 when it concerns the whole line
	field  int    // schema column index, or -1
	reason string // what was wrong
}

// span is a half-open byte range of the line; start < 0 means NULL.
type span struct{ s, e int }

// null is the span of a NULL value.
var null = span{-1, -1}

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
	row    row
	err    lineError

	strict bool      // check the values of fields while reading (see quoted)
	found  int       // readings found
	tries  int       // readings tried
	cur    reading   // reading being built
	best   reading   // first reading found
	far    lineError // the failure furthest into the line, to report
}

// parse tokenizes line (without its line ending) into p.row. It returns
// false, with the reason in p.err, when the line must be rejected.
func (p *parser) parse(line []byte) bool {
	p.line = line
	r := &p.row
	for k := range r.v {
		r.v[k] = null
	}
	r.extra = r.extra[:0]
	if k := bytes.IndexByte(line, 0); k >= 0 {
		return p.fail(k, -1, "binary data (NUL byte): not a log line")
	}
	r.utf8 = utf8.Valid(line)

	i := skipSpaces(line, 0)
	e := tokenEnd(line, i)
	owner := span{i, e}
	if i = skipSpaces(line, e); i < len(line) {
		e = tokenEnd(line, i)
		r.v[schema.ColBucket] = nullable(line, i, e)
		i = skipSpaces(line, e)
	}
	if i >= len(line) || line[i] != '[' {
		// Checked before anything else: a line without the bracketed time
		// as its third field is some other kind of log, and saying so is
		// more use than naming the first field that does not fit.
		return p.fail(min(i, len(line)), -1, "not an S3 server access log line: no [dd/Mon/yyyy:hh:mm:ss +hhmm] time as the third field")
	}
	if isNull(line[owner.s:owner.e]) {
		return p.fail(owner.s, schema.ColBucketowner, "required field is -")
	}
	r.v[schema.ColBucketowner] = owner
	if !p.parseTime(i) {
		return false
	}
	if i = skipSpaces(line, i+timeLen); i >= len(line) {
		return p.truncated(schema.ColRemoteip)
	}
	e = tokenEnd(line, i)
	r.v[schema.ColRemoteip] = nullable(line, i, e)
	if i = skipSpaces(line, e); i >= len(line) {
		return p.truncated(schema.ColRequester)
	}
	i, ok := p.requester(i)
	if !ok {
		return false
	}
	if i >= len(line) {
		return p.truncated(schema.ColKey)
	}
	e = tokenEnd(line, i)
	r.v[schema.ColKey] = nullable(line, i, e)
	if i = skipSpaces(line, e); i >= len(line) {
		return p.truncated(schema.ColRequesturi)
	}
	return p.quoted(i) && p.numbers()
}

// parseTime parses the bracketed time starting at line[i].
func (p *parser) parseTime(i int) bool {
	line := p.line
	end := i + timeLen
	if line[i] == '[' && end <= len(line) && line[end-1] == ']' && (end == len(line) || line[end] == ' ') {
		if t, ok := parseTime(line[i+1 : end-1]); ok {
			p.row.time = t
			p.row.v[schema.ColTime] = span{i + 1, end - 1}
			return true
		}
	}
	e := min(len(line), end)
	if k := bytes.IndexByte(line[i:], ']'); k >= 0 && i+k < end {
		e = i + k + 1
	}
	return p.fail(i, schema.ColTime, fmt.Sprintf("invalid time %q, want %s", line[i:e], timeLayout))
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
		e := tokenEnd(line, i)
		if k >= 1 && isOperation(line[i:e]) {
			if k == 1 {
				return 0, p.fail(first, schema.ColRequester, fmt.Sprintf("missing requester or request id before operation %q", line[i:e]))
			}
			p.row.v[schema.ColRequester] = nullable(line, first, prev2E)
			p.row.v[schema.ColRequestid] = nullable(line, prevS, prevE)
			p.row.v[schema.ColOperation] = span{i, e}
			return skipSpaces(line, e), true
		}
		prev2E, prevS, prevE = prevE, i, e
		i = skipSpaces(line, e)
	}
	if i >= len(line) {
		return 0, p.truncated(schema.ColOperation)
	}
	return 0, p.fail(first, schema.ColOperation, fmt.Sprintf("no operation (like REST.GET.OBJECT) within %d fields after the remote IP", maxRequesterTokens))
}

// isOperation reports whether b looks like an S3 operation: an upper-case
// word, then one or more dot-separated words (REST.GET.OBJECT,
// SOAP.CreateBucket, S3.COMPUTE.OBJECT.CHECKSUM).
func isOperation(b []byte) bool {
	// The first word is short (REST, SOAP, WEBSITE, BATCH, S3); stopping
	// after 10 bytes rejects a 16-character request id early.
	i := 0
	for i < len(b) && i <= 10 && (isUpper(b[i]) || isDigit(b[i])) {
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
		for i < len(b) && (isUpper(b[i]) || isLower(b[i]) || isDigit(b[i]) || b[i] == '_') {
			i++
		}
		if i == j {
			return false
		}
	}
	return true
}

// quoted reads fields 9 and up, starting at line[i] (the request URI).
//
// A quoted field may end at any '"' followed by a space (or, for the user
// agent, the end of the line). Every combination is tried, pruned by what
// must follow each field:
//   - after the request URI: six unquoted fields (status, error code, four
//     numbers), then a referrer that starts with '"' or is a bare "-";
//   - after the referrer: a user agent that starts with '"' or is "-";
//   - after the user agent: unquoted fields only, so a quoted user agent
//     ends at the last '"' of the line.
//
// The request URI, referrer and user agent are either all quoted or all a
// bare "-" (BATCH.DELETE.OBJECT lines). The first pass is also strict about
// values: status is 3 digits, the numbers are numbers, signatureversion
// starts with "Sig", ciphersuite with a capital letter, authenticationtype
// with a letter and tlsVersion with "TLS" (each may be "-").
// That settles every real line seen, such as a referrer "-" followed by a
// user agent that starts with '"' ("-" ""Mozilla/5.0 ... Safari/537.36" -)
// where a loose reading could also end the referrer at the user agent's
// last quote. When no strict reading exists, a loose pass (structure only)
// finds the reading, so that a bad value such as status 2OO is reported
// where it is rather than as a quoting problem. More than one reading in
// the deciding pass rejects the line as ambiguous.
func (p *parser) quoted(i int) bool {
	line := p.line
	p.quotes = p.quotes[:0]
	for j := i; ; {
		k := bytes.IndexByte(line[j:], '"')
		if k < 0 {
			break
		}
		p.quotes = append(p.quotes, j+k)
		j += k + 1
	}
	p.far = lineError{field: -1}
	p.found, p.tries, p.strict = 0, 0, true
	p.readURI(i)
	if p.found == 0 && p.tries <= maxReadings {
		p.strict = false
		p.readURI(i)
	}
	switch {
	case p.tries > maxReadings:
		return p.fail(i, schema.ColRequesturi, fmt.Sprintf("ambiguous quoting: more than %d ways to read the quoted fields", maxReadings))
	case p.found > 1:
		return p.fail(i, schema.ColRequesturi, "ambiguous quoting: the quoted request URI, referrer and user agent can be read more than one way")
	case p.found == 0 && (p.far.col == i+1 || strings.HasPrefix(p.far.reason, "truncated")):
		p.err = p.far // the line is short, or the request URI itself is wrong
		return false
	case p.found == 0:
		return p.fail(i, schema.ColRequesturi, fmt.Sprintf(
			"cannot tell where the quoted fields end: no reading of the request URI, referrer and user agent fits the fields that follow (at best: %s at column %d: %s)",
			schema.S3ServerAccess.Columns[p.far.field].Name, p.far.col, p.far.reason))
	}
	p.fill(&p.best)
	return true
}

// done reports whether the search for readings can stop.
func (p *parser) done() bool { return p.found > 1 || p.tries > maxReadings }

// readURI tries the readings of the request URI starting at line[i].
func (p *parser) readURI(i int) {
	line := p.line
	if isDashAt(line, i) {
		p.cur.uri = span{-1, -1}
		p.readMid(i+1, p.nextQuote(0, i))
		return
	}
	if line[i] != '"' {
		p.miss(i, schema.ColRequesturi, `want a quoted request ("GET /key HTTP/1.1") or -`)
		return
	}
	if p.nextQuote(0, i) == len(line) {
		p.miss(i, schema.ColRequesturi, "truncated line: unterminated quote")
		return
	}
	p.miss(i, schema.ColRequesturi, "no closing quote followed by the status")
	for k, c := range p.quotes {
		if c <= i || c+1 >= len(line) || line[c+1] != ' ' {
			continue
		}
		p.cur.uri = span{i + 1, c}
		p.readMid(c+1, p.nextQuote(k+1, c))
		if p.done() {
			return
		}
	}
}

// nextQuote returns the position of the first quote after pos, looking
// from p.quotes[k] on, or len(p.line) when there is none.
func (p *parser) nextQuote(k, pos int) int {
	for ; k < len(p.quotes); k++ {
		if p.quotes[k] > pos {
			return p.quotes[k]
		}
	}
	return len(p.line)
}

// readMid reads fields 10 to 15 from line[i:] (the space after the
// request URI), then tries the referrer. q is the position of the next
// quote after i (len(line) when none), which these fields must not reach.
func (p *parser) readMid(i, q int) {
	line := p.line
	for k := range p.cur.mid {
		col := schema.ColHttpstatus + k
		if i = skipSpaces(line, i); i >= len(line) {
			p.missTruncated(col)
			return
		}
		e := tokenEnd(line, i)
		tok := line[i:e]
		if e > q {
			p.miss(i, col, "unexpected quote")
			return
		}
		if p.strict && !strictMid(k, tok) {
			return
		}
		p.cur.mid[k] = span{i, e}
		i = e
	}
	if i = skipSpaces(line, i); i >= len(line) {
		p.missTruncated(schema.ColReferrer)
		return
	}
	p.readRef(i)
}

// strictMid reports whether tok is a plausible value of field 10+k.
func strictMid(k int, tok []byte) bool {
	if len(tok) == 1 && tok[0] == '-' {
		return true
	}
	switch k {
	case 0: // httpstatus
		return len(tok) == 3 && isDigit(tok[0]) && isDigit(tok[1]) && isDigit(tok[2])
	case 1: // errorcode: a PascalCase word (AccessDenied, NoSuchKey)
		// Only the first byte is checked: this runs on every candidate
		// reading, and the numbers that follow settle the rest.
		return isUpper(tok[0])
	}
	_, ok := parseInt(tok)
	return ok
}

// readRef tries the readings of the referrer starting at line[i].
func (p *parser) readRef(i int) {
	line := p.line
	if isDashAt(line, i) {
		if p.cur.uri.s >= 0 {
			p.miss(i, schema.ColReferrer, "a quoted request URI has a quoted referrer")
			return
		}
		p.cur.ref = span{-1, -1}
		if u := skipSpaces(line, i+1); u < len(line) {
			p.readUA(u)
		} else {
			p.missTruncated(schema.ColUseragent)
		}
		return
	}
	if line[i] != '"' {
		p.miss(i, schema.ColReferrer, "want a quoted referrer or -")
		return
	}
	if p.cur.uri.s < 0 {
		p.miss(i, schema.ColReferrer, "a bare - request URI has a bare - referrer")
		return
	}
	p.miss(i, schema.ColReferrer, "no closing quote followed by the user agent")
	for _, c := range p.quotes {
		if c <= i {
			continue
		}
		if c+1 >= len(line) {
			p.missTruncated(schema.ColUseragent)
			continue
		}
		if line[c+1] != ' ' {
			continue
		}
		u := skipSpaces(line, c+1)
		if u >= len(line) {
			p.missTruncated(schema.ColUseragent)
			continue
		}
		if line[u] != '"' && !isDashAt(line, u) {
			p.miss(u, schema.ColUseragent, "want a quoted user agent or -")
			continue
		}
		p.cur.ref = span{i + 1, c}
		p.readUA(u)
		if p.done() {
			return
		}
	}
}

// readUA reads the user agent starting at line[u]. No field after it is
// quoted, so a quoted user agent ends at the last quote of the line.
func (p *parser) readUA(u int) {
	line := p.line
	last := -1
	if n := len(p.quotes); n > 0 {
		last = p.quotes[n-1]
	}
	if isDashAt(line, u) {
		if p.cur.ref.s >= 0 {
			p.miss(u, schema.ColUseragent, "a quoted referrer has a quoted user agent")
			return
		}
		if last > u {
			p.miss(last, schema.ColVersionid, "unexpected quote after the user agent")
			return
		}
		p.cur.ua = span{-1, -1}
		p.readTail(u + 1)
		return
	}
	if p.cur.ref.s < 0 {
		p.miss(u, schema.ColUseragent, "a bare - referrer has a bare - user agent")
		return
	}
	if last <= u {
		p.miss(u, schema.ColUseragent, "unterminated quote")
		return
	}
	if last+1 < len(line) && line[last+1] != ' ' {
		p.miss(last, schema.ColUseragent, "the last quote of the line must end the user agent")
		return
	}
	p.cur.ua = span{u + 1, last}
	p.readTail(last + 1)
}

// readTail reads fields 18 to 26 from line[i:], which holds no quote,
// and counts the reading when they fit.
func (p *parser) readTail(i int) {
	p.tries++
	line := p.line
	n := 0
	for ; n < len(p.cur.tail); n++ {
		if i = skipSpaces(line, i); i >= len(line) {
			break
		}
		e := tokenEnd(line, i)
		if p.strict && !strictTail(schema.ColVersionid+n, line[i:e]) {
			return
		}
		p.cur.tail[n] = span{i, e}
		i = e
	}
	p.cur.ntail, p.cur.extra = n, i
	if p.found++; p.found == 1 {
		p.best = p.cur
	}
}

// strictTail reports whether tok is a plausible value of column col
// (versionid .. aclrequired).
func strictTail(col int, tok []byte) bool {
	if len(tok) == 1 && tok[0] == '-' {
		return true
	}
	switch col {
	case schema.ColSignatureversion:
		return bytes.HasPrefix(tok, []byte("Sig"))
	case schema.ColCiphersuite:
		return isUpper(tok[0])
	case schema.ColAuthenticationtype:
		return isUpper(tok[0]) || isLower(tok[0])
	case schema.ColTLSVersion:
		return bytes.HasPrefix(tok, []byte("TLS"))
	}
	return true
}

// fill stores the fields of reading rd in p.row.
func (p *parser) fill(rd *reading) {
	line, r := p.line, &p.row
	r.v[schema.ColRequesturi] = quotedValue(line, rd.uri)
	for k, s := range rd.mid {
		r.v[schema.ColHttpstatus+k] = nullable(line, s.s, s.e)
	}
	r.v[schema.ColReferrer] = quotedValue(line, rd.ref)
	r.v[schema.ColUseragent] = quotedValue(line, rd.ua)
	for k, s := range rd.tail[:rd.ntail] {
		r.v[schema.ColVersionid+k] = nullable(line, s.s, s.e)
	}
	for i := rd.extra; ; {
		if i = skipSpaces(line, i); i >= len(line) {
			return
		}
		e := tokenEnd(line, i)
		r.extra = append(r.extra, span{i, e})
		i = e
	}
}

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
			return p.fail(s.s, col, fmt.Sprintf("invalid integer %q", clip(b)))
		}
		r.n[col] = n
	}
	return true
}

// miss records why a reading failed, keeping the failure of the reading
// that got furthest through the fields, and among those the one that
// closed its quotes earliest (the natural reading). Only the loose pass
// records: its failures are the ones reported.
func (p *parser) miss(i, col int, reason string) {
	if !p.strict && (col > p.far.field || col == p.far.field && i+1 < p.far.col) {
		p.far = lineError{col: i + 1, field: col, reason: reason}
	}
}

// missTruncated records that the line ended before column col.
func (p *parser) missTruncated(col int) {
	if !p.strict {
		p.miss(len(p.line), col, truncatedReason(col))
	}
}

// fail sets p.err and returns false.
func (p *parser) fail(i, col int, reason string) bool {
	p.err = lineError{col: i + 1, field: col, reason: reason}
	return false
}

// truncated rejects the line because it ends before column col.
func (p *parser) truncated(col int) bool {
	return p.fail(len(p.line), col, truncatedReason(col))
}

// truncatedReason says that a line ended before column col.
func truncatedReason(col int) string {
	return fmt.Sprintf("truncated line: it ends before field %d (%s); a line has at least %d fields, through useragent",
		col+1, schema.S3ServerAccess.Columns[col].Name, minFields)
}

// quotedValue returns the content of a quoted field, NULL for a bare or
// quoted "-".
func quotedValue(line []byte, s span) span {
	if s.s < 0 {
		return null
	}
	return nullable(line, s.s, s.e)
}

// nullable returns the span of line[i:e], NULL for "-" and `"-"`.
func nullable(line []byte, i, e int) span {
	if isNull(line[i:e]) {
		return null
	}
	return span{i, e}
}

// clip shortens b for an error message.
func clip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

// isNull reports whether b is "-" or `"-"`, S3's NULL.
func isNull(b []byte) bool {
	return len(b) == 1 && b[0] == '-' || len(b) == 3 && b[0] == '"' && b[1] == '-' && b[2] == '"'
}

// isDashAt reports whether line[i:] starts with a bare "-" token.
func isDashAt(line []byte, i int) bool {
	return line[i] == '-' && (i+1 == len(line) || line[i+1] == ' ')
}

// skipSpaces returns the index of the first byte at or after i that is not
// a space.
func skipSpaces(b []byte, i int) int {
	for i < len(b) && b[i] == ' ' {
		i++
	}
	return i
}

// tokenEnd returns the index of the first space at or after i, or len(b).
func tokenEnd(b []byte, i int) int {
	// Eight bytes at a time (SWAR): most tokens are short ("-", "200"), for
	// which the call overhead of bytes.IndexByte dominates. x has a zero
	// byte where b has a space; the classic (x-0x01..)&^x&0x80.. test flags
	// the lowest zero byte exactly (higher flags may be false positives,
	// which TrailingZeros ignores).
	// Past 16 bytes the token is long (an owner id, a host id), and the
	// vectorised bytes.IndexByte wins.
	for end := i + 16; i+8 <= len(b); i += 8 {
		if i >= end {
			if k := bytes.IndexByte(b[i:], ' '); k >= 0 {
				return i + k
			}
			return len(b)
		}
		x := binary.LittleEndian.Uint64(b[i:]) ^ 0x2020202020202020
		if t := (x - 0x0101010101010101) &^ x & 0x8080808080808080; t != 0 {
			return i + bits.TrailingZeros64(t)/8
		}
	}
	for i < len(b) && b[i] != ' ' {
		i++
	}
	return i
}

// parseInt parses a non-negative decimal integer that fits in an int64.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

package loader

// The JSON record scanner: one flat JSON object per line, as AWS's
// CloudWatch Logs delivery writes server access log records
// (schema.AWSFields), strictly validated (RFC 8259: strings without raw
// control characters, escapes that exist, numbers of JSON's grammar) and
// without encoding/json, which costs several times the text parser per
// record. Values go straight into a recBuilder; nothing is allocated per
// record once the buffers have grown.
//
// Accepted around a record (the CloudWatch Logs wrappers):
//   - a timestamp before it, as a CloudWatch Logs export line has:
//     2026-07-01T12:34:56.789Z {"bucket_name": ...}; the timestamp must
//     be an ISO 8601 time and is not stored (request_time is the time);
//   - an object whose "message" is the record, as a string of JSON or an
//     object ({"message": "{...}"} from subscription and export tools, with
//     any other keys such as timestamp or id); the wrapper's other keys are
//     not stored. Only when the outer object has none of the record's keys.
// Not accepted: several records on one line (Firehose concatenating records
// without newlines): such a line is rejected as malformed, saying so.

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/s3logs/s3logs/schema"
)

// maxJSONDepth bounds the nesting of a value under an unknown key; deeper
// input is rejected rather than followed (a line of 64 MB of '[' would
// otherwise recurse millions of times).
const maxJSONDepth = 32

// jsonParser holds the state of the JSON scanner; it is reused from line
// to line.
type jsonParser struct {
	recBuilder
	line  []byte // the line being parsed
	inner []byte // the record inside a {"message": "..."} wrapper, unescaped
	key   []byte // a key with escapes, unescaped
	times jsonTimeCache

	// message is where the "message" key's value is: a string (unescaped
	// at buf[message.s:message.e]) or an object (line[message.s:message.e]).
	message    span
	messageObj bool
	wrapped    bool // parsing the record inside a wrapper
	batch      bool // the object has logEvents: a CloudWatch Logs subscription batch

	// clean: the line has no '\\' and no control character, as nearly
	// every record: a string then ends at the next quote, found in the
	// line's quote bitmap (idx.quoteBits, made by the text tokenizer's
	// SIMD index) instead of by a scan per string. Measured with
	// BenchmarkJSONvsText (one core, a loaded machine): json/text 0.46
	// with a SWAR scan per string, about 0.5 with the bitmap, and 0.55 to
	// 0.6 with fastObject besides.
	clean  bool
	idx    parser
	noFast bool // never take fastObject (tests compare the two paths)
}

// parse parses line (without its line ending) into p.row, whose spans
// point into p.buf. On false, p.err says why.
func (p *jsonParser) parse(line []byte) bool {
	p.wrapped, p.batch = false, false
	if !p.parseObject(line, true) {
		return false
	}
	if p.batch && p.seen == 0 {
		return p.fail(0, schema.RejectNotLog, "a CloudWatch Logs subscription batch (logEvents), not a record: s3logs reads one record per line; extract the messages first")
	}
	if p.seen == 0 && !p.message.isNull() {
		// {"message": ...} and nothing of the record: a wrapper, when the
		// message is an object (or a string holding one).
		var inner []byte
		if p.messageObj {
			inner = line[p.message.s:p.message.e]
		} else {
			p.inner = append(p.inner[:0], p.values()[p.message.s:p.message.e]...)
			inner = p.inner
		}
		if i := skipWS(inner, 0); i == len(inner) || inner[i] != '{' {
			return p.finish()
		}
		p.wrapped = true
		if !p.parseObject(inner, false) {
			p.err.col = 0 // a column of the unescaped message is not one of the line
			return false
		}
	}
	if p.alias != nil && p.needsBuf() {
		p.own()
	}
	return p.finish()
}

// own makes buf a copy of the line the spans point into, so that values
// can be appended after it: until a value needs unescaping (or a key=value
// must be made), the spans point into the line itself (recBuilder.alias).
func (p *jsonParser) own() {
	if p.alias != nil {
		p.buf = append(p.buf[:0], p.alias...)
		p.alias = nil
	}
}

// strValue reads the string at line[i] == '"' and returns the index after
// it and the span of its value: in the line when it has no escapes (and
// the line is not copied yet), else unescaped onto buf.
func (p *jsonParser) strValue(i int) (int, span, bool) {
	line := p.line
	if e := p.plain(i + 1); e < len(line) && line[e] == '"' {
		return e + 1, span{i + 1, e}, true
	}
	p.own()
	s := len(p.buf)
	e, _, ok := p.str(i)
	return e, span{s, len(p.buf)}, ok
}

// parseObject parses line as one JSON object with optional whitespace
// around it (and, when top, a timestamp before it).
func (p *jsonParser) parseObject(line []byte, top bool) bool {
	p.line = line
	p.start()
	p.alias = line
	p.message = null
	if p.clean = jsonClean(line); p.clean {
		ascii, _ := p.idx.index(line)
		p.high = !ascii
	}
	i := skipWS(line, 0)
	if i < len(line) && line[i] != '{' && top {
		var ok bool
		if i, ok = p.skipPrefix(i); !ok {
			return false
		}
	}
	if i == len(line) || line[i] != '{' {
		if i == len(line) {
			return p.fail(0, schema.RejectNotLog, "not a JSON record: no object")
		}
		return p.fail(i+1, schema.RejectNotLog, "not a JSON record: %q where an object should start", clip(line[i:]))
	}
	if !p.noFast && p.clean {
		if e, ok := p.fastObject(i); ok && skipWS(line, e) == len(line) {
			return true
		}
		// Anything the fast path does not take is read again by the
		// general one, which decides (and says why it rejects).
		high := p.high
		p.start()
		p.alias, p.message, p.high = line, null, high
	}
	i, ok := p.object(i)
	if !ok {
		return false
	}
	if i = skipWS(line, i); i < len(line) {
		if line[i] == '{' {
			return p.fail(i+1, schema.RejectJSON, "another record after the first on the same line (records must be one per line)")
		}
		return p.fail(i+1, schema.RejectJSON, "%q after the end of the record", clip(line[i:]))
	}
	return true
}

// fastObject parses the object at line[i] == '{' of a clean line in the
// shape AWS writes (keys of AWSFields, fastest in its order, perhaps after
// bucket_arn and schema_version_id, no whitespace, values of the right
// types), into
// the builder, and returns the index after its '}'. ok is false for
// anything else (an unknown or misplaced key, a key twice, whitespace, a
// wrong type, a number that is not a plain integer, a bad time): the
// general path (object) then reads the line again, so that the two agree
// on every line (TestJSONFastAgrees, FuzzJSON).
func (p *jsonParser) fastObject(i int) (int, bool) {
	line, q := p.line, p.idx.quoteBits
	n := len(line)
	i++
	if i < n && line[i] == '}' {
		return i + 1, true
	}
	for f := 0; ; {
		if i >= n || line[i] != '"' {
			return i, false
		}
		k := -1
		var e int
		if f < len(awsFields) {
			// The key expected next, compared in place: in a clean line a
			// string ends at the first quote, and keys hold none.
			want := awsFields[f].key
			if e = i + 1 + len(want); e < n && line[e] == '"' && string(line[i+1:e]) == want {
				k = f
			}
		}
		if k < 0 {
			e = nextBit(q, i+1, n) // the key's closing quote
		}
		if e+2 >= n || line[e+1] != ':' {
			return i, false
		}
		key, v := line[i+1:e], e+2
		for g := f; k < 0 && g < len(awsFields); g++ { // keys in order; absent ones skipped
			if string(key) == awsFields[g].key {
				k = g
				break
			}
		}
		for g := 0; k < 0 && g < f; g++ { // a key out of order
			if string(key) == awsFields[g].key {
				k = g
			}
		}
		switch {
		case k >= 0:
			if p.seen&(1<<k) != 0 {
				return i, false
			}
			p.seen |= 1 << k
			f = k + 1
			if i = p.fastValue(k, v); i < 0 {
				return i, false
			}
		case p.seen == 0 && line[v] == '"' && (string(key) == schema.AWSBucketARN || string(key) == schema.AWSSchemaVersion):
			ve := nextBit(q, v+1, n)
			if ve >= n {
				return i, false
			}
			if key[0] == 'b' {
				p.arn = span{v + 1, ve}
			} else {
				p.version = span{v + 1, ve}
			}
			i = ve + 1
		default:
			return i, false
		}
		if i >= n {
			return i, false
		}
		switch line[i] {
		case ',':
			i++
		case '}':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// fastValue reads the value at line[v] of field f for fastObject and
// returns the index after it, or -1 when the general path must decide.
func (p *jsonParser) fastValue(f, v int) int {
	line := p.line
	switch c := line[v]; {
	case c == 'n':
		if v+4 <= len(line) && string(line[v:v+4]) == "null" {
			return v + 4
		}
	case c == '"':
		ve := nextBit(p.idx.quoteBits, v+1, len(line))
		if ve >= len(line) {
			return -1
		}
		switch awsFields[f].typ {
		case schema.String:
			if f == fieldRegion || awsFields[f].elem == 0 {
				p.setString(f, span{v + 1, ve})
			}
			return ve + 1
		case schema.Timestamp:
			if us, ok := p.times.parse(line[v+1 : ve]); ok {
				p.setTime(us)
				return ve + 1
			}
		}
	case isDigit(c) && awsFields[f].typ == schema.BigInt:
		e := v
		for e < len(line) && isDigit(line[e]) {
			e++
		}
		if e < len(line) && (line[e] == '.' || line[e] == 'e' || line[e] == 'E') || e-v > 1 && c == '0' {
			return -1
		}
		if n, ok := parseInt(line[v:e]); ok {
			p.setInt(f, n)
			return e
		}
	}
	return -1
}

// skipPrefix skips the ISO 8601 timestamp a CloudWatch Logs export writes
// before each record, and the spaces after it; it returns where the record
// starts.
func (p *jsonParser) skipPrefix(i int) (int, bool) {
	line := p.line
	e := i
	for e < len(line) && line[e] != ' ' && line[e] != '\t' {
		e++
	}
	if _, ok := parseISOTime(line[i:e]); !ok || e == len(line) {
		return i, p.fail(i+1, schema.RejectNotLog, "not a JSON record: %q where an object (or a timestamp and an object) should start", clip(line[i:]))
	}
	return skipWS(line, e), true
}

// object parses the object starting at line[i] == '{' and returns the
// index after its '}'.
func (p *jsonParser) object(i int) (int, bool) {
	line := p.line
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == '}' {
		return i + 1, true
	}
	next := 0 // the field expected next: AWS writes the keys in one order
	for {
		if i >= len(line) {
			return i, p.fail(0, schema.RejectJSON, "truncated record: it ends inside the object")
		}
		if line[i] != '"' {
			return i, p.fail(i+1, schema.RejectJSON, "expected a key in quotes, found %q", clip(line[i:]))
		}
		ks := i
		var key []byte
		var e int
		ok := false
		if next < len(awsFields) && p.clean {
			// The key AWS writes next, compared in place: in a line
			// without backslashes a key ends at the first quote.
			k := awsFields[next].key
			if e = i + 1 + len(k); e < len(line) && line[e] == '"' && string(line[i+1:e]) == k {
				key, e, ok = line[i+1:e], e+1, true
			}
		}
		if !ok {
			if key, e, ok = p.keyAt(i); !ok {
				return e, false
			}
		}
		i = skipWS(line, e)
		if i >= len(line) || line[i] != ':' {
			if i >= len(line) {
				return i, p.fail(0, schema.RejectJSON, "truncated record: it ends after key %q", clip(key))
			}
			return i, p.fail(i+1, schema.RejectJSON, "expected ':' after key %q", clip(key))
		}
		i = skipWS(line, i+1)
		if i >= len(line) {
			return i, p.fail(0, schema.RejectJSON, "truncated record: no value for key %q", clip(key))
		}
		f := -1
		if next < len(awsFields) && awsFields[next].key == string(key) {
			f = next
		} else if k, ok := awsIndex[string(key)]; ok {
			f = k
		}
		if f >= 0 {
			next = f + 1
			if !p.mark(ks+1, f) {
				return i, false
			}
			i, ok = p.field(f, i)
		} else {
			i, ok = p.other(key, i)
		}
		if !ok {
			return i, false
		}
		i = skipWS(line, i)
		if i >= len(line) {
			return i, p.fail(0, schema.RejectJSON, "truncated record: it ends before the object's '}'")
		}
		switch line[i] {
		case ',':
			i = skipWS(line, i+1)
		case '}':
			return i + 1, true
		default:
			return i, p.fail(i+1, schema.RejectJSON, "expected ',' or '}' after the value of %q, found %q", clip(key), clip(line[i:]))
		}
	}
}

// keyAt reads the key at line[i] == '"' and returns it (a sub-slice of the
// line, or of p.key when it has escapes) and the index after it. A key
// without escapes, the rule, is not copied.
func (p *jsonParser) keyAt(i int) (key []byte, e int, ok bool) {
	line := p.line
	if e = p.plain(i + 1); e < len(line) && line[e] == '"' {
		return line[i+1 : e], e + 1, true
	}
	p.own()
	s := len(p.buf)
	e, _, ok = p.str(i)
	if !ok {
		return nil, e, false
	}
	p.key = append(p.key[:0], p.buf[s:]...)
	p.buf = p.buf[:s]
	return p.key, e, true
}

// field parses the value at line[i] of field f and sets it.
func (p *jsonParser) field(f, i int) (int, bool) {
	line := p.line
	c := line[i]
	if c == 'n' {
		return p.literal(i, "null", f)
	}
	switch awsFields[f].typ {
	case schema.String:
		if c != '"' {
			return p.wrongType(f, i, "a string")
		}
		e, v, ok := p.strValue(i)
		if ok && (f == fieldRegion || awsFields[f].elem == 0) {
			p.setString(f, v)
		}
		return e, ok
	case schema.BigInt:
		if c != '-' && !isDigit(c) {
			return p.wrongType(f, i, "an integer")
		}
		e, n, ok := p.integer(f, i)
		if ok {
			p.setInt(f, n)
		}
		return e, ok
	case schema.Timestamp:
		if c != '"' {
			return p.wrongType(f, i, "an ISO 8601 time in a string")
		}
		e, v, ok := p.strValue(i)
		if !ok {
			return e, false
		}
		val := p.values()[v.s:v.e]
		us, ok := p.times.parse(val)
		if !ok {
			return e, p.failField(i+1, f, schema.RejectTime, "invalid time %q: want ISO 8601 yyyy-mm-ddThh:mm:ss.sssZ", clip(val))
		}
		p.setTime(us)
		return e, true
	}
	return p.wrongType(f, i, "")
}

// wrongType rejects the value at line[i] of field f, which is not of the
// type want.
func (p *jsonParser) wrongType(f, i int, want string) (int, bool) {
	e, ok := p.skip(i, 0)
	if !ok {
		return e, false
	}
	return e, p.failField(i+1, f, schema.RejectType, "%s: want %s or null, found %s", awsFields[f].key, want, clip(p.line[i:e]))
}

// literal parses the literal lit (null, true, false) at line[i]; f is the
// field it is the value of, or -1.
func (p *jsonParser) literal(i int, lit string, f int) (int, bool) {
	if len(p.line)-i < len(lit) || string(p.line[i:i+len(lit)]) != lit {
		return i, p.fail(i+1, schema.RejectJSON, "invalid literal %q", clip(p.line[i:]))
	}
	return i + len(lit), true
}

// integer parses the JSON number at line[i] as the value of bigint field f:
// a non-negative integer that fits in 64 bits.
func (p *jsonParser) integer(f, i int) (int, int64, bool) {
	line := p.line
	e := i
	for e < len(line) && isDigit(line[e]) {
		e++
	}
	if e < len(line) && (line[e] == '.' || line[e] == 'e' || line[e] == 'E') || line[i] == '-' {
		e, ok := p.number(i)
		if !ok {
			return e, 0, false
		}
		return e, 0, p.failField(i+1, f, schema.RejectInteger, "%s: %s is not a non-negative integer", awsFields[f].key, line[i:e])
	}
	if e-i > 1 && line[i] == '0' {
		return e, 0, p.fail(i+1, schema.RejectJSON, "invalid number %q: leading zero", clip(line[i:e]))
	}
	n, ok := parseInt(line[i:e])
	if !ok {
		return e, 0, p.failField(i+1, f, schema.RejectInteger, "%s: %s does not fit in 64 bits", awsFields[f].key, clip(line[i:e]))
	}
	return e, n, true
}

// number validates the JSON number at line[i] and returns its end.
func (p *jsonParser) number(i int) (int, bool) {
	line := p.line
	e := i
	if e < len(line) && line[e] == '-' {
		e++
	}
	d := e
	for e < len(line) && isDigit(line[e]) {
		e++
	}
	bad := e == d || e-d > 1 && line[d] == '0'
	if !bad && e < len(line) && line[e] == '.' {
		e++
		d = e
		for e < len(line) && isDigit(line[e]) {
			e++
		}
		bad = e == d
	}
	if !bad && e < len(line) && (line[e] == 'e' || line[e] == 'E') {
		e++
		if e < len(line) && (line[e] == '+' || line[e] == '-') {
			e++
		}
		d = e
		for e < len(line) && isDigit(line[e]) {
			e++
		}
		bad = e == d
	}
	if bad {
		return e, p.fail(i+1, schema.RejectJSON, "invalid number %q", clip(line[i:min(e+1, len(line))]))
	}
	return e, true
}

// other parses the value at line[i] of a key the table has no column for:
// bucket_arn and schema_version_id (kept when they say something new, see
// recBuilder.finish), "message" (perhaps a wrapper), or an unknown key,
// kept as "key=value" with the value as written (a string unescaped).
func (p *jsonParser) other(key []byte, i int) (int, bool) {
	line := p.line
	switch string(key) {
	case schema.AWSBucketARN, schema.AWSSchemaVersion:
		if line[i] == '"' {
			e, v, ok := p.strValue(i)
			if ok {
				if key[0] == 'b' {
					p.arn = v
				} else {
					p.version = v
				}
			}
			return e, ok
		}
	case "message":
		if !p.wrapped {
			return p.messageValue(key, i)
		}
	case "logEvents":
		p.batch = true
	}
	if line[i] == 'n' {
		return p.literal(i, "null", -1) // no value: nothing to keep
	}
	p.own()
	s := len(p.buf)
	p.buf = append(p.buf, key...)
	p.buf = append(p.buf, '=')
	var e int
	var ok bool
	if line[i] == '"' {
		e, _, ok = p.str(i)
	} else {
		e, ok = p.skip(i, 0)
		p.buf = append(p.buf, line[i:e]...)
		p.high = p.high || hasHigh(line[i:e])
	}
	if ok {
		p.unknown = append(p.unknown, span{s, len(p.buf)})
	}
	return e, ok
}

// messageValue parses the value of a "message" key, remembering where it
// is in case the object is a wrapper (see parse); otherwise it is kept as
// an unknown key.
func (p *jsonParser) messageValue(key []byte, i int) (int, bool) {
	line := p.line
	p.own()
	s := len(p.buf)
	p.buf = append(p.buf, "message="...)
	var e int
	var ok bool
	switch line[i] {
	case '"':
		e, _, ok = p.str(i)
		p.message, p.messageObj = span{s + len("message="), len(p.buf)}, false
	case '{':
		e, ok = p.skip(i, 0)
		p.buf = append(p.buf, line[i:e]...)
		p.message, p.messageObj = span{i, e}, true
	default:
		e, ok = p.skip(i, 0)
		p.buf = append(p.buf, line[i:e]...)
	}
	if ok {
		p.unknown = append(p.unknown, span{s, len(p.buf)})
	}
	return e, ok
}

// skip validates the value at line[i], depth levels deep, and returns its
// end. Strings are unescaped into p.buf and dropped.
func (p *jsonParser) skip(i, depth int) (int, bool) {
	line := p.line
	switch c := line[i]; {
	case c == '"':
		if e := p.plain(i + 1); e < len(line) && line[e] == '"' {
			return e + 1, true
		}
		p.own()
		s := len(p.buf)
		e, _, ok := p.str(i)
		p.buf = p.buf[:s]
		return e, ok
	case c == 'n':
		return p.literal(i, "null", -1)
	case c == 't':
		return p.literal(i, "true", -1)
	case c == 'f':
		return p.literal(i, "false", -1)
	case c == '-' || isDigit(c):
		return p.number(i)
	case c == '{' || c == '[':
		if depth >= maxJSONDepth {
			return i, p.fail(i+1, schema.RejectJSON, "nested more than %d levels deep", maxJSONDepth)
		}
		return p.container(i, depth)
	}
	return i, p.fail(i+1, schema.RejectJSON, "expected a value, found %q", clip(line[i:]))
}

// container validates the object or array at line[i].
func (p *jsonParser) container(i, depth int) (int, bool) {
	line := p.line
	obj := line[i] == '{'
	closer := byte(']')
	if obj {
		closer = '}'
	}
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == closer {
		return i + 1, true
	}
	for {
		if i >= len(line) {
			return i, p.fail(0, schema.RejectJSON, "truncated record: it ends inside a nested value")
		}
		var ok bool
		if obj {
			if line[i] != '"' {
				return i, p.fail(i+1, schema.RejectJSON, "expected a key in quotes, found %q", clip(line[i:]))
			}
			if i, ok = p.skip(i, depth+1); !ok {
				return i, false
			}
			if i = skipWS(line, i); i >= len(line) || line[i] != ':' {
				return i, p.fail(min(i+1, len(line)), schema.RejectJSON, "expected ':' after a key")
			}
			i = skipWS(line, i+1)
			if i >= len(line) {
				continue
			}
		}
		if i, ok = p.skip(i, depth+1); !ok {
			return i, false
		}
		if i = skipWS(line, i); i >= len(line) {
			continue
		}
		switch line[i] {
		case ',':
			i = skipWS(line, i+1)
		case closer:
			return i + 1, true
		default:
			return i, p.fail(i+1, schema.RejectJSON, "expected ',' or %q, found %q", closer, clip(line[i:]))
		}
	}
}

// str unescapes the string at line[i] == '"' onto p.buf and returns the
// index after its closing quote, and whether it had escapes. Raw control
// characters, unknown escapes and a missing closing quote are rejected; a
// NUL character (\u0000) is rejected as binary, as a NUL byte in a text
// line is.
func (p *jsonParser) str(i int) (e int, esc, ok bool) {
	line := p.line
	i++
	for {
		s := i
		i = p.plain(i)
		p.buf = append(p.buf, line[s:i]...)
		if i >= len(line) {
			return i, esc, p.fail(0, schema.RejectJSON, "truncated record: a string is not closed")
		}
		switch c := line[i]; {
		case c == '"':
			return i + 1, esc, true
		case c < 0x20:
			return i, esc, p.fail(i+1, schema.RejectJSON, "control character 0x%02x inside a string (it must be escaped)", c)
		}
		esc = true
		var ok bool
		if i, ok = p.escape(i); !ok {
			return i, esc, false
		}
	}
}

// plain returns the index of the first '"', '\\' or control character at
// or after i (len(p.line) when there is none), noting a byte >= 0x80 in
// p.high. Eight bytes at a time (see zeroBytes): the values are long
// (user agents, host ids, request URIs) and escapes rare.
func (p *jsonParser) plain(i int) int {
	line := p.line
	if p.clean {
		return nextBit(p.idx.quoteBits, i, len(line))
	}
	var high uint64
	for i+8 <= len(line) {
		x := binary.LittleEndian.Uint64(line[i:])
		high |= x
		if m := zeroBytes(x^0x2222222222222222) | zeroBytes(x^0x5c5c5c5c5c5c5c5c) | zeroBytes(x&0xe0e0e0e0e0e0e0e0); m != 0 {
			i += bits.TrailingZeros64(m) / 8
			p.high = p.high || high&0x8080808080808080 != 0
			return i
		}
		i += 8
	}
	p.high = p.high || high&0x8080808080808080 != 0
	for i < len(line) && line[i] != '"' && line[i] != '\\' && line[i] >= 0x20 {
		if line[i] >= 0x80 {
			p.high = true
		}
		i++
	}
	return i
}

// escape unescapes the escape sequence at line[i] == '\\' onto p.buf and
// returns the index after it. A lone UTF-16 surrogate becomes U+FFFD, as
// encoding/json does.
func (p *jsonParser) escape(i int) (int, bool) {
	line := p.line
	if i+1 >= len(line) {
		return i, p.fail(0, schema.RejectJSON, "truncated record: it ends inside an escape")
	}
	switch c := line[i+1]; c {
	case '"', '\\', '/':
		p.buf = append(p.buf, c)
	case 'b':
		p.buf = append(p.buf, '\b')
	case 'f':
		p.buf = append(p.buf, '\f')
	case 'n':
		p.buf = append(p.buf, '\n')
	case 'r':
		p.buf = append(p.buf, '\r')
	case 't':
		p.buf = append(p.buf, '\t')
	case 'u':
		r, ok := hex4(line, i+2)
		if !ok {
			return i, p.fail(i+1, schema.RejectJSON, "invalid escape %q", clip(line[i:min(i+6, len(line))]))
		}
		n := i + 6
		if utf16.IsSurrogate(r) {
			if r2, ok := hex4(line, n+2); ok && line[n] == '\\' && line[n+1] == 'u' {
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r, n = d, n+6
				} else {
					r = utf8.RuneError
				}
			} else {
				r = utf8.RuneError
			}
		}
		if r == 0 {
			return i, p.fail(i+1, schema.RejectBinary, "a NUL character (\\u0000) in a string")
		}
		if r >= 0x80 {
			p.high = true
		}
		p.buf = utf8.AppendRune(p.buf, r)
		return n, true
	default:
		return i, p.fail(i+1, schema.RejectJSON, "invalid escape %q", clip(line[i:i+2]))
	}
	return i + 2, true
}

// hex4 reads the four hex digits at line[i:].
func hex4(line []byte, i int) (rune, bool) {
	if i+4 > len(line) || i < 0 {
		return 0, false
	}
	var r rune
	for _, c := range line[i : i+4] {
		switch {
		case isDigit(c):
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// skipWS returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipWS(line []byte, i int) int {
	for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\n' || line[i] == '\r') {
		i++
	}
	return i
}

// jsonClean reports whether line holds no '\\' (bytes.IndexByte: SIMD)
// and no control character (below 0x20): 32 bytes at a time, with
// the "any byte less than n" test (x - n*0x01..) & ^x & 0x80.., which is
// exact for whether any byte is below n (though not for which), and no
// branch per word.
func jsonClean(line []byte) bool {
	if bytes.IndexByte(line, '\\') >= 0 {
		return false
	}
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	var m uint64
	i := 0
	for ; i+32 <= len(line); i += 32 {
		w := line[i : i+32 : i+32] // one bounds check for the four loads
		a, b := binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[8:])
		c, d := binary.LittleEndian.Uint64(w[16:]), binary.LittleEndian.Uint64(w[24:])
		m |= (a-0x20*ones)&^a | (b-0x20*ones)&^b | (c-0x20*ones)&^c | (d-0x20*ones)&^d
	}
	if m&highs != 0 {
		return false
	}
	for ; i < len(line); i++ {
		if line[i] < 0x20 {
			return false
		}
	}
	return true
}

// nextBit returns the index of the first set bit at or after i in the
// bitmap bm of a line of n bytes, or n when there is none.
func nextBit(bm []uint64, i, n int) int {
	k := i >> 6
	if k >= len(bm) {
		return n
	}
	if w := bm[k] >> uint(i&63); w != 0 {
		return min(i+bits.TrailingZeros64(w), n)
	}
	for k++; k < len(bm); k++ {
		if bm[k] != 0 {
			return min(k<<6+bits.TrailingZeros64(bm[k]), n)
		}
	}
	return n
}

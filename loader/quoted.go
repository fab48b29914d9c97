package loader

// The quoted part of a line: request URI, referrer and user agent, whose
// content S3 does not escape, and the fields between and after them.

import (
	"bytes"
	"fmt"
	"math/bits"

	"github.com/s3logs/s3logs/schema"
)

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
// The passes (see passes) go from the most to the least constrained, and
// the first that finds a reading decides. The first is strict about
// structure: the request URI, referrer and user agent are either all
// quoted or all a bare "-" (BATCH.DELETE.OBJECT lines); and about values:
// status is 3 digits, the numbers are numbers, signatureversion starts
// with "Sig", ciphersuite with a capital letter, authenticationtype with a
// letter and tlsVersion with "TLS" (each may be "-"). That settles every
// real line seen, such as a referrer "-" followed by a user agent that
// starts with '"' ("-" ""Mozilla/5.0 ... Safari/537.36" -), where a looser
// reading could also end the referrer at the user agent's last quote. The
// second pass drops the value checks, so that a bad value such as status
// 2OO is reported where it is rather than as a quoting problem; the last
// two allow a mix of quoted fields and bare "-". More than one reading in
// the deciding pass rejects the line as ambiguous. The failures reported
// are those of the second pass, whose structure is the one S3 writes.
// Lines with exactly six quotes, nearly all, first try natural, which
// gives the same result without the search.
func (p *parser) quoted(i int) bool {
	line := p.line
	p.quotes = p.quotes[:0]
	for k := i >> 6; k < len(p.quoteBits); k++ {
		w := p.quoteBits[k]
		if k == i>>6 {
			w &^= 1<<(i&63) - 1 // the quotes before i
		}
		for ; w != 0; w &= w - 1 {
			if len(p.quotes) == maxSteps {
				return p.fail(i, schema.ColRequesturi, schema.RejectAmbiguous, "ambiguous quoting: too many possible ends of the quoted fields to try")
			}
			p.quotes = append(p.quotes, k<<6+bits.TrailingZeros64(w))
		}
	}
	p.shortcut = !p.full && len(p.quotes) == 6 && p.quotes[0] == i && len(line) <= maxNaturalLine && p.natural(i)
	if p.shortcut {
		return true
	}
	p.far = lineError{field: -1}
	p.found, p.tries, p.steps = 0, 0, 0
	for _, pass := range passes {
		if p.found > 0 || p.tries > maxReadings || p.steps > maxSteps {
			break
		}
		p.strict, p.mixed = pass.strict, pass.mixed
		p.readURI(i)
	}
	switch {
	case p.tries > maxReadings || p.steps > maxSteps:
		return p.fail(i, schema.ColRequesturi, schema.RejectAmbiguous, "ambiguous quoting: too many possible ends of the quoted fields to try")
	case p.found > 1:
		return p.fail(i, schema.ColRequesturi, schema.RejectAmbiguous, "ambiguous quoting: the quoted request URI, referrer and user agent can be read more than one way")
	case p.found == 0 && (p.far.col == i+1 || p.far.kind == schema.RejectTruncated):
		p.err = p.far // the line is short, or the request URI itself is wrong
		return false
	case p.found == 0 && p.far.field < 0: // not expected: every failed reading says why
		return p.fail(i, schema.ColRequesturi, schema.RejectQuoting, "cannot tell where the quoted fields end")
	case p.found == 0:
		return p.fail(i, schema.ColRequesturi, schema.RejectQuoting, fmt.Sprintf(
			"cannot tell where the quoted fields end: no reading of the request URI, referrer and user agent fits the fields that follow (at best: %s at column %d: %s)",
			schema.S3ServerAccess.Columns[p.far.field].Name, p.far.col, p.far.reason))
	}
	p.fill(&p.best)
	return true
}

// maxNaturalLine is the longest line natural is tried on: far below the
// length at which the search's step budget could matter.
const maxNaturalLine = 64 << 10

// natural reads the quoted part of a line shaped as nearly every line is:
// exactly six quotes from the request URI on, the first opening it. Of all
// the readings the first pass of the search tries, only one can then fit:
// the request URI closed by the second quote, the referrer by the fourth,
// the user agent opened by the fifth and closed by the sixth (a referrer
// must start with the quote after the URI's close, the user agent with the
// quote after the referrer's close, and the user agent ends at the last
// quote). natural checks that reading as the first pass would, fields and
// values, and stores it in p.row as fill and numbers would. When it
// returns false the search runs as for any other line, so the result
// never depends on this shortcut; it only saves trying the readings that
// cannot fit. TestNaturalAgrees and FuzzNatural hold it to the search.
func (p *parser) natural(i int) bool {
	line, q, r := p.line, p.quotes, &p.row
	if line[q[1]+1] != ' ' || line[q[3]+1] != ' ' || q[5]+1 < len(line) && line[q[5]+1] != ' ' {
		return false // (q[1] and q[3] are followed by another quote, so +1 is in range)
	}
	// The fields go straight to p.row, as fill would store them; the
	// integers are converted here (strictMid has checked them), so that
	// numbers has nothing left to do.
	j := q[1] + 1
	for k := range p.cur.mid {
		col := schema.ColHttpstatus + k
		if j = p.skipSpaces(j); j >= len(line) {
			return p.unnatural()
		}
		e := p.tokenEnd(j)
		tok := line[j:e]
		if e > q[2] {
			return p.unnatural()
		}
		// strictMid's checks, with each integer parsed once.
		switch {
		case len(tok) == 1 && tok[0] == '-':
			r.v[col] = null
		case k == 1: // errorcode
			if !isUpper(tok[0]) {
				return p.unnatural()
			}
			r.v[col] = span{j, e}
		default:
			n, ok := parseInt(tok)
			if !ok || k == 0 && len(tok) != 3 {
				return p.unnatural()
			}
			r.n[col], r.v[col] = n, span{j, e}
		}
		j = e
	}
	if p.skipSpaces(j) != q[2] || p.skipSpaces(q[3]+1) != q[4] {
		return p.unnatural()
	}
	r.v[schema.ColRequesturi] = nullable(line, i+1, q[1])
	r.v[schema.ColReferrer] = nullable(line, q[2]+1, q[3])
	r.v[schema.ColUseragent] = nullable(line, q[4]+1, q[5])
	j = q[5] + 1
	for col := schema.ColVersionid; col < schema.NumLogFields; col++ {
		if j = p.skipSpaces(j); j >= len(line) {
			return true
		}
		e := p.tokenEnd(j)
		if !strictTail(col, line[j:e]) {
			return p.unnatural()
		}
		r.v[col] = nullable(line, j, e)
		j = e
	}
	for {
		if j = p.skipSpaces(j); j >= len(line) {
			return true
		}
		e := p.tokenEnd(j)
		r.extra = append(r.extra, span{j, e})
		j = e
	}
}

// unnatural undoes what natural stored of a line it could not read, and
// returns false.
func (p *parser) unnatural() bool {
	for col := schema.ColRequesturi; col < schema.NumLogFields; col++ {
		p.row.v[col] = null
		p.row.n[col] = 0
	}
	return false
}

// passes are the constraints of the successive searches for a reading of
// the quoted fields (see quoted).
var passes = [...]struct{ strict, mixed bool }{{true, false}, {false, false}, {true, true}, {false, true}}

// done reports whether the search for readings can stop.
func (p *parser) done() bool { return p.found > 1 || p.tries > maxReadings || p.steps > maxSteps }

// readURI tries the readings of the request URI starting at line[i].
func (p *parser) readURI(i int) {
	line := p.line
	if isDashAt(line, i) {
		p.cur.uri = span{-1, -1}
		p.readMid(i+1, p.nextQuote(0, i))
		return
	}
	if line[i] != '"' {
		p.miss(i, schema.ColRequesturi, schema.RejectQuoting, `want a quoted request ("GET /key HTTP/1.1") or -`)
		return
	}
	if p.nextQuote(0, i) == len(line) {
		p.miss(i, schema.ColRequesturi, schema.RejectTruncated, "truncated line: unterminated quote")
		return
	}
	p.miss(i, schema.ColRequesturi, schema.RejectQuoting, "no closing quote followed by the status")
	for k, c := range p.quotes {
		p.steps++
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
		s := i
		if i = p.skipSpaces(i); i >= len(line) {
			p.missTruncated(col)
			return
		}
		e := p.tokenEnd(i)
		tok := line[i:e]
		p.steps += (e - s) >> 8 // long tokens cost steps too
		if e > q {
			p.miss(i, col, schema.RejectQuoting, "unexpected quote")
			return
		}
		if p.strict && !strictMid(k, tok) {
			return
		}
		p.cur.mid[k] = span{i, e}
		i = e
	}
	if i = p.skipSpaces(i); i >= len(line) {
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
		if !p.mixed && p.cur.uri.s >= 0 {
			p.miss(i, schema.ColReferrer, schema.RejectQuoting, "a quoted request URI has a quoted referrer")
			return
		}
		p.cur.ref = span{-1, -1}
		if u := p.skipSpaces(i + 1); u < len(line) {
			p.readUA(u)
		} else {
			p.missTruncated(schema.ColUseragent)
		}
		return
	}
	if line[i] != '"' {
		p.miss(i, schema.ColReferrer, schema.RejectQuoting, "want a quoted referrer or -")
		return
	}
	if !p.mixed && p.cur.uri.s < 0 {
		p.miss(i, schema.ColReferrer, schema.RejectQuoting, "a bare - request URI has a bare - referrer")
		return
	}
	p.miss(i, schema.ColReferrer, schema.RejectQuoting, "no closing quote followed by the user agent")
	for _, c := range p.quotes {
		if p.steps++; p.steps > maxSteps {
			return
		}
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
		u := p.skipSpaces(c + 1)
		if u >= len(line) {
			p.missTruncated(schema.ColUseragent)
			continue
		}
		if line[u] != '"' && !isDashAt(line, u) {
			p.miss(u, schema.ColUseragent, schema.RejectQuoting, "want a quoted user agent or -")
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
		if !p.mixed && p.cur.ref.s >= 0 {
			p.miss(u, schema.ColUseragent, schema.RejectQuoting, "a quoted referrer has a quoted user agent")
			return
		}
		if last > u {
			p.miss(last, schema.ColVersionid, schema.RejectQuoting, "unexpected quote after the user agent")
			return
		}
		p.cur.ua = span{-1, -1}
		p.readTail(u + 1)
		return
	}
	if !p.mixed && p.cur.ref.s < 0 {
		p.miss(u, schema.ColUseragent, schema.RejectQuoting, "a bare - referrer has a bare - user agent")
		return
	}
	if last <= u {
		p.miss(u, schema.ColUseragent, schema.RejectQuoting, "unterminated quote")
		return
	}
	if last+1 < len(line) && line[last+1] != ' ' {
		p.miss(last, schema.ColUseragent, schema.RejectQuoting, "the last quote of the line must end the user agent")
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
		s := i
		if i = p.skipSpaces(i); i >= len(line) {
			break
		}
		e := p.tokenEnd(i)
		p.steps += (e - s) >> 8
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
		if i = p.skipSpaces(i); i >= len(line) {
			return
		}
		e := p.tokenEnd(i)
		r.extra = append(r.extra, span{i, e})
		i = e
	}
}

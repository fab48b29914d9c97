package loader

// AWS's structured records write request_time as ISO 8601 in UTC with
// milliseconds: 2026-07-01T12:34:56.789Z. parseISOTime reads that, and
// the variants a tool re-writing the records may produce: 0 to 9
// fractional digits (kept to the microsecond, the column's precision;
// further digits are truncated), a space for the 'T', and an offset
// (+hh:mm, -hh:mm, +hhmm) instead of Z, converted to UTC. Impossible dates
// are rejected, as in the text format.

import "encoding/binary"

// isoDateLen is the length of "2006-01-02T15:04:05".
const isoDateLen = len("2006-01-02T15:04:05")

// parseISOTime parses b and returns microseconds since the Unix epoch.
func parseISOTime(b []byte) (micros int64, ok bool) {
	secs, ok := parseISOSeconds(b)
	if !ok {
		return 0, false
	}
	frac, off, ok := parseISOTail(b[isoDateLen:])
	if !ok {
		return 0, false
	}
	return (secs-off)*1e6 + frac, true
}

// parseISOSeconds parses the "yyyy-mm-ddThh:mm:ss" b starts with, as
// seconds since the epoch.
func parseISOSeconds(b []byte) (int64, bool) {
	if len(b) < isoDateLen || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	y1, ok1 := digits2(b[0], b[1])
	y2, ok2 := digits2(b[2], b[3])
	month, ok3 := digits2(b[5], b[6])
	day, ok4 := digits2(b[8], b[9])
	hour, ok5 := digits2(b[11], b[12])
	min, ok6 := digits2(b[14], b[15])
	sec, ok7 := digits2(b[17], b[18])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) {
		return 0, false
	}
	year := y1*100 + y2
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || min > 59 || sec > 59 {
		return 0, false
	}
	return daysFromCivil(year, month, day)*86400 + int64(hour*3600+min*60+sec), true
}

// parseISOTail parses what follows the seconds: an optional fraction and
// the zone, Z or an offset; frac is in µs, off in seconds east of UTC.
func parseISOTail(b []byte) (frac, off int64, ok bool) {
	i := 0
	if i < len(b) && (b[i] == '.' || b[i] == ',') {
		i++
		s := i
		scale := int64(100000)
		for i < len(b) && isDigit(b[i]) {
			frac += int64(b[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == s || i-s > 9 {
			return 0, 0, false
		}
	}
	z := b[i:]
	switch {
	case len(z) == 1 && (z[0] == 'Z' || z[0] == 'z'):
		return frac, 0, true
	case len(z) == 6 && z[3] == ':', len(z) == 5:
		h, ok1 := digits2(z[1], z[2])
		m, ok2 := digits2(z[len(z)-2], z[len(z)-1])
		if !ok1 || !ok2 || h > 23 || m > 59 {
			return 0, 0, false
		}
		off = int64(h*3600 + m*60)
		switch z[0] {
		case '+':
			return frac, off, true
		case '-':
			return frac, -off, true
		}
	}
	return 0, 0, false
}

// jsonTimeCache remembers the seconds of the last yyyy-mm-ddThh:mm:ss
// parsed: a file's records come in bursts within the same second, and
// their times differ in the milliseconds only. The results are
// parseISOTime's exactly.
type jsonTimeCache struct {
	a, b uint64 // b[0:8], b[8:16]
	c    uint32 // b[15:19]
	secs int64
	ok   bool
}

// parse is parseISOTime(b), through the cache.
func (t *jsonTimeCache) parse(b []byte) (int64, bool) {
	if len(b) < isoDateLen {
		return 0, false
	}
	a, bb, c := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint32(b[15:])
	secs := t.secs
	if !t.ok || a != t.a || bb != t.b || c != t.c {
		var ok bool
		if secs, ok = parseISOSeconds(b); !ok {
			return 0, false
		}
		*t = jsonTimeCache{a: a, b: bb, c: c, secs: secs, ok: true}
	}
	frac, off, ok := parseISOTail(b[isoDateLen:])
	if !ok {
		return 0, false
	}
	return (secs-off)*1e6 + frac, true
}

package loader

// S3 writes the request time as [02/Jan/2006:15:04:05 -0700]. time.Parse
// handles that, but allocates and costs more than the rest of a field; this
// hand-written parser does neither and rejects impossible dates (31/Feb,
// hour 25) instead of normalising them.

import "encoding/binary"

// timeLen is the length of the bracketed time including the brackets.
const timeLen = len("[02/Jan/2006:15:04:05 -0700]")

// timeLayout is the layout named in error messages.
const timeLayout = "[dd/Mon/yyyy:hh:mm:ss +hhmm]"

// months maps the three-letter English month names S3 writes to 1..12.
var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// minMicros and maxMicros bound the times parseTime accepts, in UTC:
// 0001-01-01T00:00:00 to 9999-12-31T23:59:59. No real log holds a time
// outside them, and Athena's partition projection (yyyy) cannot see one.
const (
	minMicros = -62135596800 * 1e6
	maxMicros = 253402300799 * 1e6
)

// parseTime parses b, which must be exactly "dd/Mon/yyyy:hh:mm:ss +hhmm"
// (the brackets already removed), and returns microseconds since the Unix
// epoch in UTC. ok is false when b is malformed, names an impossible date
// or time, or is outside years 1 to 9999 in UTC (timeOutOfRange tells
// that case apart).
func parseTime(b []byte) (micros int64, ok bool) {
	micros, ok = parseTimeAnyYear(b)
	if !ok || micros < minMicros || micros > maxMicros {
		return 0, false
	}
	return micros, true
}

// timeOutOfRange reports whether b is a well-formed, possible time that
// parseTime refuses only for its year (0000, or past 9999 in UTC).
func timeOutOfRange(b []byte) bool {
	micros, ok := parseTimeAnyYear(b)
	return ok && (micros < minMicros || micros > maxMicros)
}

// parseTimeAnyYear is parseTime without the bounds on the year.
func parseTimeAnyYear(b []byte) (micros int64, ok bool) {
	if len(b) != timeLen-2 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' {
		return 0, false
	}
	day, ok1 := digits2(b[0], b[1])
	year1, ok2 := digits2(b[7], b[8])
	year2, ok3 := digits2(b[9], b[10])
	hour, ok4 := digits2(b[12], b[13])
	min, ok5 := digits2(b[15], b[16])
	sec, ok6 := digits2(b[18], b[19])
	offh, ok7 := digits2(b[22], b[23])
	offm, ok8 := digits2(b[24], b[25])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8) {
		return 0, false
	}
	month := 0
	for i, m := range months {
		if b[3] == m[0] && b[4] == m[1] && b[5] == m[2] {
			month = i + 1
			break
		}
	}
	year := year1*100 + year2
	if month == 0 || day < 1 || day > daysIn(month, year) || hour > 23 || min > 59 || sec > 59 || offh > 23 || offm > 59 {
		return 0, false
	}
	off := offh*3600 + offm*60
	switch b[21] {
	case '+':
	case '-':
		off = -off
	default:
		return 0, false
	}
	secs := daysFromCivil(year, month, day)*86400 + int64(hour*3600+min*60+sec) - int64(off)
	return secs * 1e6, true
}

// timeCache remembers the last time parseTime accepted, by the bytes of
// its date (dd/Mon/yyyy:) and its offset ( +hhmm), which a log's lines
// share for hours at a time: when a time has the same bytes there, only
// its hh:mm:ss is parsed. The checks are parseTime's; any time that does
// not pass them here is handed to parseTime, so the results are
// parseTime's exactly.
type timeCache struct {
	date  uint64 // b[0:8]
	date2 uint32 // b[8:12]
	zone  uint64 // b[18:26] >> 16, i.e. b[20:26]
	base  int64  // seconds from the epoch of the date's 00:00:00 in UTC (offset applied)
	ok    bool   // the fields hold an accepted time
}

// parse is parseTime(b), through the cache.
func (c *timeCache) parse(b []byte) (micros int64, ok bool) {
	if len(b) != timeLen-2 {
		return 0, false
	}
	date, date2, zone := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint32(b[8:]), binary.LittleEndian.Uint64(b[18:])>>16
	if c.ok && date == c.date && date2 == c.date2 && zone == c.zone && b[14] == ':' && b[17] == ':' {
		hour, ok1 := digits2(b[12], b[13])
		min, ok2 := digits2(b[15], b[16])
		sec, ok3 := digits2(b[18], b[19])
		if ok1 && ok2 && ok3 && hour <= 23 && min <= 59 && sec <= 59 {
			if micros = (c.base + int64(hour*3600+min*60+sec)) * 1e6; micros >= minMicros && micros <= maxMicros {
				return micros, true
			}
		}
	}
	micros, ok = parseTime(b)
	if ok {
		// parseTime checked the digits of hh:mm:ss.
		hms := int64(int(b[12]-'0')*36000 + int(b[13]-'0')*3600 + int(b[15]-'0')*600 + int(b[16]-'0')*60 + int(b[18]-'0')*10 + int(b[19]-'0'))
		*c = timeCache{date: date, date2: date2, zone: zone, base: micros/1e6 - hms, ok: true}
	}
	return micros, ok
}

// digits2 returns the value of two ASCII decimal digits.
func digits2(a, b byte) (int, bool) {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}

// daysIn returns the number of days of month (1..12) in year.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the number of days from 1970-01-01 to the given
// proleptic Gregorian date (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

package s3

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTime parses a --since or --until value relative to now and returns
// it in UTC. Accepted forms:
//
//	""                      zero time (no bound)
//	now                     now
//	24h, 90m, 30s, 7d, 2w   that long before now (units s, m, h, d = 24h, w = 7d;
//	1d12h, 1h30m            several may be combined, largest first)
//	2024-01-02              midnight UTC of that day
//	2024-01-02T15:04        UTC, also with a space instead of T, and with :05 seconds
//	2024-01-02T15:04:05Z    RFC 3339, any offset, fractional seconds allowed
//
// A window [since, until) includes since and excludes until, so
// --since 2024-01-01 --until 2024-01-02 is exactly one day. The CLI
// engineer's load command and the S3 lister share this helper; the S3
// engineer owns it.
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return time.Time{}, nil
	case s == "now":
		return now.UTC(), nil
	}
	if d, ok := parseAgo(s); ok {
		return now.Add(-d).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid time %q: want a duration before now (24h, 7d, 2w, 1h30m), a date (2024-01-02) or an RFC 3339 time (2024-01-02T15:04:05Z)", s)
}

// maxAgo bounds a relative time, far below time.Duration's overflow.
const maxAgo = 100 * 366 * 24 * time.Hour

// units are the suffixes parseAgo accepts, largest first.
var units = []struct {
	suffix byte
	d      time.Duration
}{{'w', 7 * 24 * time.Hour}, {'d', 24 * time.Hour}, {'h', time.Hour}, {'m', time.Minute}, {'s', time.Second}}

// parseAgo parses a sequence of <number><unit> terms with units in
// decreasing order, such as 7d or 1d12h.
func parseAgo(s string) (time.Duration, bool) {
	var total time.Duration
	next := 0 // index in units of the largest unit still allowed
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 9 {
			return 0, false
		}
		n, _ := strconv.Atoi(s[:i])
		j := next
		for j < len(units) && units[j].suffix != s[i] {
			j++
		}
		if j == len(units) {
			return 0, false
		}
		if n > int(maxAgo/units[j].d) {
			return 0, false
		}
		total += time.Duration(n) * units[j].d
		if total > maxAgo {
			return 0, false
		}
		next = j + 1
		s = s[i+1:]
	}
	return total, true
}

// Window bounds of the listing. The key of a log object carries a time:
// the delivery time in the simple layout (YYYY-MM-DD-hh-mm-ss in the name),
// and a day in the partitioned layout (YYYY/MM/DD, event time by default,
// delivery time when so configured). Neither is the event time of every
// record inside: AWS delivers records up to hours late, and an object can
// span midnight. So the listing is widened by a margin on both sides, and
// the rows themselves are filtered by event time by the parser
// (loader.Options.Since/Until).
type window struct {
	since, until time.Time // zero: unbounded
	margin       time.Duration
}

// DefaultMargin is how much wider than [Since, Until) the listing is when
// Options.Margin is zero: enough for records delivered a day late and for
// day folders keyed by delivery time.
const DefaultMargin = 24 * time.Hour

// keyFormat is the time in a log object's name.
const keyFormat = "2006-01-02-15-04-05"

// dayFormat is the day folder of the partitioned layout.
const dayFormat = "2006/01/02"

// lo is the earliest key time listed, or zero.
func (w window) lo() time.Time {
	if w.since.IsZero() {
		return time.Time{}
	}
	return w.since.Add(-w.margin)
}

// hi is the key time at and after which nothing is listed, or zero.
func (w window) hi() time.Time {
	if w.until.IsZero() {
		return time.Time{}
	}
	return w.until.Add(w.margin)
}

// keep reports whether a key whose time is t (a day start when day is
// true) may hold records of the window.
func (w window) keep(t time.Time, day bool) bool {
	end := t
	if day {
		end = t.Add(24 * time.Hour)
	}
	if lo := w.lo(); !lo.IsZero() && (end.Before(lo) || (day && end.Equal(lo))) {
		return false
	}
	if hi := w.hi(); !hi.IsZero() && !t.Before(hi) {
		return false
	}
	return true
}

// ceilDay rounds t up to the next UTC midnight (t itself when it is one).
func ceilDay(t time.Time) time.Time {
	d := t.Truncate(24 * time.Hour)
	if d.Before(t) {
		d = d.Add(24 * time.Hour)
	}
	return d
}

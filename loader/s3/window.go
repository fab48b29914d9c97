package s3

import "time"

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

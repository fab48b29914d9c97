package s3

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/s3logs/s3logs/loader/source"
)

// Resuming a listing
//
// A bucket of a million log objects takes a thousand listing requests to
// list; a load interrupted halfway, run again, should not send the half of
// them whose objects are loaded. Log keys sort by time, so the key space
// of a source bucket (partitioned layout: its day folders,
// BASE/YYYY/MM/DD/) or of a folder of simple-layout keys
// (BASE/YYYY-MM-DD-..., the day of delivery) is a sequence of days, each
// a key prefix. While a List lists, each day that one listing covers whole
// (it saw a key before the day or started before it, and went past the
// day's last key or to the end) is recorded through Options.Resume
// (source.ListLog): the day's prefix, how many objects it handed over,
// and when; so are the empty days between two listed keys. A later List
// asks Resume which days of a base need no listing: recorded days listed
// at least source.SettleTime after they ended (S3 delivers access logs
// late, on a best-effort basis, usually within hours) whose recorded
// objects are all loaded. Those days are cut out of the listing (span.cut):
// the base is listed around them. Options.Relist lists everything again
// (and records it).
//
// The simple layout is resumed only where its DestinationPrefix is a
// folder (ends in "/", as in logs/2024-01-02-...), the folder a walk
// lists; a prefix such as "logs-" is listed in full every time. A day cut
// by a time window (its first or last hours outside the listing) is not
// recorded.

// dayPrefix is the key prefix of day d under base in layout k.
func dayPrefix(k layout, base string, d time.Time) string {
	if k == partitioned {
		return base + d.Format(dayFormat) + "/"
	}
	return base + d.Format("2006-01-02")
}

// dayLo and dayHi bound the keys of day d: every key of the day sorts
// after dayLo and before dayHi, and only keys starting with the day's
// prefix sort between them ("~" sorts after the digits that follow the
// prefix in a log key: BASE2024-01-02-hh... or BASE2024/01/02/2024-...).
func dayLo(k layout, base string, d time.Time) string {
	p := dayPrefix(k, base, d)
	if k == partitioned {
		return p[:len(p)-1]
	}
	return p
}

func dayHi(k layout, base string, d time.Time) string {
	if k == partitioned {
		return dayPrefix(k, base, d) + "~"
	}
	return dayPrefix(k, base, d) + "-~"
}

// dayFirst sorts before every key of day d and after every key before it
// (a StartAfter of it lists the whole day).
func dayFirst(k layout, base string, d time.Time) string {
	if k == partitioned {
		return dayPrefix(k, base, d)
	}
	return dayPrefix(k, base, d) + "-00-00-00"
}

// beyond reports whether no key after lo lies in the span.
func (s *span) beyond(lo string) bool {
	return (s.end != "" && lo >= s.end) || (s.stop != "" && lo >= s.stop)
}

// doneDays are the days of a base that need no listing, with the objects
// recorded in each.
type doneDays map[time.Time]int64

// cut returns the pieces of span s that remain once the days done are
// cut out of it, and the days cut: runs of consecutive done days (not
// across a new year, so that nothing but the days' keys sorts between
// them: a twelve-digit account folder such as 202301234567/ sorts between
// 2023-12-31 and 2024-01-01) are skipped whole. s must know its layout and
// base.
func (s *span) cut(done doneDays) (pieces []*span, cut []time.Time) {
	if len(done) == 0 {
		return []*span{s}, nil
	}
	days := make([]time.Time, 0, len(done))
	for d := range done {
		days = append(days, d)
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	after := s.after
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1].Equal(days[j].Add(24*time.Hour)) && days[j+1].Year() == days[j].Year() {
			j++
		}
		run := days[i : j+1]
		i = j + 1
		lo, hi := dayLo(s.kind, s.base, run[0]), dayHi(s.kind, s.base, run[len(run)-1])
		if hi <= after || s.beyond(lo) {
			continue // the run is before or past the span
		}
		for _, d := range run {
			if dayHi(s.kind, s.base, d) > after && !s.beyond(dayLo(s.kind, s.base, d)) {
				cut = append(cut, d)
			}
		}
		if lo > after {
			piece := *s
			piece.after, piece.end, piece.endT = after, lo, run[0]
			// Before the first done day there is often nothing: a
			// first request of one key tells.
			piece.probe = len(pieces) == 0 && after == s.after
			pieces = append(pieces, &piece)
		}
		after = hi
	}
	if !s.past(after) {
		rest := *s
		rest.after = after
		pieces = append(pieces, &rest)
	}
	return pieces, cut
}

// maxEmptyDays bounds the empty days recorded between two keys of a
// listing (a key dated decades off should not write a record a day).
const maxEmptyDays = 366

// dayTracker follows the days of one span's listing, key by key, and
// records through Options.Resume each day the listing covers whole. Its
// methods do nothing on a nil tracker (Resume unset, or watch mode).
type dayTracker struct {
	p     *pass
	after string // the span's StartAfter: a first day it cuts is not whole

	cur     keyInfo // the day being listed (layout unknown: none yet)
	day     time.Time
	objects int64
	whole   bool // nothing of cur was skipped: out of window, or listed before the span
}

// next is told the next key of the listing, before it is visited: when
// the key is of a later day of the same base, the day before and the
// empty days between are whole.
func (t *dayTracker) next(ctx context.Context, info keyInfo) error {
	if t == nil || info.layout == unknown {
		return nil
	}
	day := info.t.Truncate(24 * time.Hour)
	if t.cur.layout == info.layout && t.cur.base == info.base && day.Equal(t.day) {
		return nil
	}
	prev, prevDay, prevObjects, whole := t.cur, t.day, t.objects, t.whole
	t.cur, t.day, t.objects = info, day, 0
	if prev.layout == unknown {
		// The first key: its day is whole when the span starts before it.
		t.whole = t.after <= dayFirst(info.layout, info.base, day)
		return nil
	}
	if prev.layout != info.layout || prev.base != info.base || !day.After(prevDay) {
		t.whole = false // keys of another base, or out of order: trust nothing
		return nil
	}
	t.whole = true // the listing came from the day before
	if whole {
		if err := t.record(ctx, prev, prevDay, prevObjects); err != nil {
			return err
		}
	}
	for d, n := prevDay.Add(24*time.Hour), 0; d.Before(day) && n < maxEmptyDays; d, n = d.Add(24*time.Hour), n+1 {
		if err := t.record(ctx, info, d, 0); err != nil {
			return err
		}
	}
	return nil
}

// count counts a key of the current day (the one last given to next),
// handed to fn or skipped (out of the window): a day with a key skipped
// is not whole. Keys of no layout (folder markers) do not count.
func (t *dayTracker) count(info keyInfo, handed bool) {
	if t == nil || info.layout == unknown {
		return
	}
	if handed {
		t.objects++
	} else {
		t.whole = false
	}
}

// end is called when the span's listing is over: its last day is whole
// when the span reaches past the day's last key.
func (t *dayTracker) end(ctx context.Context, s *span) error {
	if t == nil || t.cur.layout == unknown || !t.whole || s.past(dayHi(t.cur.layout, t.cur.base, t.day)) {
		return nil
	}
	return t.record(ctx, t.cur, t.day, t.objects)
}

// record records day d of info's base (see recorder).
func (t *dayTracker) record(ctx context.Context, info keyInfo, d time.Time, objects int64) error {
	l := t.p.l
	return t.p.rec.add(ctx, source.ListedDay{Bucket: l.bucket, Base: info.base, Prefix: dayPrefix(info.layout, info.base, d),
		Day: d, Objects: objects, ListedAt: time.Now().UTC()})
}

// recorder gathers the days a pass listed whole and writes them to
// Options.Resume in batches: every recordEvery, and when the pass ends
// (even interrupted). A process killed meanwhile loses the last batch, so
// those days are listed again next time.
type recorder struct {
	l     *Lister
	mu    sync.Mutex
	days  []source.ListedDay
	since time.Time // of the oldest day waiting
}

// recordEvery is how long recorded days may wait to be written.
const recordEvery = 2 * time.Second

func (r *recorder) add(ctx context.Context, d source.ListedDay) error {
	r.mu.Lock()
	if len(r.days) == 0 {
		r.since = time.Now()
	}
	r.days = append(r.days, d)
	var batch []source.ListedDay
	if time.Since(r.since) >= recordEvery {
		batch, r.days = r.days, nil
	}
	r.mu.Unlock()
	return r.write(ctx, batch)
}

// flush writes the days waiting, even when ctx is done (an interrupted
// listing records what it listed).
func (r *recorder) flush(ctx context.Context) error {
	r.mu.Lock()
	batch := r.days
	r.days = nil
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return r.write(ctx, batch)
}

func (r *recorder) write(ctx context.Context, days []source.ListedDay) error {
	if len(days) == 0 {
		return nil
	}
	if err := r.l.opts.Resume.Listed(ctx, days); err != nil {
		return fmt.Errorf("%s: %w", r.l.url, err)
	}
	return nil
}

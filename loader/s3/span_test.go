package s3

import (
	"testing"
	"time"
)

// TestSpanSplit: what is left of a span is cut at a midnight (an hour in a
// day of a window's simple-layout keys) in its middle, the boundary sorting after every key
// of the lower half and before every key of the upper one; a span too
// short to cut is kept whole.
func TestSpanSplit(t *testing.T) {
	at := func(d, h, m int) time.Time { return time.Date(2024, 1, d, h, m, 0, 0, time.UTC) }
	now := at(31, 0, 0)
	tests := []struct {
		name     string
		s        span
		t        time.Time // time of the page's last key
		want     string    // boundary; "" no split
		wantEndT time.Time
	}{
		{"open simple", span{kind: simple, base: "logs/"}, at(1, 0, 0), "logs/2024-01-16-00", at(16, 0, 0)},
		{"days left simple", span{kind: simple, base: "logs/", end: "logs/2024-01-06-00", endT: at(6, 0, 0)}, at(1, 10, 0), "logs/2024-01-03-00", at(3, 0, 0)},
		{"two days left simple", span{kind: simple, base: "logs/", end: "logs/2024-01-03-00", endT: at(3, 0, 0)}, at(1, 10, 0), "logs/2024-01-02-00", at(2, 0, 0)},
		{"next midnight simple", span{kind: simple, base: "logs/", end: "logs/2024-01-02-02", endT: at(2, 2, 0)}, at(1, 10, 0), "logs/2024-01-02-00", at(2, 0, 0)},
		{"within a day simple", span{kind: simple, base: "logs/", end: "logs/2024-01-01-20", endT: at(1, 20, 0)}, at(1, 10, 0), "", time.Time{}},
		{"within a day window", span{kind: simple, base: "logs/", end: "logs/2024-01-01-20", endT: at(1, 20, 0), stop: "logs/2024-01-03-00-00-00", stopT: at(3, 0, 0)}, at(1, 10, 0), "logs/2024-01-01-15", at(1, 15, 0)},
		{"window simple", span{kind: simple, base: "logs/", stop: "logs/2024-01-03-00-00-00", stopT: at(3, 0, 0)}, at(1, 0, 30), "logs/2024-01-02-00", at(2, 0, 0)},
		{"under an hour", span{kind: simple, base: "logs/", end: "logs/2024-01-01-01", endT: at(1, 1, 0)}, at(1, 0, 10), "", time.Time{}},
		{"partitioned", span{kind: partitioned, base: "p/1/r/b/", end: "p/1/r/b/2024/01/11", endT: at(11, 0, 0)}, at(1, 0, 0), "p/1/r/b/2024/01/06", at(6, 0, 0)},
		{"partitioned next day", span{kind: partitioned, base: "p/1/r/b/", end: "p/1/r/b/2024/01/02", endT: at(2, 0, 0)}, at(1, 0, 0), "", time.Time{}},
	}
	for _, tc := range tests {
		s := tc.s
		before := s
		up := s.split(tc.t, now)
		if tc.want == "" {
			if up != nil || s != before {
				t.Errorf("%s: split %+v, span now %+v; want no split", tc.name, up, s)
			}
			continue
		}
		if up == nil {
			t.Fatalf("%s: no split, want one at %s", tc.name, tc.want)
		}
		if up.after != tc.want || s.end != tc.want || !s.endT.Equal(tc.wantEndT) {
			t.Errorf("%s: upper after %q, lower end %q at %v; want %q at %v", tc.name, up.after, s.end, s.endT, tc.want, tc.wantEndT)
		}
		if up.end != before.end || up.stop != before.stop {
			t.Errorf("%s: the upper half ends at %q/%q, want the span's %q/%q", tc.name, up.end, up.stop, before.end, before.stop)
		}
		// Keys of the last key's time sort below the boundary, keys of
		// the boundary's time above it.
		lower := parseKeyFor(s, tc.t)
		upper := parseKeyFor(s, tc.wantEndT)
		if !(lower < tc.want && tc.want < upper) || s.past(lower) || !s.past(upper) || up.past(upper) {
			t.Errorf("%s: keys %q < %q < %q do not fall on their sides", tc.name, lower, tc.want, upper)
		}
	}
}

// parseKeyFor is the key of a log object of time t in s's layout.
func parseKeyFor(s span, t time.Time) string {
	if s.kind == partitioned {
		return s.base + t.Format(dayFormat) + "/" + t.Format(keyFormat) + "-ABC"
	}
	return s.base + t.Format(keyFormat) + "-ABC"
}

// TestSpanCut: the pieces of a span cut around the days done list every
// key but those of the done days, whatever sorts between the runs of done
// days (a twelve-digit account folder across a new year), and the days
// cut are those within the span.
func TestSpanCut(t *testing.T) {
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	done := doneDays{day(2023, 12, 30): 1, day(2023, 12, 31): 1, day(2024, 1, 1): 1, day(2024, 1, 2): 1, day(2024, 1, 5): 1}
	for _, tc := range []struct {
		name     string
		s        span
		listed   []string
		unlisted []string
		cut      int
	}{
		{"simple", span{prefix: "logs/", delim: true, kind: simple, base: "logs/"},
			[]string{"logs/2023-12-29-23-59-59-A", "logs/202301234567/", "logs/2024-01-03-00-00-00-A", "logs/2024-01-04-10-00-00-A", "logs/2024-01-06-00-00-00-A", "logs/123456789012/", "logs/999999999999/"},
			[]string{"logs/2023-12-30-00-00-00-A", "logs/2023-12-31-23-59-59-A", "logs/2024-01-01-00-00-00-A", "logs/2024-01-02-12-00-00-A", "logs/2024-01-05-12-00-00-A"}, 5},
		{"simple from Jan 1 noon", span{prefix: "logs/", delim: true, kind: simple, base: "logs/", after: "logs/2024-01-01-12-00-00"},
			[]string{"logs/2024-01-03-00-00-00-A", "logs/2024-01-06-00-00-00-A"},
			[]string{"logs/2023-12-30-00-00-00-A", "logs/2024-01-01-13-00-00-A", "logs/2024-01-02-12-00-00-A", "logs/2024-01-05-12-00-00-A"}, 3},
		{"partitioned", span{prefix: "p/1/r/b/", kind: partitioned, base: "p/1/r/b/", end: "p/1/r/b/2024/01/05", endT: day(2024, 1, 5)},
			[]string{"p/1/r/b/2023/12/29/2023-12-29-23-00-00-A", "p/1/r/b/2024/01/03/2024-01-03-00-00-00-A"},
			[]string{"p/1/r/b/2023/12/31/2023-12-31-00-00-00-A", "p/1/r/b/2024/01/01/2024-01-01-00-00-00-A", "p/1/r/b/2024/01/05/2024-01-05-00-00-00-A", "p/1/r/b/2024/01/06/2024-01-06-00-00-00-A"}, 4},
	} {
		pieces, cut := tc.s.cut(done)
		listedBy := func(key string) int {
			n := 0
			for _, p := range pieces {
				if key > p.after && !p.past(key) {
					n++
				}
			}
			return n
		}
		for _, k := range tc.listed {
			if n := listedBy(k); n != 1 {
				t.Errorf("%s: %s listed by %d pieces, want 1", tc.name, k, n)
			}
		}
		for _, k := range tc.unlisted {
			if n := listedBy(k); n != 0 {
				t.Errorf("%s: %s listed by %d pieces, want none", tc.name, k, n)
			}
		}
		if len(cut) != tc.cut {
			t.Errorf("%s: %d days cut (%v), want %d", tc.name, len(cut), cut, tc.cut)
		}
	}
}

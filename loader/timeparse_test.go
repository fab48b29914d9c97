package loader

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestParseTime checks parseTime on exact values, offsets and the
// impossible dates and times it must refuse.
func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // RFC 3339 in UTC; "" when refused
	}{
		{"06/Feb/2019:00:00:38 +0000", "2019-02-06T00:00:38Z"},
		{"06/Feb/2019:00:00:38 +0130", "2019-02-05T22:30:38Z"},
		{"31/Dec/1999:23:59:59 -0100", "2000-01-01T00:59:59Z"},
		{"29/Feb/2024:12:00:00 +0000", "2024-02-29T12:00:00Z"},
		{"01/Jan/1960:00:00:00 +0000", "1960-01-01T00:00:00Z"},
		{"29/Feb/2023:12:00:00 +0000", ""},
		{"31/Apr/2023:12:00:00 +0000", ""},
		{"00/Jan/2023:12:00:00 +0000", ""},
		{"01/Jan/2023:24:00:00 +0000", ""},
		{"01/Jan/2023:23:60:00 +0000", ""},
		{"01/Jan/2023:23:59:60 +0000", ""},
		{"01/Jan/2023:23:59:59 +2400", ""},
		{"01/Jan/2023:23:59:59 *0000", ""},
		{"01/jan/2023:23:59:59 +0000", ""},
		{"01/Jan/2023 23:59:59 +0000", ""},
		{"01/Jan/2023:23:59:59 +000", ""},
		{"1/Jan/2023:23:59:59 +0000", ""},
		// Outside years 1 to 9999 in UTC: no real log, and Athena's
		// projection cannot see them.
		{"01/Jan/0000:00:00:00 +0000", ""},
		{"15/Jun/0000:12:00:00 +0000", ""},
		{"01/Jan/0001:00:30:00 +0100", ""},
		{"01/Jan/0001:00:00:00 +0000", "0001-01-01T00:00:00Z"},
		{"31/Dec/9999:23:59:59 +0000", "9999-12-31T23:59:59Z"},
		{"31/Dec/9999:23:30:00 -0100", ""},
	} {
		got, ok := parseTime([]byte(tc.in))
		s := ""
		if ok {
			s = time.UnixMicro(got).UTC().Format(time.RFC3339)
		}
		if s != tc.want {
			t.Errorf("parseTime(%q) = %q, want %q", tc.in, s, tc.want)
		}
	}
}

// TestTimeCacheAgrees checks that the cache returns what parseTime does on
// runs of times sharing a date and offset (the cache's fast path), with
// their hh:mm:ss and separators broken at random, and on changes of date
// and offset in between.
func TestTimeCacheAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var c timeCache
	hits, refused := 0, 0
	base := time.Date(2019, 2, 27, 0, 0, 0, 0, time.UTC)
	var b, last []byte // last: the last time accepted
	for i := range 200000 {
		if i%50 == 0 {
			base = base.Add(time.Duration(rng.IntN(72)) * time.Hour)
		}
		ts := base.Add(time.Duration(rng.IntN(86400)) * time.Second)
		zone := []string{"+0000", "-0700", "+0530"}[i/1000%3]
		b = ts.AppendFormat(b[:0], "02/Jan/2006:15:04:05 ")
		b = append(b, zone...)
		if rng.IntN(4) == 0 {
			// Break one byte of the time of day (or, rarely, elsewhere).
			k := 12 + rng.IntN(8)
			if rng.IntN(10) == 0 {
				k = rng.IntN(len(b))
			}
			b[k] = "0123456789:/ +x"[rng.IntN(15)]
		}
		if rng.IntN(50) == 0 {
			b = b[:len(b)-1]
		}
		before := len(b) == len(last) && string(b[:12]) == string(last[:12]) && string(b[20:]) == string(last[20:])
		want, wantOK := parseTime(b)
		if wantOK {
			last = append(last[:0], b...)
		}
		got, gotOK := c.parse(b)
		if got != want || gotOK != wantOK {
			t.Fatalf("timeCache.parse(%q) = %d, %v; parseTime: %d, %v", b, got, gotOK, want, wantOK)
		}
		if before {
			hits++
		}
		if !wantOK {
			refused++
		}
	}
	if hits < 100000 || refused < 10000 {
		t.Errorf("%d times on a cached date, %d refused: the test does not cover the cache", hits, refused)
	}
}

// TestTimeCacheBounds: the cache's fast path, which parses only hh:mm:ss,
// refuses a time its date and offset carry past 9999 (or before year 1) in
// UTC, as parseTime does.
func TestTimeCacheBounds(t *testing.T) {
	var c timeCache
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"31/Dec/9999:22:00:00 -0100", true},
		{"31/Dec/9999:23:00:00 -0100", false},
		{"01/Jan/0001:02:00:00 +0100", true},
		{"01/Jan/0001:00:30:00 +0100", false},
	} {
		if _, ok := c.parse([]byte(tc.in)); ok != tc.ok {
			t.Errorf("cache parse(%q) ok = %v, want %v", tc.in, ok, tc.ok)
		}
		if timeOutOfRange([]byte(tc.in)) == tc.ok {
			t.Errorf("timeOutOfRange(%q) = %v", tc.in, !tc.ok)
		}
	}
}

package when

import (
	"errors"
	"testing"
	"time"
)

// now is the instant relative forms count back from in the tests.
var now = time.Date(2024, 3, 10, 12, 30, 0, 0, time.UTC)

// Cases lists every form Parse accepts, and the near misses it rejects. It
// is the union of what load's --since (loader/s3's ParseTime) and the
// timestamp parameters of saved queries (queries' parseTimestamp) accepted
// before they were merged here.
var cases = []struct {
	in   string
	want time.Time // with err == nil
	err  error
}{
	// absolute
	{in: "2024-01-02", want: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
	{in: "2024-01-02T15:04", want: time.Date(2024, 1, 2, 15, 4, 0, 0, time.UTC)},
	{in: "2024-01-02 15:04", want: time.Date(2024, 1, 2, 15, 4, 0, 0, time.UTC)},
	{in: "2024-01-02T15:04:05", want: time.Date(2024, 1, 2, 15, 4, 5, 0, time.UTC)},
	{in: "2024-01-02 15:04:05", want: time.Date(2024, 1, 2, 15, 4, 5, 0, time.UTC)},
	{in: "2024-01-02 15:04:05.25", want: time.Date(2024, 1, 2, 15, 4, 5, 25e7, time.UTC)},
	{in: "2024-01-02T15:04:05Z", want: time.Date(2024, 1, 2, 15, 4, 5, 0, time.UTC)},
	{in: "2024-01-02T15:04:05.5+02:00", want: time.Date(2024, 1, 2, 13, 4, 5, 5e8, time.UTC)},
	{in: "2024-06-01T10:00:00-07:00", want: time.Date(2024, 6, 1, 17, 0, 0, 0, time.UTC)},
	{in: "  2024-01-02  ", want: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
	// now
	{in: "now", want: now},
	{in: "NOW", want: now},
	{in: " now ", want: now},
	// ages: that long before now
	{in: "30s", want: now.Add(-30 * time.Second)},
	{in: "90m", want: now.Add(-90 * time.Minute)},
	{in: "24h", want: now.Add(-24 * time.Hour)},
	{in: "7d", want: now.AddDate(0, 0, -7)},
	{in: "2w", want: now.AddDate(0, 0, -14)},
	{in: "7D", want: now.AddDate(0, 0, -7)},
	{in: "1d12h", want: now.Add(-36 * time.Hour)},
	{in: " 1h30m ", want: now.Add(-90 * time.Minute)},
	{in: "1w2d3h4m5s", want: now.Add(-(9*24*time.Hour + 3*time.Hour + 4*time.Minute + 5*time.Second))},
	{in: "1d 12h", want: now.Add(-36 * time.Hour)},
	{in: "7 d", want: now.AddDate(0, 0, -7)},
	{in: "5200w", want: now.AddDate(0, 0, -5200*7)},
	{in: "36600d", want: now.Add(-MaxAge)},
	// differences from now
	{in: "now-7d", want: now.AddDate(0, 0, -7)},
	{in: "now - 7d", want: now.AddDate(0, 0, -7)},
	{in: "now-1d12h", want: now.Add(-36 * time.Hour)},
	{in: "now-36500d", want: now.AddDate(0, 0, -36500)},
	{in: "now7d", want: now.AddDate(0, 0, -7)},
	{in: "-24h", want: now.Add(-24 * time.Hour)},
	{in: "-3d", want: now.AddDate(0, 0, -3)},
	{in: "now+2h", want: now.Add(2 * time.Hour)},
	{in: "+1d12h", want: now.Add(36 * time.Hour)},
	// too far: no overflow of time.Duration, an ErrRange
	{in: "200000d", err: ErrRange},
	{in: "now-200000d", err: ErrRange},
	{in: "800000w", err: ErrRange},
	{in: "999999999w", err: ErrRange},
	{in: "99999999999999999999999999s", err: ErrRange},
	{in: "36600d1h", err: ErrRange},
	{in: "36600d1x", err: ErrSyntax}, // the shape is checked past the range
	// not times
	{in: "", err: ErrSyntax},
	{in: "   ", err: ErrSyntax},
	{in: "12h1d", err: ErrSyntax},
	{in: "1h1h", err: ErrSyntax},
	{in: "7", err: ErrSyntax},
	{in: "d", err: ErrSyntax},
	{in: "7x", err: ErrSyntax},
	{in: "7y", err: ErrSyntax},
	{in: "1.5h", err: ErrSyntax},
	{in: "now-", err: ErrSyntax},
	{in: "-", err: ErrSyntax},
	{in: "now-now", err: ErrSyntax},
	{in: "nowhere", err: ErrSyntax},
	{in: "--7d", err: ErrSyntax},
	{in: "2024-02-30", err: ErrSyntax},
	{in: "2024-01-02T25:00", err: ErrSyntax},
	{in: "yesterday", err: ErrSyntax},
}

func TestParse(t *testing.T) {
	for _, tc := range cases {
		got, err := Parse(tc.in, now)
		if tc.err != nil {
			var e *Error
			if !errors.Is(err, tc.err) || !errors.As(err, &e) {
				t.Errorf("Parse(%q) = %v, %v; want an *Error of kind %v", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("Parse(%q) = %v, %v; want %v UTC", tc.in, got, err, tc.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"yesterday", `invalid time "yesterday": want ` + Forms},
		{"now-200000d", `relative time "now-200000d" is too large (at most 100 years)`},
	}
	for _, tt := range tests {
		if _, err := Parse(tt.in, now); err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) error = %v, want %s", tt.in, err, tt.want)
		}
	}
}

// FuzzParse: any text is a time in UTC or an *Error, never a panic, and
// a time's RFC 3339 text parses back to it.
func FuzzParse(f *testing.F) {
	for _, tc := range cases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s, now)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q): error %v is not an *Error", s, err)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("Parse(%q) = %v, not UTC", s, got)
		}
		if got.Year() < 1 || got.Year() > 9999 {
			return // beyond what RFC 3339 writes
		}
		back, err := Parse(got.Format(time.RFC3339Nano), now)
		if err != nil || !back.Equal(got) {
			t.Errorf("Parse(%q) = %v does not round-trip: %v, %v", s, got, back, err)
		}
	})
}

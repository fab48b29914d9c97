// Package when is s3logs' one grammar for times given as text: the
// --since/--until flags of load and detect, the timestamp parameters of
// saved queries and detections (s3logs queries run, export --saved, the
// shell), all parse through Parse, so every command accepts the same forms.
//
// It imports nothing of ours; its only input is the text and the instant
// that relative forms count back from.
package when

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxAge bounds a relative time (100 years), far below time.Duration's 292
// years, so that no number of units can overflow.
const MaxAge = 100 * 366 * 24 * time.Hour

// ErrSyntax is the kind of an *Error for text that is no time at all;
// ErrRange for a relative time longer than MaxAge.
var (
	ErrSyntax = errors.New("invalid time")
	ErrRange  = errors.New("relative time out of range")
)

// Forms lists what Parse accepts, for help texts and error messages.
const Forms = "a date (2024-01-02), an RFC 3339 time (2024-01-02T15:04:05Z), now, an age before now (90m, 24h, 7d, 2w, 1d12h) or now-7d"

// Error is a time that Parse rejected. Err is ErrSyntax or ErrRange, for
// errors.Is.
type Error struct {
	Input string
	Err   error
}

// Error says what was wrong and which forms are accepted.
func (e *Error) Error() string {
	if e.Err == ErrRange {
		return fmt.Sprintf("relative time %q is too large (at most 100 years)", e.Input)
	}
	return fmt.Sprintf("invalid time %q: want %s", e.Input, Forms)
}

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.Err }

// layouts are the absolute forms, tried in order; each is UTC unless it
// carries an offset. Fractional seconds are accepted after the seconds.
var layouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}

// Parse returns the instant s names, in UTC. Leading and trailing spaces
// are ignored; words and units are case-insensitive. The forms:
//
//	2024-01-02                  midnight UTC of that day
//	2024-01-02T15:04[:05]       UTC; also with a space instead of T
//	2024-01-02T15:04:05.5+02:00 RFC 3339, any offset, fractional seconds
//	now                         now
//	90m, 24h, 30s, 7d, 2w       that long before now (s, m, h, d = 24h, w = 7d)
//	1d12h, 1h30m                several units, largest first, each once
//	now-7d, -7d, now - 1d12h    the same, written as a difference
//	now+2h, +2h                 that long after now
//
// A relative time longer than MaxAge is an ErrRange error; anything else
// is an ErrSyntax error, including the empty string (callers for which
// empty means "no bound" check for it first).
func Parse(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, ok, err := parseRelative(strings.ToLower(s)); ok {
		if err != nil {
			return time.Time{}, &Error{Input: s, Err: err}
		}
		return now.Add(d).UTC(), nil
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &Error{Input: s, Err: ErrSyntax}
}

// units are the suffixes of an age, largest first.
var units = []struct {
	suffix byte
	d      time.Duration
}{{'w', 7 * 24 * time.Hour}, {'d', 24 * time.Hour}, {'h', time.Hour}, {'m', time.Minute}, {'s', time.Second}}

// parseRelative parses [now] [+|-] [age], where age is one or more
// <number><unit> terms with strictly decreasing units, and returns the
// signed offset from now (an age without a sign counts back). ok is false
// when s is not of that shape; err is ErrRange when it is but is too long.
func parseRelative(s string) (d time.Duration, ok bool, err error) {
	rest, hasNow := strings.CutPrefix(s, "now")
	rest = strings.TrimLeft(rest, " ")
	sign := time.Duration(-1)
	if rest != "" && (rest[0] == '+' || rest[0] == '-') {
		if rest[0] == '+' {
			sign = 1
		}
		rest = strings.TrimLeft(rest[1:], " ")
		if rest == "" {
			return 0, false, nil // a sign needs an age
		}
	}
	if rest == "" {
		return 0, hasNow, nil // "now"; "" is not a time
	}
	age, ok, err := parseAge(rest)
	return sign * age, ok, err
}

// parseAge parses the terms of an age such as 7d or 1d 12h.
func parseAge(s string) (total time.Duration, ok bool, err error) {
	next := 0 // index in units of the largest unit still allowed
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		digits := s[:i]
		s = strings.TrimLeft(s[i:], " ")
		if digits == "" || s == "" {
			return 0, false, nil
		}
		j := next
		for j < len(units) && units[j].suffix != s[0] {
			j++
		}
		if j == len(units) {
			return 0, false, nil
		}
		s = strings.TrimLeft(s[1:], " ")
		next = j + 1
		if err != nil {
			continue // already out of range; keep checking the shape
		}
		n, limit := 0, int(MaxAge/units[j].d)
		for k := 0; k < len(digits) && n <= limit; k++ {
			n = n*10 + int(digits[k]-'0')
		}
		if n > limit || total+time.Duration(n)*units[j].d > MaxAge {
			err = ErrRange
			continue
		}
		total += time.Duration(n) * units[j].d
	}
	return total, true, err
}

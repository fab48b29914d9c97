package queries

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Relative defaults and relative times (now-30d, 7d, p_occurs_since) count
// back from the clock, never from the data: an investigator's logs are
// often months old, and a window that moved with the data would answer a
// different question than the one typed. When such a window leaves no
// rows, s3logs says so on stderr with the window, the data's span and the
// exact parameter or flag that asks for the same window anchored to the
// data's last event (EmptyWindow, Span.Back).

// Span is the event-time span of the rows in aws_s3serveraccess.
type Span struct {
	Rows        int64
	First, Last time.Time // zero when Rows is 0
}

// DataSpan returns the number of rows and the first and last p_event_time
// of the loaded rows.
func DataSpan(ctx context.Context, q RowQuerier) (Span, error) {
	var s Span
	var first, last sql.NullTime
	err := q.QueryRowContext(ctx, "SELECT count(*), min(p_event_time), max(p_event_time) FROM "+table).Scan(&s.Rows, &first, &last)
	if err != nil {
		return s, fmt.Errorf("data span: %w", err)
	}
	s.First, s.Last = first.Time.UTC(), last.Time.UTC()
	return s, nil
}

// spanLayout is how a span's ends print.
const spanLayout = "2006-01-02 15:04:05"

// String is "4,096 rows from 2026-01-12 00:01:02 to 2026-01-18 23:56:09 UTC",
// or "no rows".
func (s Span) String() string {
	switch s.Rows {
	case 0:
		return "no rows"
	case 1:
		return "1 row at " + s.First.Format(spanLayout) + " UTC"
	}
	return fmt.Sprintf("%s rows from %s to %s UTC", GroupDigits(s.Rows), s.First.Format(spanLayout), s.Last.Format(spanLayout))
}

// Since is the first day of the span as a time a flag or parameter
// takes (2026-01-12), and Until the day after the last (2026-01-19): the
// window that covers the whole span however its ends are read.
func (s Span) Since() string { return s.First.Format("2006-01-02") }

// Until is the day after the span's last event; see Since.
func (s Span) Until() string {
	return s.Last.Truncate(24 * time.Hour).Add(24 * time.Hour).Format("2006-01-02")
}

// Back is the day (2026-01-11) that starts the window reaching back d
// from the span's last event: a relative start anchored to the data
// rather than the clock. It is never before the span's first day nor
// after its last.
func (s Span) Back(d time.Duration) string {
	t := s.Last.Add(-max(d, 0))
	if t.Before(s.First) {
		t = s.First
	}
	return t.Format("2006-01-02")
}

// Covers reports whether [since, until) holds any of the span (a zero
// bound is no bound).
func (s Span) Covers(since, until time.Time) bool {
	if s.Rows == 0 {
		return false
	}
	return (since.IsZero() || !s.Last.Before(since)) && (until.IsZero() || s.First.Before(until))
}

// EmptyWindow is the note printed on stderr when a relative window left no
// rows: what the window was, the data's span and try, the exact words
// that cover the data where the note is printed ("--since 2026-01-12" on
// the command line, "start=2026-01-12" in the shell). window describes
// the window ("start=now-30d (2026-11-06 06:40:00) to end=now").
func EmptyWindow(window string, s Span, try string) string {
	if s.Rows == 0 {
		return "the database holds no rows; load logs first"
	}
	return fmt.Sprintf("no rows in the window %s, which counts back from the clock, not from the data; "+
		"the data holds %s: try %s", window, s, try)
}

// TimeParam is a timestamp parameter as bound: its name, the text it came
// from (given, or the default) and the instant.
type TimeParam struct {
	Name, Text string
	At         time.Time
	Relative   bool // Text counts back from now (now-30d, 7d)
}

// TimeParams returns q's timestamp parameters that have a value with params
// (given or default), anchored at now.
func (q *Query) TimeParams(params map[string]string, now time.Time) []TimeParam {
	var out []TimeParam
	for _, p := range q.Params {
		if p.Type != TypeTimestamp {
			continue
		}
		text, given := params[p.Name]
		if !given && !p.HasDefault {
			continue
		}
		if !given {
			text = p.Default
		}
		at, err := p.value(text, now)
		if err != nil {
			continue
		}
		t := at.(time.Time)
		other, _ := p.value(text, now.Add(-time.Hour))
		o, _ := other.(time.Time)
		out = append(out, TimeParam{Name: p.Name, Text: text, At: t, Relative: !o.Equal(t)})
	}
	return out
}

// GroupDigits writes n with a comma between groups of three digits
// (4,096), as every count s3logs prints.
func GroupDigits(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// EmptyNote is the note for a run of q with params while a timestamp
// parameter was relative (a default such as now-30d, or
// a value such as 7d) and the window holds none of the data: the window,
// the data's span on d and the parameters that cover the data, each
// written by arg ("--param start=2026-01-12" on the command line,
// "start=2026-01-12" in the shell). It is "" when no timestamp parameter
// was relative or the window holds some of the data. A parameter named end
// or until is the window's end, any other its start.
func (q *Query) EmptyNote(ctx context.Context, d RowQuerier, params map[string]string, now time.Time, arg func(name, value string) string) (string, error) {
	tps := q.TimeParams(params, now)
	relative := false
	for _, tp := range tps {
		relative = relative || tp.Relative
	}
	if !relative {
		return "", nil
	}
	span, err := DataSpan(ctx, d)
	if err != nil {
		return "", err
	}
	var since, until time.Time
	for _, tp := range tps {
		if tp.Name == "end" || tp.Name == "until" {
			until = tp.At
		} else if tp.At.After(since) {
			since = tp.At
		}
	}
	if span.Covers(since, until) {
		return "", nil // the window holds data: the other conditions left no rows
	}
	var window, try []string
	for _, tp := range tps {
		window = append(window, fmt.Sprintf("%s=%s (%s)", tp.Name, tp.Text, tp.At.Format(spanLayout)))
		v := span.Since()
		end := tp.Name == "end" || tp.Name == "until"
		switch {
		case end && (!tp.Relative || !tp.At.Before(now)):
			v = span.Until()
		case tp.Relative:
			v = span.Back(now.Sub(tp.At))
		}
		try = append(try, arg(tp.Name, v))
	}
	return EmptyWindow(strings.Join(window, " to "), span, strings.Join(try, " ")), nil
}

// SinceNote is the note for a statement sql that calls p_occurs_since,
// whose window counts back from the clock, when that window (the widest
// of its calls) holds none of the data on d: the window, the data's span
// and the p_occurs_between call that asks for the same window anchored to
// the data's last event. It is "" otherwise (an empty table included),
// whatever the rows: a count(*) over an empty window is one row of 0.
func SinceNote(ctx context.Context, d RowQuerier, sql string, now time.Time) (string, error) {
	var widest time.Duration
	for i := 0; i < len(sql); {
		t := Lex(sql, i)
		i = t.End
		if t.Kind != TokWord || !strings.EqualFold(sql[t.Start:t.End], "p_occurs_since") {
			continue
		}
		open := skipSpace(sql, t.End)
		if open >= len(sql) || sql[open] != '(' {
			continue
		}
		args, _, msg := splitArgs(sql, open)
		if msg != "" || len(args) == 0 {
			continue
		}
		if secs, msg := parseOffset(args[0]); msg == "" {
			widest = max(widest, time.Duration(secs)*time.Second)
		}
	}
	if widest == 0 {
		return "", nil
	}
	span, err := DataSpan(ctx, d)
	if err != nil {
		return "", err
	}
	since := now.Add(-widest)
	if span.Rows == 0 || span.Covers(since, time.Time{}) {
		return "", nil // an empty table is no surprise to a statement of its own
	}
	window := fmt.Sprintf("of p_occurs_since (%s on)", since.UTC().Format(spanLayout))
	return EmptyWindow(window, span, fmt.Sprintf("p_occurs_between('%s', '%s')", span.Back(widest), span.Until())), nil
}

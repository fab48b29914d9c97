package queries

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestEmptyNote holds the note for a saved query whose relative default
// window missed old data: it names the window, the data's span and the
// parameters that cover it, and is empty when every time was absolute.
func TestEmptyNote(t *testing.T) {
	d := openFixture(t, fixture)
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	q, err := cat.Get("ips_for_bucket")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 6, 6, 40, 0, 0, time.UTC)
	arg := func(k, v string) string { return "--param " + k + "=" + v }
	ctx := context.Background()
	got, err := q.EmptyNote(ctx, d, map[string]string{"bucket": "prod-data"}, now, arg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"start=now-30d (2026-11-06 06:40:00) to end=now (2026-12-06 06:40:00)",
		"32 rows from 2026-03-01 09:00:00 to 2026-03-03 08:32:04 UTC",
		"try --param start=2026-03-01 --param end=2026-03-04",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("note %q lacks %q", got, want)
		}
	}
	got, err = q.EmptyNote(ctx, d, map[string]string{"bucket": "x", "start": "2026-03-01", "end": "2026-03-02"}, now, arg)
	if err != nil || got != "" {
		t.Errorf("absolute window: note %q, %v; want none", got, err)
	}
	got, err = q.EmptyNote(ctx, d, map[string]string{"bucket": "x", "start": "2026-03-02"}, now, arg)
	if err != nil || got != "" {
		t.Errorf("relative end but the window holds data: note %q, %v; want none", got, err)
	}
	got, err = SinceNote(ctx, d, "SELECT count(*) FROM aws_s3serveraccess WHERE p_occurs_since('1 d') OR p_occurs_since(3600)", now)
	if want := "no rows in the window of p_occurs_since (2026-12-05 06:40:00 on), which counts back from the clock, not from the data; the data holds 32 rows from 2026-03-01 09:00:00 to 2026-03-03 08:32:04 UTC: try p_occurs_between('2026-03-02', '2026-03-04')"; err != nil || got != want {
		t.Errorf("SinceNote = %q, %v\nwant %q", got, err, want)
	}
	if got, err = SinceNote(ctx, d, "SELECT 1 WHERE p_occurs_since('300 d')", now); err != nil || got != "" {
		t.Errorf("SinceNote on a window holding data = %q, %v", got, err)
	}
	if got, _ := SinceNote(ctx, d, "SELECT 'p_occurs_since(1)' -- p_occurs_since(1)", now); got != "" {
		t.Errorf("SinceNote on a string and a comment = %q", got)
	}
	if s := (Span{Rows: 2, First: now.Add(-90 * 24 * time.Hour), Last: now}); s.Back(7*24*time.Hour) != "2026-11-29" || s.Back(0) != "2026-12-06" || s.Back(-time.Hour) != "2026-12-06" || s.Back(365*24*time.Hour) != "2026-09-07" {
		t.Errorf("Back: %s %s %s", s.Back(7*24*time.Hour), s.Back(0), s.Back(365*24*time.Hour))
	}
	if s := (Span{Rows: 1234567, First: now, Last: now.Add(30 * time.Hour)}); s.Until() != "2026-12-08" || s.Since() != "2026-12-06" || !strings.HasPrefix(s.String(), "1,234,567 rows") {
		t.Errorf("span %v: since %s until %s", s, s.Since(), s.Until())
	}
}

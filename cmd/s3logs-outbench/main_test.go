package main

import (
	"strings"
	"testing"
	"time"
)

// TestReport: each format's steps are printed with the ratios of each
// later one to the first (s3logs), per format.
func TestReport(t *testing.T) {
	var b strings.Builder
	report(&b, 1000, []step{
		{"csv", "s3logs query", 2 * time.Second, 4 * time.Second, 400 << 20},
		{"csv", "one read (materialized)", time.Second, 3 * time.Second, 1600 << 20},
		{"table", "s3logs query", time.Second, 2 * time.Second, 100 << 20},
		{"table", "before: s3logs-old", 3 * time.Second, 5 * time.Second, 300 << 20},
	})
	got := b.String()
	for _, want := range []string{"SELECT * of 1000 rows", "2.00 s", "4.00 s", "400 MB", "1600 MB",
		"0.50x   0.75x     4.00x", "3.00x   2.50x     3.00x"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}

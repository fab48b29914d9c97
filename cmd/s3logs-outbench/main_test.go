package main

import (
	"strings"
	"testing"
	"time"
)

// TestReport: each format's two steps are printed with the ratios of the
// second (one read) to the first (s3logs).
func TestReport(t *testing.T) {
	var b strings.Builder
	report(&b, 1000, []step{
		{"csv", "s3logs query (windows)", 2 * time.Second, 400 << 20},
		{"csv", "one read (before)", time.Second, 1600 << 20},
	})
	got := b.String()
	for _, want := range []string{"SELECT * of 1000 rows", "2.00 s", "400 MB", "1600 MB", "0.50x", "4.00x"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}

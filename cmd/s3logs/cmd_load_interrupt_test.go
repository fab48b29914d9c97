package main

import (
	"context"
	"strings"
	"testing"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/loader/ingest"
)

// TestInterruptedNote: Ctrl-C during the load of one big file commits part
// of it (recorded as partial); the note must count those rows, not say
// "0 files (0 rows)" while the database holds them.
func TestInterruptedNote(t *testing.T) {
	d, err := db.Open(context.Background(), db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, tc := range []struct {
		sum  ingest.Summary
		want string
	}{
		{ingest.Summary{Partial: 1, PartialRows: 223217}, "load interrupted after committing 0 files (0 rows) and 223,217 rows of 1 file it was reading; "},
		{ingest.Summary{Objects: 3, Rows: 1500, Partial: 2, PartialRows: 12}, "load interrupted after committing 3 files (1,500 rows) and 12 rows of 2 files it was reading; "},
		{ingest.Summary{Objects: 1, Rows: 7}, "load interrupted after committing 1 file (7 rows); "},
	} {
		if got := interruptedNote(d, tc.sum); !strings.HasPrefix(got, tc.want) {
			t.Errorf("interruptedNote(%+v) = %q, want it to start %q", tc.sum, got, tc.want)
		}
	}
}

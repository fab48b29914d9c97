package ingest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"testing"
)

func TestManifestChunk(t *testing.T) {
	for _, tc := range []struct{ n, want int }{
		{1, 1}, {2, 2}, {3, 2}, {37, 32}, {64, 64}, {99, 64}, {100, 100}, {1437, 100},
	} {
		if got := manifestChunk(tc.n); got != tc.want {
			t.Errorf("manifestChunk(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

// TestWriteManifestStatements holds writeManifest to a few distinct
// statements whatever the number of rows of each commit (each is
// prepared and kept for the whole load), writing every row once, in order.
func TestWriteManifestStatements(t *testing.T) {
	stmts := map[string]bool{}
	for n := 0; n <= 250; n++ {
		rows := make([]manifestRow, n)
		for i := range rows {
			rows[i] = manifestRow{ID: fmt.Sprintf("s3://b/k%d", i), Status: StatusLoaded}
		}
		var ids []string
		insert := func(_ context.Context, q string, args []driver.NamedValue) error {
			stmts[q] = true
			if len(args)%manifestCols != 0 {
				t.Fatalf("%d rows: %d arguments, not a multiple of %d", n, len(args), manifestCols)
			}
			for i := 0; i < len(args); i += manifestCols {
				ids = append(ids, args[i].Value.(string))
			}
			return nil
		}
		if err := writeManifest(context.Background(), nil, insert, rows, nil); err != nil {
			t.Fatal(err)
		}
		if len(ids) != n {
			t.Fatalf("%d rows: wrote %d", n, len(ids))
		}
		for i, id := range ids {
			if id != rows[i].ID {
				t.Fatalf("%d rows: row %d is %s, want %s", n, i, id, rows[i].ID)
			}
		}
	}
	if len(stmts) > 8 {
		t.Errorf("%d distinct INSERT statements for commits of 0 to 250 rows, want at most 8 (100, 64, 32, ..., 1 rows)", len(stmts))
	}
}

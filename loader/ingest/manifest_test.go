package ingest

import (
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/schema"
)

// TestManifestRecord checks the manifest rows as an Arrow batch: every
// column in schema.Manifest's order, NULL for an empty etag, error,
// checksum or windows and a zero mtime, and nothing left allocated.
func TestManifestRecord(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	at := time.Date(2026, 12, 6, 11, 0, 0, 0, time.UTC)
	rows := []manifestRow{
		{ID: "s3://b/k1", Name: "s3://b/k1", Size: 3000, ETag: `"abc"`, Bytes: 3000, Lines: 10, Rows: 9, Rejected: 1,
			Status: StatusLoaded, Checksum: "c1", Label: "s3://b/", LoadedAt: at, Replaced: 2},
		{ID: "/logs/a.log", Name: "a.log", Size: -1, MTime: at.Add(-time.Hour), Blank: 3, Filtered: 4,
			Status: StatusError, Error: "boom", Label: "a.log", LoadedAt: at, Windows: "2024-01-01T00:00:00Z/"},
	}
	rec := manifestRecord(mem, rows)
	defer rec.Release()
	if !rec.Schema().Equal(schema.Manifest.ArrowSchema()) || rec.NumRows() != 2 {
		t.Fatalf("schema %s, %d rows", rec.Schema(), rec.NumRows())
	}
	want := [][]string{
		{"s3://b/k1", "s3://b/k1", "3000", "(null)", `"abc"`, "3000", "10", "9", "1", "0", "0", "loaded", "(null)", "c1", "s3://b/",
			fmt.Sprint(at.UnixMicro()), "(null)", "2"},
		{"/logs/a.log", "a.log", "-1", fmt.Sprint(at.Add(-time.Hour).UnixMicro()), "(null)", "0", "0", "0", "0", "3", "4", "error", "boom", "(null)", "a.log",
			fmt.Sprint(at.UnixMicro()), "2024-01-01T00:00:00Z/", "0"},
	}
	for i, w := range want {
		for c, v := range w {
			col := rec.Column(c)
			got := col.ValueStr(i)
			if col.IsNull(i) {
				got = "(null)"
			} else if ts, ok := col.(*array.Timestamp); ok {
				got = fmt.Sprint(int64(ts.Value(i)))
			}
			if got != v {
				t.Errorf("row %d, %s = %s, want %s", i, schema.Manifest.Columns[c].Name, got, v)
			}
		}
	}
}

package export

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/loader/ingest"
	"github.com/s3logs/s3logs/loader/source"
)

// loadedDB loads the real sample logs and a generated log with traps
// through the real loader, so that exports are checked on rows as the
// loader makes them (IPv6, ARNs with spaces, 18 to 27+ fields, quotes).
func loadedDB(t *testing.T) (*db.DB, int64) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	generated := filepath.Join(t.TempDir(), "generated.log")
	f, err := os.Create(generated)
	if err != nil {
		t.Fatal(err)
	}
	opts := gen.Options{Seed: 42, Start: time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC), Span: 72 * time.Hour, TrapRate: 0.05}
	if err := gen.Write(f, 3000, opts); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var listers []source.Lister
	for _, p := range []string{"../../testdata/samples/panther-aws.log", "../../testdata/samples/peers.log", generated} {
		listers = append(listers, source.LocalLister(p, nil))
	}
	sum, err := ingest.New(d, ingest.Options{}).Load(ctx, listers)
	if err != nil {
		t.Fatalf("load: %v (%s)", err, sum)
	}
	n := count(t, d, "SELECT count(*) FROM aws_s3serveraccess")
	if n < 3000 {
		t.Fatalf("loaded %d rows, want at least the 3000 generated", n)
	}
	return d, n
}

func TestRoundTripLoaded(t *testing.T) {
	d, n := loadedDB(t)
	dir := t.TempDir()

	// The table as one file, read back by arrow-go and by DuckDB.
	out := filepath.Join(dir, "all.parquet")
	res, err := Run(context.Background(), d, Options{Table: true, Out: out})
	if err != nil || res.Rows != n {
		t.Fatalf("file export: %+v, %v; want %d rows", res, err, n)
	}
	_, want := dbRows(t, d, "SELECT * FROM aws_s3serveraccess")
	sc, got := readParquet(t, out)
	checkTypes(t, sc)
	diffRows(t, want, got)
	sameRows(t, d, "read_parquet('"+out+"')", "aws_s3serveraccess")

	// The same rows as a day lake: per-day counts and rows match.
	root := filepath.Join(dir, "lake")
	res, err = Run(context.Background(), d, Options{Table: true, PartitionBy: ByDay, Out: root, Now: fixedNow})
	if err != nil || res.Rows+res.NoTime != n {
		t.Fatalf("lake export: %+v, %v; want %d rows", res, err, n)
	}
	wantDays, gotDays := perDay(t, d, root)
	diffRows(t, wantDays, gotDays)
	sameRows(t, d, hive(root, ByDay), "(SELECT * FROM aws_s3serveraccess WHERE p_event_time IS NOT NULL)")
}

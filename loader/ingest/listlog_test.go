package ingest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/s3logs/s3logs/loader/source"
	"github.com/s3logs/s3logs/schema"
)

// TestListLog: Done returns the recorded days of a base that were listed
// at least source.SettleTime after they ended and whose recorded objects
// are all loaded (manifest rows with status loaded under the day's
// prefix, in that bucket); Listed replaces a day's earlier record.
func TestListLog(t *testing.T) {
	ctx := context.Background()
	d := openDB(t)
	g, err := NewListLog(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	day := func(n int) time.Time { return time.Date(2024, 1, n, 0, 0, 0, 0, time.UTC) }
	done := func(bucket, base string) []string {
		t.Helper()
		days, err := g.Done(ctx, bucket, base)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range days {
			if d.Bucket != bucket || d.Base != base || !d.Settled() {
				t.Errorf("Done returned %+v", d)
			}
			out = append(out, d.Prefix)
		}
		slices.Sort(out)
		return out
	}
	listed := func(bucket, base, prefix string, d time.Time, objects int64, at time.Time) {
		t.Helper()
		if err := g.Listed(ctx, []source.ListedDay{{Bucket: bucket, Base: base, Prefix: prefix, Day: d, Objects: objects, ListedAt: at}}); err != nil {
			t.Fatal(err)
		}
	}
	later := day(20)
	listed("b", "logs/", "logs/2024-01-01", day(1), 2, later)
	listed("b", "logs/", "logs/2024-01-02", day(2), 1, later)
	listed("b", "logs/", "logs/2024-01-03", day(3), 0, later)
	listed("b", "logs/", "logs/2024-01-18", day(18), 1, later) // listed a day after it ended
	listed("b", "p/111111111111/us-east-1/web/", "p/111111111111/us-east-1/web/2024/01/01/", day(1), 1, later)
	listed("other", "logs/", "logs/2024-01-05", day(5), 0, later)

	// No manifest yet: only the empty day is done.
	if got, want := done("b", "logs/"), []string{"logs/2024-01-03"}; !slices.Equal(got, want) {
		t.Errorf("without a manifest: done %q, want %q", got, want)
	}
	if _, err := d.ExecContext(ctx, schema.Manifest.CreateSQL()); err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2]string{
		{"s3://b/logs/2024-01-01-10-00-00-A", StatusLoaded},
		{"s3://b/logs/2024-01-01-11-00-00-B", StatusLoaded},
		{"s3://b/logs/2024-01-02-10-00-00-C", StatusPartial},
		{"s3://other/logs/2024-01-02-10-00-00-C", StatusLoaded},
		{"s3://b/logs/2024-01-18-10-00-00-D", StatusLoaded},
		{"s3://b/p/111111111111/us-east-1/web/2024/01/01/2024-01-01-10-00-00-E", StatusLoaded},
	} {
		if _, err := d.ExecContext(ctx, "INSERT INTO "+schema.ManifestTableName+" (id, status) VALUES (?, ?)", r[0], r[1]); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := done("b", "logs/"), []string{"logs/2024-01-01", "logs/2024-01-03"}; !slices.Equal(got, want) {
		t.Errorf("done %q, want %q (Jan 2's object is partial, Jan 18 listed too early)", got, want)
	}
	if got, want := done("b", "p/111111111111/us-east-1/web/"), []string{"p/111111111111/us-east-1/web/2024/01/01/"}; !slices.Equal(got, want) {
		t.Errorf("partitioned: done %q, want %q", got, want)
	}
	if got, want := done("other", "logs/"), []string{"logs/2024-01-05"}; !slices.Equal(got, want) {
		t.Errorf("other bucket: done %q, want %q", got, want)
	}
	// Jan 2 listed again, its object gone: the new record replaces the old.
	listed("b", "logs/", "logs/2024-01-02", day(2), 0, later.Add(time.Hour))
	if got, want := done("b", "logs/"), []string{"logs/2024-01-01", "logs/2024-01-02", "logs/2024-01-03"}; !slices.Equal(got, want) {
		t.Errorf("after a new record: done %q, want %q", got, want)
	}
	var n int
	if err := d.QueryRowContext(ctx, "SELECT count(*) FROM "+schema.ListedTableName+" WHERE prefix = 'logs/2024-01-02'").Scan(&n); err != nil || n != 1 {
		t.Errorf("records of Jan 2: %d (%v), want 1", n, err)
	}
}

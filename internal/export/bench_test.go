package export

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/schema"
)

// benchRows is the size of the benchmark table: the 1000 fixture rows
// repeated, spread uniformly over 30 days.
const benchRows = 300_000

// benchDB returns a database with benchRows rows.
func benchDB(b *testing.B) *db.DB {
	b.Helper()
	d, err := db.Open(context.Background(), db.Memory)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	seed(b, d, "2026-01-01 00:00:00+00", 0, 1000)
	_, err = d.Exec(fmt.Sprintf(`INSERT INTO aws_s3serveraccess
SELECT t.* REPLACE (t.p_row_id || '-' || k AS p_row_id, TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds((hash(t.p_row_id, k) %% 2592000)::BIGINT) AS p_event_time)
FROM aws_s3serveraccess t, range(1, %d) r(k)`, benchRows/1000))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.Exec("DELETE FROM aws_s3serveraccess WHERE p_row_id NOT LIKE '%-%'"); err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkExport compares s3logs' exports with DuckDB's plain COPY of the
// table (the baseline: no order, no atomic rename, no partitions) on the
// same data. Reported as rows/s; compare ns/op against duckdb-copy.
//
//	go test -tags duckdb_arrow -run '^$' -bench Export -benchtime 3x ./internal/export/
func BenchmarkExport(b *testing.B) {
	d := benchDB(b)
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(out string) error
	}{
		{"duckdb-copy", func(out string) error {
			_, err := d.Exec("COPY aws_s3serveraccess TO " + schema.Literal(out+".parquet") + " (FORMAT parquet, COMPRESSION zstd)")
			return err
		}},
		{"file", func(out string) error {
			_, err := Run(ctx, d, Options{Table: true, Out: out + ".parquet"})
			return err
		}},
		{"lake-day", func(out string) error {
			_, err := Run(ctx, d, Options{Table: true, PartitionBy: ByDay, Out: out})
			return err
		}},
		{"lake-hour", func(out string) error {
			_, err := Run(ctx, d, Options{Table: true, PartitionBy: ByHour, Out: out})
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			dir := b.TempDir()
			i := 0
			for b.Loop() {
				out := filepath.Join(dir, fmt.Sprint(i))
				i++
				if err := c.run(out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
	// Re-exporting an unchanged lake costs only the fingerprints.
	b.Run("lake-day-unchanged", func(b *testing.B) {
		out := filepath.Join(b.TempDir(), "lake")
		if _, err := Run(ctx, d, Options{Table: true, PartitionBy: ByDay, Out: out}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			res, err := Run(ctx, d, Options{Table: true, PartitionBy: ByDay, Out: out})
			if err != nil || res.Partitions != 0 {
				b.Fatalf("re-export: %+v, %v", res, err)
			}
		}
	})
}

package queries

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/loader/ingest"
	"github.com/s3logs/s3logs/loader/source"
)

// benchRows is the size of the generated data set the benchmarks use.
const benchRows = 200_000

// openGenerated loads benchRows generated lines into an in-memory database.
func openGenerated(b *testing.B) *db.DB {
	b.Helper()
	ctx := context.Background()
	p := filepath.Join(b.TempDir(), "access.log")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if err := gen.Write(f, benchRows, gen.Options{Seed: 7}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	d, err := db.Open(ctx, db.Memory)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if _, err := ingest.New(d, ingest.Options{}).Load(ctx, []source.Lister{source.LocalLister(p, nil)}); err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkDetect runs every rule (SQL filter, then grouping in Go) and,
// as the baseline, the oracle of oracle_test.go: one pass over every row in
// Go, the way a rule engine outside the database works.
func BenchmarkDetect(b *testing.B) {
	d := openGenerated(b)
	ctx := context.Background()
	b.Run("all-rules", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Detect(ctx, d.DB, Options{All: true}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("baseline-go-one-pass", func(b *testing.B) {
		b.ReportAllocs()
		c := DefaultConfig()
		for b.Loop() {
			oracleDetect(c, readAll(b, d.DB), nil)
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkSavedQueries runs every built-in query once per iteration.
func BenchmarkSavedQueries(b *testing.B) {
	d := openGenerated(b)
	ctx := context.Background()
	cat, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, q := range cat.List() {
			text, args, err := q.Bind(savedQueryParams[q.Name])
			if err != nil {
				b.Fatal(err)
			}
			rows, err := d.QueryContext(ctx, text, args...)
			if err != nil {
				b.Fatalf("%s: %v", q.Name, err)
			}
			for rows.Next() {
			}
			if err := rows.Err(); err != nil {
				b.Fatalf("%s: %v", q.Name, err)
			}
			rows.Close()
		}
	}
}

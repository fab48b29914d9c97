package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/loader"
)

// BenchmarkIngest loads the same generated log into a new database file
// (load), against parsing it alone on one core (parse, the baseline): the
// difference is what DuckDB and the pipeline cost. Run with
//
//	go test -tags duckdb_arrow -run '^$' -bench Ingest -benchtime 3x ./loader/ingest
func BenchmarkIngest(b *testing.B) {
	data := genLines(b, 100000, 1)
	path := filepath.Join(b.TempDir(), "a.log")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			rd := loader.NewReader(bytes.NewReader(data), path, loader.Options{})
			for rd.Next() {
			}
			if rd.Stats().Rows != 100000 {
				b.Fatalf("%d rows", rd.Stats().Rows)
			}
			rd.Release()
		}
	})
	b.Run("load", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			dbPath := filepath.Join(b.TempDir(), "t.duckdb")
			d, err := db.Open(context.Background(), dbPath)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			sum, err := New(d, Options{}).Load(context.Background(), []loader.Lister{loader.PathLister(path)})
			if err != nil || sum.Rows != 100000 {
				b.Fatalf("load: %v, %d rows", err, sum.Rows)
			}
			b.StopTimer()
			d.Close()
			b.StartTimer()
		}
	})
}

package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/loader/source"
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
			sum, err := New(d, Options{}).Load(context.Background(), []source.Lister{source.PathLister(path)})
			if err != nil || sum.Rows != 100000 {
				b.Fatalf("load: %v, %d rows", err, sum.Rows)
			}
			b.StopTimer()
			d.Close()
			b.StartTimer()
		}
	})
}

// memLister lists in-memory objects, as an S3 listing of small objects
// would, without a server.
type memLister []source.Object

func (m memLister) List(ctx context.Context, fn func(source.Object) error) error {
	for _, o := range m {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// smallObjects returns n objects of 10 generated lines each (about 6 KB),
// with their Size set to size(len) (-1: unknown).
func smallObjects(b testing.TB, n int, size func(int) int64) memLister {
	var objs memLister
	for i := range n {
		data := genLines(b, 10, int64(i+1))
		objs = append(objs, source.Object{
			Name: fmt.Sprintf("obj-%04d.log", i), ID: fmt.Sprintf("mem://bench/obj-%04d.log", i), Size: size(len(data)),
			Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		})
	}
	return objs
}

// BenchmarkSmallObjects loads 1000 small objects into an in-memory
// database, with their sizes known (as from an S3 listing: each is read
// into a buffer of its size) and unknown (each gets a DefaultChunkBytes
// buffer, as every object did before): B/op shows the chunk buffers. Run
// with
//
//	go test -tags duckdb_arrow -run '^$' -bench SmallObjects -benchtime 3x ./loader/ingest
func BenchmarkSmallObjects(b *testing.B) {
	for _, bc := range []struct {
		name string
		size func(int) int64
	}{
		{"size-known", func(n int) int64 { return int64(n) }},
		{"size-unknown", func(int) int64 { return -1 }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			objs := smallObjects(b, 1000, bc.size)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				d, err := db.Open(context.Background(), db.Memory)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				sum, err := New(d, Options{}).Load(context.Background(), []source.Lister{objs})
				if err != nil || sum.Rows != 10000 || sum.Objects != 1000 {
					b.Fatalf("load: %v, %d objects, %d rows", err, sum.Objects, sum.Rows)
				}
				b.StopTimer()
				d.Close()
				b.StartTimer()
			}
		})
	}
}

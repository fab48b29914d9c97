package loader

import (
	"bufio"
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/internal/gen"
)

// The benchmarks compare, on the same generated log, the tokenizer alone and
// the whole parse to Arrow with a strings.Fields baseline. Measure on one
// core, several times, and compare the best of each:
//
//	go test -tags duckdb_arrow -run '^$' -bench . -cpu 1 -benchtime 20x -count 10 ./loader

// benchLines is how many generated lines the benchmarks parse per op.
const benchLines = 20000

// benchLog returns a realistic generated log (internal/gen, the default
// share of adversarial lines), the same bytes on every call.
var benchLog = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	if err := gen.Write(&b, benchLines, gen.Options{Seed: 1, TrapRate: gen.DefaultTrapRate}); err != nil {
		panic(err)
	}
	return b.Bytes()
})

// BenchmarkFieldsBaseline is what a user would write without this package:
// read lines with bufio.Scanner and split them with strings.Fields (which
// is not even correct). The parser is measured against it.
func BenchmarkFieldsBaseline(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
		for sc.Scan() {
			n += len(strings.Fields(sc.Text()))
		}
	}
	if n == 0 {
		b.Fatal("no fields")
	}
}

// BenchmarkTokenize measures the tokenizer alone over the same lines; it
// must not allocate.
func BenchmarkTokenize(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var p parser
	for b.Loop() {
		for rest := data; len(rest) > 0; {
			k := bytes.IndexByte(rest, '\n')
			if !p.parse(rest[:k]) {
				b.Fatalf("rejected: %s", p.err.reason)
			}
			rest = rest[k+1:]
		}
	}
}

// BenchmarkReader measures the whole parse from an io.Reader to Arrow
// record batches of all 36 columns.
func BenchmarkReader(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), "bench.log", Options{Allocator: memory.DefaultAllocator})
		rows := int64(0)
		for r.Next() {
			rows += r.RecordBatch().NumRows()
		}
		r.Release()
		if rows != benchLines {
			b.Fatalf("%d rows, want %d", rows, benchLines)
		}
	}
}

// BenchmarkReaderSmallObjects measures the per-object cost of a load of
// many small log objects (S3 delivers a few KB at a time): one Reader per
// 20 lines.
func BenchmarkReaderSmallObjects(b *testing.B) {
	data := benchLog()
	var objects [][]byte
	for rest := data; len(rest) > 0 && len(objects) < 100; {
		end := 0
		for k := 0; k < 20; k++ {
			end += bytes.IndexByte(rest[end:], '\n') + 1
		}
		objects = append(objects, rest[:end])
		rest = rest[end:]
	}
	size := 0
	for _, o := range objects {
		size += len(o)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, o := range objects {
			r := NewReader(bytes.NewReader(o), "s3://bucket/key", Options{Allocator: memory.DefaultAllocator})
			for r.Next() {
			}
			r.Release()
		}
	}
}

// TestTokenizeAllocatesNothing checks the zero-allocation claim on every
// generated line and every sample line that parses.
func TestTokenizeAllocatesNothing(t *testing.T) {
	lines := sampleLines(t)
	for rest := benchLog()[:200000]; len(rest) > 0; {
		k := bytes.IndexByte(rest, '\n')
		if k < 0 {
			break
		}
		lines = append(lines, string(rest[:k]))
		rest = rest[k+1:]
	}
	raw := make([][]byte, len(lines))
	for i, l := range lines {
		raw[i] = []byte(l)
	}
	var p parser
	p.parse(raw[0]) // let the reused buffers grow once
	allocs := testing.AllocsPerRun(5, func() {
		for _, l := range raw {
			if !p.parse(l) {
				t.Fatalf("rejected %q: %s", l, p.err.reason)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run of %d lines, want 0", allocs, len(raw))
	}
}

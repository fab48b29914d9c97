package loader

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// poisonAllocator hands out buffers filled with 0xff instead of zeroes, so
// that a byte of a batch the loader forgets to write shows up as a wrong
// value or a wrong NULL.
type poisonAllocator struct{ memory.Allocator }

func (a poisonAllocator) Allocate(size int) []byte {
	b := a.Allocator.Allocate(size)
	for i := range b {
		b[i] = 0xff
	}
	return b
}

func (a poisonAllocator) Reallocate(size int, b []byte) []byte {
	nb := a.Allocate(size)
	copy(nb, b)
	a.Free(b)
	return nb
}

// TestRecycledBuffersFullyWritten reads the sample lines and generated
// lines (with NULLs, lists and rejects) in small batches, so that later
// batches reuse the buffers of earlier ones, from a poisoned allocator, and
// checks every row equals the one read from zeroed memory.
func TestRecycledBuffersFullyWritten(t *testing.T) {
	lines := sampleLines(t)
	lines = append(lines, strings.Split(strings.TrimSuffix(string(benchLog()[:300000]), "\n"), "\n")...)
	input := strings.Join(lines, "\n") + "\n"
	want := readAll(t, input, "s3://b/k", Options{BatchRows: 1 << 20})
	for _, batch := range []int{1, 7, 64, 1000} {
		checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
		r := NewReader(strings.NewReader(input), "s3://b/k", Options{
			BatchRows: batch, Allocator: poisonAllocator{checked}, ParseTime: testParseTime,
		})
		i := 0
		for r.Next() {
			rec := r.RecordBatch()
			for k := 0; k < int(rec.NumRows()); k++ {
				if got := rowMap(t, rec, k); !reflect.DeepEqual(got, want.rows[i]) {
					t.Fatalf("batch %d: row %d = %v, want %v", batch, i, got, want.rows[i])
				}
				i++
			}
		}
		r.Release()
		if i != len(want.rows) || i < 500 {
			t.Errorf("batch %d: %d rows, want %d (at least 500)", batch, i, len(want.rows))
		}
		checked.AssertSize(t, 0)
	}
}

// TestSizeClass checks the recycler's classes: powers of two from 64 bytes.
func TestSizeClass(t *testing.T) {
	for _, c := range []struct{ size, k, cls int }{
		{0, 0, 64}, {1, 0, 64}, {64, 0, 64}, {65, 1, 128}, {128, 1, 128},
		{129, 2, 256}, {1 << 20, 14, 1 << 20}, {1<<20 + 1, 15, 2 << 20},
	} {
		if k, cls := sizeClass(c.size); k != c.k || cls != c.cls {
			t.Errorf("sizeClass(%d) = %d, %d; want %d, %d", c.size, k, cls, c.k, c.cls)
		}
	}
}

// TestRecyclerReuses checks that a freed buffer comes back for the next
// allocation of its class, not zeroed, and that close hands every kept
// buffer back to the parent.
func TestRecyclerReuses(t *testing.T) {
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	a, own := recyclerFor(checked)
	if !own {
		t.Fatal("a caller's allocator got the shared recycler")
	}
	b := a.Allocate(100)
	if len(b) != 100 || cap(b) != 128 {
		t.Fatalf("Allocate(100): len %d cap %d, want 100 128", len(b), cap(b))
	}
	b[0] = 42
	a.Free(b[:10])
	c := a.Allocate(120)
	if &c[0] != &b[0] || c[0] != 42 {
		t.Errorf("Allocate after Free did not reuse the buffer as it was")
	}
	if got := checked.CurrentAlloc(); got != 128 {
		t.Errorf("parent holds %d bytes, want 128", got)
	}
	a.Free(c)
	a.close()
	checked.AssertSize(t, 0)
	if s, own := recyclerFor(nil); s != sharedRecycler || own {
		t.Error("nil allocator did not get the shared recycler")
	}
}

// TestSmallBatchHoldsLittle checks that the batch of a small log object
// holds about its own bytes, not the buffers sized for hundreds of rows
// and kilobytes of each column that the Reader wrote it in (see take):
// a load queues hundreds of such batches.
func TestSmallBatchHoldsLittle(t *testing.T) {
	input := firstLines(t, 10)
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	r := NewReader(strings.NewReader(input), "s3://b/k", Options{Allocator: checked, ParseTime: testParseTime})
	if !r.Next() {
		t.Fatal("no batch")
	}
	rec := r.RecordBatch()
	rec.Retain()
	r.Release() // frees the Reader's buffers: what is left is the batch's
	held := checked.CurrentAlloc()
	if limit := 32 << 10; held > limit || rec.NumRows() != 10 {
		t.Errorf("a batch of %d rows of %d bytes of lines holds %d bytes, want at most %d", rec.NumRows(), len(input), held, limit)
	}
	rec.Release()
	checked.AssertSize(t, 0)
}

// TestRetainedSmallBatches reads lines in batches of a few rows, each
// copied out of buffers the Reader reuses for the next (see take), keeps
// every batch to the end, and checks that every row is the one read in
// one batch, and that nothing is left allocated once they are released.
func TestRetainedSmallBatches(t *testing.T) {
	input := firstLines(t, 40)
	want := readAll(t, input, "s3://b/k", Options{BatchRows: 1 << 20})
	for _, batch := range []int{1, 3, 16} {
		checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
		r := NewReader(strings.NewReader(input), "s3://b/k", Options{
			BatchRows: batch, Allocator: poisonAllocator{checked}, ParseTime: testParseTime,
		})
		var recs []arrow.RecordBatch
		for r.Next() {
			rec := r.RecordBatch()
			rec.Retain()
			recs = append(recs, rec)
		}
		r.Release()
		i := 0
		for _, rec := range recs {
			for k := 0; k < int(rec.NumRows()); k++ {
				if got := rowMap(t, rec, k); !reflect.DeepEqual(got, want.rows[i]) {
					t.Fatalf("batch %d: row %d = %v, want %v", batch, i, got, want.rows[i])
				}
				i++
			}
			rec.Release()
		}
		if i != len(want.rows) || i != 40 {
			t.Errorf("batch %d: %d rows, want %d (40)", batch, i, len(want.rows))
		}
		checked.AssertSize(t, 0)
	}
}

// firstLines returns the first n lines of the generated log, each with
// its line end.
func firstLines(t *testing.T, n int) string {
	t.Helper()
	data := benchLog()
	end := 0
	for range n {
		k := bytes.IndexByte(data[end:], '\n')
		if k < 0 {
			t.Fatalf("the generated log has fewer than %d lines", n)
		}
		end += k + 1
	}
	return string(data[:end])
}

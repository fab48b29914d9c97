package loader

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestNullMasks checks the validity bitmaps that build makes
// (validity.compute, then bitmap), eight rows at a time, against a
// bit-by-bit reading of the masks, for every length up to 40 rows (full
// bytes and partial last bytes), on poisoned memory.
func TestNullMasks(t *testing.T) {
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	mem, _ := recyclerFor(poisonAllocator{checked})
	for n := 0; n <= 40; n++ {
		masks := make([]uint32, n)
		var any uint32
		for i := range masks {
			// Column 0 NULL every third row, column 3 on rows 5 and 17,
			// column 7 never.
			if i%3 == 0 {
				masks[i] |= 1
			}
			if i == 5 || i == 17 {
				masks[i] |= 1 << 3
			}
			any |= masks[i]
		}
		for _, col := range []int{0, 3, 7} {
			var v validity
			v.compute(masks)
			buf, nulls := v.bitmap(mem, any, col)
			want := 0
			for _, m := range masks {
				want += int(m >> col & 1)
			}
			if nulls != want {
				t.Errorf("n %d col %d: %d nulls, want %d", n, col, nulls, want)
			}
			if want == 0 {
				if buf != nil {
					t.Errorf("n %d col %d: a bitmap without NULLs", n, col)
					buf.Release()
				}
				continue
			}
			b := buf.Bytes()
			if len(b) != (n+7)/8 {
				t.Fatalf("n %d col %d: %d bytes, want %d", n, col, len(b), (n+7)/8)
			}
			for i, m := range masks {
				if valid := b[i>>3]>>(i&7)&1 == 1; valid != (m>>col&1 == 0) {
					t.Errorf("n %d col %d row %d: valid %v", n, col, i, valid)
				}
			}
			if n%8 != 0 && b[len(b)-1]>>(n%8) != 0 {
				t.Errorf("n %d col %d: bits past the last row set: %08b", n, col, b[len(b)-1])
			}
			buf.Release()
		}
	}
	mem.close()
	checked.AssertSize(t, 0)
}

// TestIndexReadsPastLineInPlace checks that a line indexed in the read
// buffer, whose last block takes in the bytes of the next line, is not
// judged by them: a NUL byte, a quote, spaces or a non-ASCII byte in the
// next line change nothing in the one before.
func TestIndexReadsPastLineInPlace(t *testing.T) {
	line := mkLine(func(map[int]string) {})
	alone := readAll(t, line+"\n", "s3://b/k", Options{})
	if len(alone.rows) != 1 {
		t.Fatalf("base line: %d rows, rejects %v", len(alone.rows), alone.rejects)
	}
	want := alone.rows[0]
	for _, next := range []string{"\x00binary", "\"  \" é", "é\x00\"", "   "} {
		res := readAll(t, line+"\n"+next+"\n", "s3://b/k", Options{})
		if len(res.rows) != 1 || !reflect.DeepEqual(res.rows[0], want) {
			t.Errorf("next line %q: rows %v, want [%v]", next, res.rows, want)
		}
		wantRejects := 1
		if next == "   " {
			wantRejects = 0
		}
		if len(res.rejects) != wantRejects {
			t.Errorf("next line %q: %d rejects, want %d", next, len(res.rejects), wantRejects)
		}
	}
}

// TestValidityAllColumns checks the one-pass validity bytes of all 32 mask
// bits against a bit-by-bit reading, on random masks of every length up to
// 70 rows, and the NULL counts of the bitmaps made from them.
func TestValidityAllColumns(t *testing.T) {
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	mem, _ := recyclerFor(poisonAllocator{checked})
	rng := rand.New(rand.NewPCG(9, 10))
	var v validity
	for n := 0; n <= 70; n++ {
		masks := make([]uint32, n)
		var any uint32
		for i := range masks {
			masks[i] = rng.Uint32() & rng.Uint32() // about a quarter of the bits set
			any |= masks[i]
		}
		v.compute(masks)
		for col := range 32 {
			b := v.bytes[col]
			if len(b) != (n+7)/8 {
				t.Fatalf("n %d col %d: %d bytes, want %d", n, col, len(b), (n+7)/8)
			}
			want := 0
			for i, m := range masks {
				null := m>>col&1 == 1
				if null {
					want++
				}
				if valid := b[i>>3]>>(i&7)&1 == 1; valid == null {
					t.Fatalf("n %d col %d row %d: valid %v, mask %032b", n, col, i, valid, m)
				}
			}
			if n%8 != 0 && b[len(b)-1]>>(n%8) != 0 {
				t.Errorf("n %d col %d: bits past the last row set: %08b", n, col, b[len(b)-1])
			}
			buf, nulls := v.bitmap(mem, any, col)
			if nulls != want || (buf == nil) != (want == 0) {
				t.Errorf("n %d col %d: bitmap %v with %d nulls, want %d", n, col, buf != nil, nulls, want)
			}
			if buf != nil {
				if string(buf.Bytes()[:len(b)]) != string(b) {
					t.Errorf("n %d col %d: bitmap differs from the validity bytes", n, col)
				}
				buf.Release()
			}
		}
	}
	mem.close()
	checked.AssertSize(t, 0)
}

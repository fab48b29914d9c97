package loader

// Column buffers. Each column of a batch is accumulated in plain Go slices
// that are reused from batch to batch (so a steady load allocates nothing
// per row), and copied once into allocator-owned Arrow buffers when the
// batch is built. This is cheaper than array builders, which check
// capacity and grow per value, and it lets constant columns be written in
// bulk.

import (
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// bitmap is an Arrow validity bitmap being built, one bit per row.
type bitmap struct {
	bits  []byte
	nulls int
}

func (b *bitmap) reset() { b.bits, b.nulls = b.bits[:0], 0 }

// add appends a validity bit for row n (rows are appended in order).
func (b *bitmap) add(n int, valid bool) {
	if n&7 == 0 {
		b.bits = append(b.bits, 0)
	}
	if valid {
		b.bits[n>>3] |= 1 << (n & 7)
	} else {
		b.nulls++
	}
}

// buffer copies the bitmap into a new allocator buffer, or returns nil
// when no row is NULL (Arrow's way of saying all valid).
func (b *bitmap) buffer(mem *recycler) *memory.Buffer {
	if b.nulls == 0 {
		return nil
	}
	return copyBuffer(mem, b.bits)
}

// strCol is a utf8 column being built. Its validity comes from the
// batch's per-row NULL masks (see nullMasks), so adding a value is just two
// appends.
type strCol struct {
	offs []int32
	data []byte
}

func (c *strCol) reset() {
	c.offs = append(c.offs[:0], 0)
	c.data = c.data[:0]
}

// add appends v. When v may hold invalid UTF-8 (ok is false), each invalid
// byte is written as U+FFFD, so the column never holds an invalid string.
func (c *strCol) add(v []byte, ok bool) {
	if ok {
		c.data = append(c.data, v...)
	} else {
		c.data = appendValidUTF8(c.data, v)
	}
	c.offs = append(c.offs, int32(len(c.data)))
}

// addNull appends an empty value, for a row that is NULL in the validity
// bitmap.
func (c *strCol) addNull() { c.offs = append(c.offs, int32(len(c.data))) }

// appendValidUTF8 appends b to dst with every byte that is not part of a
// valid UTF-8 sequence replaced by U+FFFD.
func appendValidUTF8(dst, b []byte) []byte {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, b[:size]...)
		}
		b = b[size:]
	}
	return dst
}

// build returns the column's n rows as an Arrow array with the given
// validity (nil when no row is NULL), which it takes over; the caller
// releases the array.
func (c *strCol) build(mem *recycler, n int, valid *memory.Buffer, nulls int) arrow.Array {
	return newArray(arrow.BinaryTypes.String, n, nulls, nil,
		valid, copyBuffer(mem, arrow.Int32Traits.CastToBytes(c.offs)), copyBuffer(mem, c.data))
}

// intCol is an int64 or timestamp column being built; like strCol, its
// validity comes from the NULL masks.
type intCol struct {
	vals []int64
}

func (c *intCol) reset() { c.vals = c.vals[:0] }

// add appends v (any value for a NULL row).
func (c *intCol) add(v int64) { c.vals = append(c.vals, v) }

// build returns the column's n rows as an Arrow array of type dt with the
// given validity, which it takes over; the caller releases the array.
func (c *intCol) build(mem *recycler, dt arrow.DataType, n int, valid *memory.Buffer, nulls int) arrow.Array {
	return newArray(dt, n, nulls, nil, valid, copyBuffer(mem, arrow.Int64Traits.CastToBytes(c.vals)))
}

// nullMasks returns the validity bitmap of column col from the per-row
// masks of NULL log columns (bit col set when the row's value is NULL),
// and the number of NULLs; the bitmap is nil when there are none.
func nullMasks(mem *recycler, masks []uint32, col int) (*memory.Buffer, int) {
	bit := uint32(1) << col
	nulls := 0
	for _, m := range masks {
		if m&bit != 0 {
			nulls++
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	buf := newBuffer(mem, (len(masks)+7)/8)
	bits := buf.Bytes()
	clear(bits) // the buffer is recycled: not zeroed
	for i, m := range masks {
		if m&bit == 0 {
			bits[i>>3] |= 1 << (i & 7)
		}
	}
	return buf, nulls
}

// listCol is a list<utf8> column being built.
type listCol struct {
	valid bitmap
	offs  []int32
	elems strCol
	nelem int
}

func (c *listCol) reset() {
	c.valid.reset()
	c.offs = append(c.offs[:0], 0)
	c.elems.reset()
	c.nelem = 0
}

// addElem appends an element to the list being built for the current row.
func (c *listCol) addElem(v []byte, ok bool) {
	c.elems.add(v, ok)
	c.nelem++
}

// endRow ends row n; a row with no elements is NULL.
func (c *listCol) endRow(n int) {
	c.valid.add(n, int(c.offs[len(c.offs)-1]) != c.nelem)
	c.offs = append(c.offs, int32(c.nelem))
}

// build returns the column's n rows as an Arrow array; the caller releases it.
func (c *listCol) build(mem *recycler, n int) arrow.Array {
	child := c.elems.build(mem, c.nelem, nil, 0)
	defer child.Release()
	return newArray(arrow.ListOf(arrow.BinaryTypes.String), n, c.valid.nulls, []arrow.ArrayData{child.Data()},
		c.valid.buffer(mem), copyBuffer(mem, arrow.Int32Traits.CastToBytes(c.offs)))
}

// constStr returns n copies of s as a utf8 array; the caller releases it.
func constStr(mem *recycler, s string, n int) arrow.Array {
	offs := newBuffer(mem, (n+1)*4)
	o := arrow.Int32Traits.CastFromBytes(offs.Bytes())
	data := newBuffer(mem, n*len(s))
	d := data.Bytes()
	for i := 0; i <= n; i++ {
		o[i] = int32(i * len(s))
	}
	if n > 0 && len(s) > 0 {
		// Doubling copies fill the buffer in log(n) memmoves.
		k := copy(d, s)
		for k < len(d) {
			k += copy(d[k:], d[:k])
		}
	}
	return newArray(arrow.BinaryTypes.String, n, 0, nil, nil, offs, data)
}

// constInt returns n copies of v as an array of type dt; the caller
// releases it.
func constInt(mem *recycler, dt arrow.DataType, v int64, n int) arrow.Array {
	buf := newBuffer(mem, n*8)
	vals := arrow.Int64Traits.CastFromBytes(buf.Bytes())
	for i := range vals {
		vals[i] = v
	}
	return newArray(dt, n, 0, nil, nil, buf)
}

// copyBuffer returns a new buffer from mem holding a copy of b.
func copyBuffer(mem *recycler, b []byte) *memory.Buffer {
	buf := newBuffer(mem, len(b))
	copy(buf.Bytes(), b)
	return buf
}

// newArray makes an array from buffers it takes over (it releases its
// references to them; the array keeps its own).
func newArray(dt arrow.DataType, n, nulls int, children []arrow.ArrayData, bufs ...*memory.Buffer) arrow.Array {
	data := array.NewData(dt, n, bufs, children, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	defer data.Release()
	return array.MakeFromData(data)
}

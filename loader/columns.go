package loader

// Column buffers. The columns with a value per row are written directly
// into recycled allocator buffers (see recycler), sized from the previous
// batch, which the record batch takes over when it is built: no copy, no
// zeroing, and no capacity check per value beyond one per row and one per
// string. The small list columns are staged in Go slices reused from batch
// to batch and copied once. This is cheaper than array builders, which
// check capacity and grow per value, and it lets constant columns be
// written in bulk.

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// strCol is a utf8 column of the batch's rows, written directly into
// recycled buffers (see recycler) that the record batch takes over when
// it is built. Its validity comes from the batch's per-row NULL masks
// (see validity). Its offsets have room for the batch's rowCap rows
// (batch.growRows makes more); its data grows by reserve.
type strCol struct {
	offsBuf  []byte  // the offsets' buffer
	offs     []int32 // offsBuf as int32s
	data     []byte
	hint     int // bytes of the last batch built, to size the next one's data
	hintRows int // rows of the last batch built
}

// start gives c empty buffers for a batch of up to rows rows, its data
// sized from the previous batch when useHint (the Reader's own, not the
// pooled state's last Reader's), else perRow bytes a row. Buffers kept
// from the last batch (see take) are reused when they are large enough.
func (c *strCol) start(mem *recycler, rows, perRow int, useHint bool) {
	if c.offsBuf != nil && cap(c.offsBuf) < 4*(rows+1) {
		mem.Free(c.offsBuf)
		c.offsBuf, c.offs = nil, nil
	}
	if c.offsBuf == nil {
		c.offsBuf = mem.Allocate(4 * (rows + 1))
		c.offs = int32s(c.offsBuf)
	}
	if c.data == nil {
		size := rows * perRow
		if useHint {
			size = max(size, c.hint+c.hint/8)
		} else if c.hintRows > 0 {
			// Another Reader's last batch: as many bytes a row as it had.
			size = max(size, rows*(c.hint/c.hintRows+1))
		}
		c.data = mem.Allocate(size)[:0]
	}
	c.offs = append(c.offs[:0], 0)
	c.data = c.data[:0]
}

// growRows makes room for rows rows in the offsets.
func (c *strCol) growRows(mem *recycler, rows int) {
	c.offsBuf = mem.Reallocate(4*(rows+1), c.offsBuf[:4*len(c.offs)])
	c.offs = int32s(c.offsBuf)[:len(c.offs)]
}

// reserve makes room for n more bytes of data.
func (c *strCol) reserve(mem *recycler, n int) {
	if len(c.data)+n > cap(c.data) {
		c.data = mem.Reallocate(max(2*cap(c.data), len(c.data)+n), c.data)[:len(c.data)]
	}
}

// addLossy appends v, a value of a row that is not valid UTF-8, with each
// invalid byte written as U+FFFD (3 bytes for 1, reserved first so that
// the data stays in the recycler's buffer), so the column never holds an
// invalid string. Values of valid rows are copied by appendRow itself.
func (c *strCol) addLossy(mem *recycler, v []byte) {
	c.reserve(mem, 3*len(v))
	c.data = appendValidUTF8(c.data, v)
	c.offs = append(c.offs, int32(len(c.data)))
}

// addNull appends an empty value, for a row that is NULL in the validity
// bitmap.
func (c *strCol) addNull() { c.offs = append(c.offs, int32(len(c.data))) }

// build returns the column's n rows as an Arrow array with the given
// validity (nil when no row is NULL), which it takes over, as it takes
// over c's buffers or copies of them (see take); the caller releases the
// array.
func (c *strCol) build(mem *recycler, n int, valid *memory.Buffer, nulls int) arrow.Array {
	offs, keepOffs := take(mem, c.offsBuf, 4*(n+1))
	data, keepData := take(mem, c.data, len(c.data))
	c.hint, c.hintRows = len(c.data), n
	if !keepOffs {
		c.offsBuf, c.offs = nil, nil
	}
	if !keepData {
		c.data = nil
	}
	return newArray(arrow.BinaryTypes.String, n, nulls, nil, valid, offs, data)
}

// looseBytes is how many bytes of a column buffer must be unused, and
// more than are used, for take to copy the used part instead of handing
// the buffer over.
const looseBytes = 1 << 10

// take returns the first n bytes of buf, a column buffer from mem, as a
// buffer for a record batch. A buffer mostly unused (looseBytes or more
// unused, and more than half of it) is copied into one of n bytes, and
// keep says the caller keeps buf for its next batch; any other is handed
// over whole, and the caller must not use it again. A log object of a few
// lines fills a few hundred bytes of each column's buffers, which are
// sized for hundreds of rows and 8 KB of lines (see batch.reset,
// reserveData): handed over, its batch held about 350 KB until DuckDB
// consumed it, and the hundreds of batches queued while the inserter
// commits (a load of many small S3 objects) held tens of MB, a peak of
// the process's memory that grew with the length of the load. Copied, it
// holds a few KB, and the buffers are reused by the Reader's next batch or
// the recycler's next Reader.
func take(mem *recycler, buf []byte, n int) (out *memory.Buffer, keep bool) {
	if unused := cap(buf) - n; unused >= looseBytes && unused > n {
		out = newBuffer(mem, n)
		copy(out.Bytes(), buf[:n])
		return out, true
	}
	return memory.NewBufferWithAllocator(buf[:n], mem), false
}

// free gives c's buffers back to mem.
func (c *strCol) free(mem *recycler) {
	if c.offsBuf != nil {
		mem.Free(c.offsBuf)
	}
	if c.data != nil {
		mem.Free(c.data)
	}
	c.offsBuf, c.offs, c.data = nil, nil, nil
}

// stagedStr is the utf8 child of a list column: it is small and its
// length is not bounded by the rows, so it is staged in Go slices reused
// from batch to batch and copied into a buffer when the batch is built.
type stagedStr struct {
	offs []int32
	data []byte
}

func (c *stagedStr) reset() {
	c.offs = append(c.offs[:0], 0)
	c.data = c.data[:0]
}

// add appends v, writing invalid UTF-8 as U+FFFD when ok is false.
func (c *stagedStr) add(v []byte, ok bool) {
	if ok {
		c.data = append(c.data, v...)
	} else {
		c.data = appendValidUTF8(c.data, v)
	}
	c.offs = append(c.offs, int32(len(c.data)))
}

// build returns the n values as an Arrow array; the caller releases it.
func (c *stagedStr) build(mem *recycler, n int) arrow.Array {
	return newArray(arrow.BinaryTypes.String, n, 0, nil,
		nil, copyBuffer(mem, arrow.Int32Traits.CastToBytes(c.offs)), copyBuffer(mem, c.data))
}

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

// intCol is an int64 or timestamp column of the batch's rows, written
// directly into a recycled buffer like strCol.
type intCol struct {
	buf  []byte
	vals []int64 // buf as int64s
}

// start gives c an empty buffer for up to rows rows: the one kept from
// the last batch (see take) when it is large enough.
func (c *intCol) start(mem *recycler, rows int) {
	if c.buf != nil && cap(c.buf) < 8*rows {
		mem.Free(c.buf)
		c.buf, c.vals = nil, nil
	}
	if c.buf == nil {
		c.buf = mem.Allocate(8 * rows)
		c.vals = int64s(c.buf)
	}
	c.vals = c.vals[:0]
}

// growRows makes room for rows rows.
func (c *intCol) growRows(mem *recycler, rows int) {
	c.buf = mem.Reallocate(8*rows, c.buf[:8*len(c.vals)])
	c.vals = int64s(c.buf)[:len(c.vals)]
}

// add appends v (any value for a NULL row).
func (c *intCol) add(v int64) { c.vals = append(c.vals, v) }

// build returns the column's n rows as an Arrow array of type dt with the
// given validity, taking over both (c's buffer, or a copy, see take); the
// caller releases the array.
func (c *intCol) build(mem *recycler, dt arrow.DataType, n int, valid *memory.Buffer, nulls int) arrow.Array {
	vals, keep := take(mem, c.buf, 8*n)
	if !keep {
		c.buf, c.vals = nil, nil
	}
	return newArray(dt, n, nulls, nil, valid, vals)
}

// free gives c's buffer back to mem.
func (c *intCol) free(mem *recycler) {
	if c.buf != nil {
		mem.Free(c.buf)
	}
	c.buf, c.vals = nil, nil
}

// int32s and int64s view the whole capacity of b (from the recycler: at
// least 64 bytes, 64-byte aligned) as an empty slice of integers.
func int32s(b []byte) []int32 {
	return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(b))), cap(b)/4)[:0]
}

func int64s(b []byte) []int64 {
	return unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(b))), cap(b)/8)[:0]
}

// validity is the validity bytes of every bit of a batch's per-row NULL
// masks, computed in one pass over the masks: eight rows' masks are four
// 8x8 bit matrices (a byte of each mask per matrix), each transposed in a
// few word operations into a byte of eight rows for each of 8 columns.
// Picking one column's bits eight rows at a time, column by column, cost
// several times more.
type validity struct {
	n     int        // rows
	bytes [32][]byte // per mask bit: bit i of byte i/8 set when row i is valid (bit clear)
}

// compute fills v from masks, every byte of every column; bits past the
// last row are clear.
func (v *validity) compute(masks []uint32) {
	n := len(masks)
	nb := (n + 7) / 8
	v.n = n
	for c := range v.bytes {
		if cap(v.bytes[c]) < nb {
			v.bytes[c] = make([]byte, nb+nb/4)
		}
		v.bytes[c] = v.bytes[c][:nb]
	}
	for i := 0; i < n; i += 8 {
		var m [8]uint32
		copy(m[:], masks[i:])
		// Rows past n count as valid here, and are cleared below.
		for b := 0; b < 4; b++ {
			sh := 8 * b
			x := uint64(uint8(m[0]>>sh)) | uint64(uint8(m[1]>>sh))<<8 | uint64(uint8(m[2]>>sh))<<16 | uint64(uint8(m[3]>>sh))<<24 |
				uint64(uint8(m[4]>>sh))<<32 | uint64(uint8(m[5]>>sh))<<40 | uint64(uint8(m[6]>>sh))<<48 | uint64(uint8(m[7]>>sh))<<56
			x = ^transpose8(x)
			out := v.bytes[8*b : 8*b+8 : 8*b+8]
			for k := range out {
				out[k][i>>3] = byte(x >> (8 * k))
			}
		}
	}
	if r := n % 8; r != 0 {
		for c := range v.bytes {
			v.bytes[c][nb-1] &= byte(1<<r - 1)
		}
	}
}

// transpose8 transposes the 8x8 bit matrix x whose row j is byte j (bit
// 8j+k is row j, column k): bit 8k+j of the result is bit 8j+k of x
// (Hacker's Delight, 7-3).
func transpose8(x uint64) uint64 {
	t := (x ^ x>>7) & 0x00AA00AA00AA00AA
	x ^= t ^ t<<7
	t = (x ^ x>>14) & 0x0000CCCC0000CCCC
	x ^= t ^ t<<14
	t = (x ^ x>>28) & 0x00000000F0F0F0F0
	x ^= t ^ t<<28
	return x
}

// bitmap returns column col's validity bitmap in a buffer from mem, and
// its number of NULLs; nil when bit col of any (the OR of the masks) is
// clear, i.e. there are none.
func (v *validity) bitmap(mem *recycler, any uint32, col int) (*memory.Buffer, int) {
	if any>>col&1 == 0 {
		return nil, 0
	}
	src := v.bytes[col]
	buf := newBuffer(mem, len(src))
	out := buf.Bytes()
	copy(out, src)
	valid := 0
	i := 0
	for ; i+8 <= len(src); i += 8 {
		valid += bits.OnesCount64(binary.LittleEndian.Uint64(src[i:]))
	}
	for ; i < len(src); i++ {
		valid += bits.OnesCount8(src[i])
	}
	return buf, v.n - valid
}

// listCol is a list<utf8> column being built. Its validity comes from
// the batch's per-row NULL masks, like a log column's: a row with no
// elements is NULL.
type listCol struct {
	offs  []int32
	elems stagedStr
	nelem int
}

func (c *listCol) reset() {
	c.offs = append(c.offs[:0], 0)
	c.elems.reset()
	c.nelem = 0
}

// addElem appends an element to the list being built for the current row.
func (c *listCol) addElem(v []byte, ok bool) {
	c.elems.add(v, ok)
	c.nelem++
}

// endRow ends the current row.
func (c *listCol) endRow() { c.offs = append(c.offs, int32(c.nelem)) }

// build returns the column's n rows as an Arrow array, NULL where bit of
// the row's mask is set; the caller releases it.
func (c *listCol) build(mem *recycler, n int, any uint32, bit int, v *validity) arrow.Array {
	child := c.elems.build(mem, c.nelem)
	defer child.Release()
	valid, nulls := v.bitmap(mem, any, bit)
	return newArray(arrow.ListOf(arrow.BinaryTypes.String), n, nulls, []arrow.ArrayData{child.Data()},
		valid, copyBuffer(mem, arrow.Int32Traits.CastToBytes(c.offs)))
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

package loader

// Appending parsed rows to the column buffers of a batch, and building the
// record batch from them.

import (
	"bytes"
	"encoding/binary"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/s3logs/s3logs/schema"
)

// strCols and intCols list the log columns by kind, in order; time is
// handled on its own.
var strCols, intCols = func() (strs, ints []int) {
	for i, c := range schema.S3ServerAccess.Columns[:schema.NumLogFields] {
		switch c.Type {
		case schema.String:
			strs = append(strs, i)
		case schema.BigInt:
			ints = append(ints, i)
		}
	}
	return strs, ints
}()

// numIntCols is how many log columns are bigint: httpstatus, bytessent,
// objectsize, totaltime and turnaroundtime.
const numIntCols = 5

// strColsArr is strCols as an array, whose constant length lets
// appendRow's loop go without bounds checks.
var strColsArr = func() (a [schema.NumLogFields - 1 - numIntCols]int) {
	if len(strCols) != len(a) || len(intCols) != numIntCols {
		panic("loader: numIntCols does not match schema.S3ServerAccess")
	}
	copy(a[:], strCols)
	return a
}()

// Bits of a row's NULL mask (Reader.masks) past the log columns' (bit c
// for log column c): the list columns that are NULL in the row.
const (
	maskExtra    = schema.NumLogFields + iota // additionalFields
	maskIPs                                   // p_any_ip_addresses
	maskARNs                                  // p_any_aws_arns
	maskAccounts                              // p_any_aws_account_ids
)

// The masks are uint32.
var _ [32 - maskAccounts - 1]struct{}

// appendRow appends row, parsed from line, to the batch's columns.
func (r *Reader) appendRow(row *row, line []byte) {
	if r.n == r.rowCap {
		r.growRows()
	}
	mem := r.mem
	ok := row.utf8
	var mask uint32
	if ok {
		// The common case written out: one copy of the value's bytes and
		// one store of its end offset per column, without a call. No value
		// is longer than the line.
		if len(line) > r.room {
			r.reserveData(len(line))
		}
		r.room -= len(line)
		// The values are short (a few dozen bytes). Each is copied as
		// four unconditional 16-byte blocks, then 16 bytes at a time past
		// 64: the blocks run past the value's end (up to overcopy bytes,
		// into the column's slack, see reserveData; the next value
		// overwrites them), which costs less than memmove's call and its
		// choice of method per size, and than a loop whose count, varying
		// with each value's length, mispredicts. The source may run past
		// the line into the read buffer; near the buffer's end, copy
		// exactly.
		// Bounds: v.s <= v.e <= len(line), checked by the tokenizer;
		// the source's end against cap(line) here, the destination's
		// room by reserveData.
		src := unsafe.Pointer(unsafe.SliceData(line))
		srcCap := cap(line)
		strs := &r.strs
		for _, col := range &strColsArr {
			c := &strs[col]
			if v := row.v[col]; v.s >= 0 {
				d, n := len(c.data), v.e-v.s
				if v.e+overcopy <= srcCap {
					dst := unsafe.Add(unsafe.Pointer(unsafe.SliceData(c.data)), d)
					from := unsafe.Add(src, v.s)
					*(*[16]byte)(dst) = *(*[16]byte)(from)
					*(*[16]byte)(unsafe.Add(dst, 16)) = *(*[16]byte)(unsafe.Add(from, 16))
					*(*[16]byte)(unsafe.Add(dst, 32)) = *(*[16]byte)(unsafe.Add(from, 32))
					*(*[16]byte)(unsafe.Add(dst, 48)) = *(*[16]byte)(unsafe.Add(from, 48))
					for i := 64; i < n; i += 16 {
						*(*[16]byte)(unsafe.Add(dst, i)) = *(*[16]byte)(unsafe.Add(from, i))
					}
				} else {
					copy(c.data[d:d+n], line[v.s:v.e])
				}
				c.data = c.data[:d+n]
			} else {
				mask |= 1 << col
			}
			c.offs = append(c.offs, int32(len(c.data)))
		}
	} else {
		r.room = 0 // the values may grow: reserved one by one
		for _, col := range strCols {
			c := &r.strs[col]
			if v := row.v[col]; v.s >= 0 {
				c.addLossy(mem, line[v.s:v.e])
			} else {
				c.addNull()
				mask |= 1 << col
			}
		}
	}
	for _, col := range intCols {
		r.ints[col].add(row.n[col])
		if row.v[col].s < 0 {
			mask |= 1 << col
		}
	}
	r.ints[schema.ColTime].add(row.time)

	// The list columns: their NULLs go in the row's mask too.
	if len(row.extra) == 0 {
		mask |= 1 << maskExtra
	}
	for _, v := range row.extra {
		r.extra.addElem(line[v.s:v.e], ok)
	}
	r.extra.endRow()
	if v := row.v[schema.ColRemoteip]; v.s >= 0 && r.ipSeen.isIP(line[v.s:v.e]) {
		r.ips.addElem(line[v.s:v.e], true)
	} else {
		mask |= 1 << maskIPs
	}
	r.ips.endRow()
	arn, acct := false, false
	if v := row.v[schema.ColRequester]; v.s >= 0 && bytes.HasPrefix(line[v.s:v.e], []byte("arn:")) {
		req := line[v.s:v.e]
		r.arns.addElem(req, ok)
		arn = true
		if a := arnAccount(req); a != nil {
			r.accounts.addElem(a, true)
			acct = true
		}
	}
	if !arn {
		mask |= 1 << maskARNs
	}
	if !acct {
		mask |= 1 << maskAccounts
	}
	r.arns.endRow()
	r.accounts.endRow()
	r.masks = append(r.masks, mask)

	// p_row_id: the source's 16 hex digits as two 8-byte stores, then the
	// line number.
	c := &r.rowIDs
	c.reserve(mem, 16+16)
	d := len(c.data)
	c.data = c.data[:d+16]
	binary.LittleEndian.PutUint64(c.data[d:], r.rowPrefix[0])
	binary.LittleEndian.PutUint64(c.data[d+8:], r.rowPrefix[1])
	c.data = appendHex(c.data, uint64(r.line))
	c.offs = append(c.offs, int32(len(c.data)))
	r.n++
}

// build turns the batch's columns into a record batch.
func (r *Reader) build() arrow.RecordBatch {
	mem, n := r.mem, r.n
	cols := make([]arrow.Array, len(r.schema.Fields()))
	var any uint32
	for _, m := range r.masks {
		any |= m
	}
	r.valid.compute(r.masks)
	for col := 0; col < schema.NumLogFields; col++ {
		valid, nulls := r.valid.bitmap(mem, any, col)
		switch {
		case col == schema.ColTime:
			cols[col] = r.ints[col].build(mem, schema.TimestampType, n, valid, nulls)
		case schema.S3ServerAccess.Columns[col].Type == schema.BigInt:
			cols[col] = r.ints[col].build(mem, arrow.PrimitiveTypes.Int64, n, valid, nulls)
		default:
			cols[col] = r.strs[col].build(mem, n, valid, nulls)
		}
	}
	cols[schema.ColAdditionalFields] = r.extra.build(mem, n, any, maskExtra, &r.valid)
	cols[schema.ColPLogType] = constStr(mem, schema.LogType, n)
	cols[schema.ColPRowID] = r.rowIDs.build(mem, n, nil, 0)
	cols[schema.ColPEventTime] = cols[schema.ColTime] // same values: share the array
	cols[schema.ColPEventTime].Retain()
	cols[schema.ColPParseTime] = constInt(mem, schema.TimestampType, r.parseTime, n)
	cols[schema.ColPSourceID] = constStr(mem, r.sourceID, n)
	cols[schema.ColPSourceLabel] = constStr(mem, r.opts.Label, n)
	cols[schema.ColPAnyIPAddresses] = r.ips.build(mem, n, any, maskIPs, &r.valid)
	cols[schema.ColPAnyAWSARNs] = r.arns.build(mem, n, any, maskARNs, &r.valid)
	cols[schema.ColPAnyAWSAccountIDs] = r.accounts.build(mem, n, any, maskAccounts, &r.valid)
	// The buffers now belong to the batch; the next batch gets new ones,
	// for as many rows as this one.
	r.rowHint, r.rowCap, r.room = max(n, 1), 0, 0
	r.lastRows = max(r.lastRows, n)
	rec := array.NewRecordBatch(r.schema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// firstBatchRows is the fewest rows a Reader's first batch has room for
// before it grows: a log object is often a few lines.
const firstBatchRows = 256

// resetBatch starts an empty batch: buffers for the columns with a value
// per row, sized for as many rows as the last batch (or fewer when this
// Reader has not built one yet), and the list columns emptied.
func (r *Reader) resetBatch() {
	r.n, r.batchBytes, r.room = 0, 0, 0
	r.masks = r.masks[:0]
	if r.rowCap == 0 {
		// A Reader's first batch is sized for as many rows as the
		// largest batch of the last Reader of its state (pooled): a
		// load's objects tend to be alike, and growing a batch from a
		// few rows to thousands copied all its columns several times.
		// After a large object, one small one's batch is oversized once.
		hint := r.rowHint
		if hint == 0 {
			hint = r.lastRows
			r.lastRows = 0
		}
		r.rowCap = min(r.opts.BatchRows, max(hint, firstBatchRows))
	}
	own := r.rowHint > 0 // the data hints are of this Reader's last batch
	for _, col := range strCols {
		r.strs[col].start(r.mem, r.rowCap, 16, own)
	}
	for _, col := range intCols {
		r.ints[col].start(r.mem, r.rowCap)
	}
	r.ints[schema.ColTime].start(r.mem, r.rowCap)
	r.rowIDs.start(r.mem, r.rowCap, 24, own)
	r.extra.reset()
	r.ips.reset()
	r.arns.reset()
	r.accounts.reset()
}

// reserveBytes is the least room reserveData makes in the data of every
// string column, so that it runs once per several rows.
const reserveBytes = 8 << 10

// overcopy is how far past a value's end appendRow's copies may read and
// write.
const overcopy = 64

// reserveData makes room for at least max(n, reserveBytes) more bytes in
// the data of every string column, and records it in r.room: since no
// value is longer than its line, rows whose lines add up to r.room bytes
// fit without another check. Every column has overcopy bytes more than
// r.room, for appendRow's copies that run past a value's end.
func (r *Reader) reserveData(n int) {
	n = max(n, reserveBytes)
	for _, col := range strCols {
		r.strs[col].reserve(r.mem, n+overcopy)
	}
	r.room = n
}

// growRows doubles the number of rows the batch's buffers have room for.
func (r *Reader) growRows() {
	r.rowCap = min(2*r.rowCap, r.opts.BatchRows)
	for _, col := range strCols {
		r.strs[col].growRows(r.mem, r.rowCap)
	}
	for _, col := range intCols {
		r.ints[col].growRows(r.mem, r.rowCap)
	}
	r.ints[schema.ColTime].growRows(r.mem, r.rowCap)
	r.rowIDs.growRows(r.mem, r.rowCap)
}

// freeColumns gives the buffers of the batch being built back to the
// recycler.
func (r *Reader) freeColumns() {
	for _, col := range strCols {
		r.strs[col].free(r.mem)
	}
	for _, col := range intCols {
		r.ints[col].free(r.mem)
	}
	r.ints[schema.ColTime].free(r.mem)
	r.rowIDs.free(r.mem)
	r.rowCap, r.room = 0, 0
}

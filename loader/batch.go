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
// appendStrings's loop go without bounds checks.
var strColsArr = func() (a [schema.NumLogFields - 1 - numIntCols]int) {
	if len(strCols) != len(a) || len(intCols) != numIntCols {
		panic("loader: numIntCols does not match schema.S3ServerAccess")
	}
	copy(a[:], strCols)
	return a
}()

// Bits of a row's NULL mask (batch.masks) past the log columns' (bit c
// for log column c): the list columns that are NULL in the row.
const (
	maskExtra    = schema.NumLogFields + iota // additionalFields
	maskIPs                                   // p_any_ip_addresses
	maskARNs                                  // p_any_aws_arns
	maskAccounts                              // p_any_aws_account_ids
)

// The masks are uint32.
var _ [32 - maskAccounts - 1]struct{}

// batch is the record batch being built: the column buffers its rows are
// appended to (pooled between Readers with their size hints), and the
// values every row of the Reader shares.
type batch struct {
	batchConsts
	mem *recycler // the buffers' allocator, from Options.Allocator

	strs     [schema.NumLogFields]strCol
	ints     [schema.NumLogFields]intCol
	extra    listCol
	ips      listCol
	arns     listCol
	accounts listCol
	rowIDs   strCol
	masks    []uint32 // per row: bit c set when log column c is NULL (and see maskExtra)
	valid    validity // the masks as validity bytes, per column (see build)
	ipSeen   ipCache  // remote IPs seen, for p_any_ip_addresses

	n        int  // rows so far
	bytes    int  // bytes of the lines of the batch, rows' and rejects'
	big      bool // a batch grew past poolBatchBytes: do not pool the state
	rowCap   int  // rows the buffers have room for
	room     int  // bytes of lines the string columns' data has room for (see reserveData)
	rowHint  int  // rows of the Reader's last batch built; 0 before the first
	lastRows int  // rows of the largest batch built by the Reader (by the state's last Reader, until its first batch)
}

// batchConsts are the values a Reader's rows share.
type batchConsts struct {
	sourceID  string    // p_source_id
	label     string    // p_source_label
	parseTime int64     // p_parse_time, µs
	rowPrefix [2]uint64 // p_row_id before the line number: 16 hex digits, as two little-endian words
	maxRows   int       // rows per batch
}

// begin readies a pooled batch for a new Reader, keeping its buffers'
// size hints and lastRows.
func (b *batch) begin(mem *recycler, c batchConsts) {
	b.batchConsts, b.mem = c, mem
	b.n, b.bytes, b.big, b.rowCap, b.room, b.rowHint = 0, 0, false, 0, 0, 0
}

// appendRow appends row, parsed from line number lineNo, to the batch's
// columns.
func (b *batch) appendRow(row *row, line []byte, lineNo int64) {
	if b.n == b.rowCap {
		b.growRows()
	}
	var mask uint32
	if row.utf8 {
		mask = b.appendStrings(row, line)
	} else {
		mask = b.appendLossy(row, line)
	}
	mask |= b.appendInts(row)
	mask |= b.appendIndicators(row, line)
	b.masks = append(b.masks, mask)
	b.appendRowID(lineNo)
	b.n++
	if b.bytes += len(line); b.bytes > poolBatchBytes {
		b.big = true
	}
}

// appendStrings appends the string values of row, whose line is valid
// UTF-8, and returns the NULL bits of their columns. It is the common case
// written out: one copy of the value's bytes and one store of its end
// offset per column, without a call. No value is longer than the line.
func (b *batch) appendStrings(row *row, line []byte) (mask uint32) {
	if len(line) > b.room {
		b.reserveData(len(line))
	}
	b.room -= len(line)
	// The values are short (a few dozen bytes). Each is copied as four
	// unconditional 16-byte blocks, then 16 bytes at a time past 64: the
	// blocks run past the value's end (up to overcopy bytes, into the
	// column's slack, see reserveData; the next value overwrites them),
	// which costs less than memmove's call and its choice of method per
	// size, and than a loop whose count, varying with each value's length,
	// mispredicts. The source may run past the line into the read buffer;
	// near the buffer's end, copy exactly.
	// Bounds: v.s <= v.e <= len(line), checked by the tokenizer; the
	// source's end against cap(line) here, the destination's room by
	// reserveData.
	src := unsafe.Pointer(unsafe.SliceData(line))
	srcCap := cap(line)
	strs := &b.strs
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
	return mask
}

// appendLossy appends the string values of row, whose line is not valid
// UTF-8, with invalid bytes written as U+FFFD, and returns the NULL bits
// of their columns.
func (b *batch) appendLossy(row *row, line []byte) (mask uint32) {
	b.room = 0 // the values may grow: reserved one by one
	for _, col := range strCols {
		c := &b.strs[col]
		if v := row.v[col]; v.s >= 0 {
			c.addLossy(b.mem, line[v.s:v.e])
		} else {
			c.addNull()
			mask |= 1 << col
		}
	}
	return mask
}

// appendInts appends the integer values of row and its time, and returns
// the NULL bits of the integer columns.
func (b *batch) appendInts(row *row) (mask uint32) {
	for _, col := range intCols {
		b.ints[col].add(row.n[col])
		if row.v[col].s < 0 {
			mask |= 1 << col
		}
	}
	b.ints[schema.ColTime].add(row.time)
	return mask
}

// appendIndicators appends the list columns of row (additionalFields and
// Panther's p_any_ indicators) and returns their NULL bits (maskExtra ..
// maskAccounts): a list with no elements is NULL.
func (b *batch) appendIndicators(row *row, line []byte) (mask uint32) {
	ok := row.utf8
	if len(row.extra) == 0 {
		mask |= 1 << maskExtra
	}
	for _, v := range row.extra {
		b.extra.addElem(line[v.s:v.e], ok)
	}
	b.extra.endRow()
	if v := row.v[schema.ColRemoteip]; v.s >= 0 && b.ipSeen.isIP(line[v.s:v.e]) {
		b.ips.addElem(line[v.s:v.e], true)
	} else {
		mask |= 1 << maskIPs
	}
	b.ips.endRow()
	mask |= 1<<maskARNs | 1<<maskAccounts
	if v := row.v[schema.ColRequester]; v.s >= 0 && bytes.HasPrefix(line[v.s:v.e], []byte("arn:")) {
		req := line[v.s:v.e]
		b.arns.addElem(req, ok)
		mask &^= 1 << maskARNs
		if a := arnAccount(req); a != nil {
			b.accounts.addElem(a, true)
			mask &^= 1 << maskAccounts
		}
	}
	b.arns.endRow()
	b.accounts.endRow()
	return mask
}

// appendRowID appends p_row_id of line number lineNo: the source's 16 hex
// digits as two 8-byte stores, then the line number in hex.
func (b *batch) appendRowID(lineNo int64) {
	c := &b.rowIDs
	c.reserve(b.mem, 16+16)
	d := len(c.data)
	c.data = c.data[:d+16]
	binary.LittleEndian.PutUint64(c.data[d:], b.rowPrefix[0])
	binary.LittleEndian.PutUint64(c.data[d+8:], b.rowPrefix[1])
	c.data = appendHex(c.data, uint64(lineNo))
	c.offs = append(c.offs, int32(len(c.data)))
}

// build turns the batch's columns into a record batch.
func (b *batch) build() arrow.RecordBatch {
	mem, n := b.mem, b.n
	sch := arrowSchema()
	cols := make([]arrow.Array, len(sch.Fields()))
	var any uint32
	for _, m := range b.masks {
		any |= m
	}
	b.valid.compute(b.masks)
	for col := 0; col < schema.NumLogFields; col++ {
		valid, nulls := b.valid.bitmap(mem, any, col)
		switch {
		case col == schema.ColTime:
			cols[col] = b.ints[col].build(mem, schema.TimestampType, n, valid, nulls)
		case schema.S3ServerAccess.Columns[col].Type == schema.BigInt:
			cols[col] = b.ints[col].build(mem, arrow.PrimitiveTypes.Int64, n, valid, nulls)
		default:
			cols[col] = b.strs[col].build(mem, n, valid, nulls)
		}
	}
	cols[schema.ColAdditionalFields] = b.extra.build(mem, n, any, maskExtra, &b.valid)
	cols[schema.ColPLogType] = constStr(mem, schema.LogType, n)
	cols[schema.ColPRowID] = b.rowIDs.build(mem, n, nil, 0)
	cols[schema.ColPEventTime] = cols[schema.ColTime] // same values: share the array
	cols[schema.ColPEventTime].Retain()
	cols[schema.ColPParseTime] = constInt(mem, schema.TimestampType, b.parseTime, n)
	cols[schema.ColPSourceID] = constStr(mem, b.sourceID, n)
	cols[schema.ColPSourceLabel] = constStr(mem, b.label, n)
	cols[schema.ColPAnyIPAddresses] = b.ips.build(mem, n, any, maskIPs, &b.valid)
	cols[schema.ColPAnyAWSARNs] = b.arns.build(mem, n, any, maskARNs, &b.valid)
	cols[schema.ColPAnyAWSAccountIDs] = b.accounts.build(mem, n, any, maskAccounts, &b.valid)
	// The buffers handed over now belong to the batch; the next batch
	// gets new ones, for as many rows as this one, or reuses those that
	// were copied from (see take) when they have room for that many.
	b.rowHint, b.rowCap, b.room = max(n, 1), 0, 0
	b.lastRows = max(b.lastRows, n)
	rec := array.NewRecordBatch(sch, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// firstBatchRows is the fewest rows a Reader's first batch has room for
// before it grows: a log object is often a few lines.
const firstBatchRows = 256

// reset starts an empty batch: buffers for the columns with a value per
// row, sized for as many rows as the last batch (or fewer when this Reader
// has not built one yet), and the list columns emptied.
func (b *batch) reset() {
	b.n, b.bytes, b.room = 0, 0, 0
	b.masks = b.masks[:0]
	if b.rowCap == 0 {
		// A Reader's first batch is sized for as many rows as the
		// largest batch of the last Reader of its state (pooled): a
		// load's objects tend to be alike, and growing a batch from a
		// few rows to thousands copied all its columns several times.
		// After a large object, one small one's batch is oversized once.
		hint := b.rowHint
		if hint == 0 {
			hint = b.lastRows
			b.lastRows = 0
		}
		b.rowCap = min(b.maxRows, max(hint, firstBatchRows))
	}
	own := b.rowHint > 0 // the data hints are of this Reader's last batch
	for _, col := range strCols {
		b.strs[col].start(b.mem, b.rowCap, 16, own)
	}
	for _, col := range intCols {
		b.ints[col].start(b.mem, b.rowCap)
	}
	b.ints[schema.ColTime].start(b.mem, b.rowCap)
	b.rowIDs.start(b.mem, b.rowCap, 24, own)
	b.extra.reset()
	b.ips.reset()
	b.arns.reset()
	b.accounts.reset()
}

// reserveBytes is the least room reserveData makes in the data of every
// string column, so that it runs once per several rows.
const reserveBytes = 8 << 10

// overcopy is how far past a value's end appendStrings' copies may read and
// write.
const overcopy = 64

// reserveData makes room for at least max(n, reserveBytes) more bytes in
// the data of every string column, and records it in b.room: since no
// value is longer than its line, rows whose lines add up to b.room bytes
// fit without another check. Every column has overcopy bytes more than
// b.room, for appendStrings' copies that run past a value's end.
func (b *batch) reserveData(n int) {
	n = max(n, reserveBytes)
	for _, col := range strCols {
		b.strs[col].reserve(b.mem, n+overcopy)
	}
	b.room = n
}

// growRows doubles the number of rows the batch's buffers have room for.
func (b *batch) growRows() {
	b.rowCap = min(2*b.rowCap, b.maxRows)
	for _, col := range strCols {
		b.strs[col].growRows(b.mem, b.rowCap)
	}
	for _, col := range intCols {
		b.ints[col].growRows(b.mem, b.rowCap)
	}
	b.ints[schema.ColTime].growRows(b.mem, b.rowCap)
	b.rowIDs.growRows(b.mem, b.rowCap)
}

// free gives the buffers of the batch being built back to the recycler.
func (b *batch) free() {
	for _, col := range strCols {
		b.strs[col].free(b.mem)
	}
	for _, col := range intCols {
		b.ints[col].free(b.mem)
	}
	b.ints[schema.ColTime].free(b.mem)
	b.rowIDs.free(b.mem)
	b.rowCap, b.room = 0, 0
}

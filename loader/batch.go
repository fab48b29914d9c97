package loader

// Appending parsed rows to the column buffers of a batch, and building the
// record batch from them.

import (
	"bytes"

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

// appendRow appends row, parsed from line, to the batch's columns.
func (r *Reader) appendRow(row *row, line []byte) {
	ok := row.utf8
	var mask uint32
	if ok {
		// The common case written out: one append of the value's bytes
		// and one of its end offset per column, without a call.
		for _, col := range strCols {
			c := &r.strs[col]
			if v := row.v[col]; v.s >= 0 {
				c.data = append(c.data, line[v.s:v.e]...)
			} else {
				mask |= 1 << col
			}
			c.offs = append(c.offs, int32(len(c.data)))
		}
	} else {
		for _, col := range strCols {
			if v := row.v[col]; v.s >= 0 {
				r.strs[col].add(line[v.s:v.e], ok)
			} else {
				r.strs[col].addNull()
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
	r.masks = append(r.masks, mask)

	n := r.n
	for _, v := range row.extra {
		r.extra.addElem(line[v.s:v.e], ok)
	}
	r.extra.endRow(n)
	if v := row.v[schema.ColRemoteip]; v.s >= 0 && isIP(line[v.s:v.e]) {
		r.ips.addElem(line[v.s:v.e], true)
	}
	r.ips.endRow(n)
	if v := row.v[schema.ColRequester]; v.s >= 0 && bytes.HasPrefix(line[v.s:v.e], []byte("arn:")) {
		req := line[v.s:v.e]
		r.arns.addElem(req, ok)
		if acct := arnAccount(req); acct != nil {
			r.accounts.addElem(acct, true)
		}
	}
	r.arns.endRow(n)
	r.accounts.endRow(n)
	c := &r.rowIDs
	c.data = append(c.data, r.rowPrefix...)
	c.data = appendHex(c.data, uint64(r.line))
	c.offs = append(c.offs, int32(len(c.data)))
	r.n++
}

// build turns the batch's columns into a record batch.
func (r *Reader) build() arrow.RecordBatch {
	mem, n := r.mem, r.n
	cols := make([]arrow.Array, len(r.schema.Fields()))
	for col := 0; col < schema.NumLogFields; col++ {
		valid, nulls := nullMasks(mem, r.masks, col)
		switch {
		case col == schema.ColTime:
			cols[col] = r.ints[col].build(mem, schema.TimestampType, n, valid, nulls)
		case isInt[col]:
			cols[col] = r.ints[col].build(mem, arrow.PrimitiveTypes.Int64, n, valid, nulls)
		default:
			cols[col] = r.strs[col].build(mem, n, valid, nulls)
		}
	}
	cols[schema.ColAdditionalFields] = r.extra.build(mem, n)
	cols[schema.ColPLogType] = constStr(mem, schema.LogType, n)
	cols[schema.ColPRowID] = r.rowIDs.build(mem, n, nil, 0)
	cols[schema.ColPEventTime] = cols[schema.ColTime] // same values: share the array
	cols[schema.ColPEventTime].Retain()
	cols[schema.ColPParseTime] = constInt(mem, schema.TimestampType, r.parseTime, n)
	cols[schema.ColPSourceID] = constStr(mem, r.sourceID, n)
	cols[schema.ColPSourceLabel] = constStr(mem, r.opts.Label, n)
	cols[schema.ColPAnyIPAddresses] = r.ips.build(mem, n)
	cols[schema.ColPAnyAWSARNs] = r.arns.build(mem, n)
	cols[schema.ColPAnyAWSAccountIDs] = r.accounts.build(mem, n)
	rec := array.NewRecordBatch(r.schema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// resetBatch empties the column buffers, keeping their memory.
func (r *Reader) resetBatch() {
	r.n, r.batchBytes = 0, 0
	r.masks = r.masks[:0]
	for i := range r.strs {
		r.strs[i].reset()
		r.ints[i].reset()
	}
	r.extra.reset()
	r.ips.reset()
	r.arns.reset()
	r.accounts.reset()
	r.rowIDs.reset()
}

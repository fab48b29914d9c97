package loader

// Parquet files of AWS's structured server access log records (S3
// delivery from CloudWatch Logs in Parquet, or an export of an S3 Tables
// mirror): columns are matched to the table by name through
// schema.AWSFields, converted (timestamps of any unit, integers of any
// width, strings), and every row goes through the recBuilder that JSON
// records go through, so that it becomes the same row.

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/s3logs/s3logs/schema"
)

// pqKind says what a Parquet column holds.
type pqKind uint8

const (
	pqField   pqKind = iota // a column of schema.AWSFields
	pqARN                   // bucket_arn
	pqVersion               // schema_version_id
	pqUnknown               // a column the table does not know: kept as "name=value"
)

// pqColumn is one column of the file and where its values go.
type pqColumn struct {
	name string
	kind pqKind
	f    int // the index in awsFields, for pqField
}

// ParquetReader reads a Parquet file of AWS's server access log records
// and yields them as Arrow record batches of schema.S3ServerAccess, with
// the Rejects of the rows it could not use: Reader's contract, with rows
// in place of lines (Reject.Line and p_row_id count rows from 1; a
// Reject's Raw is the row written as JSON). It reads one row group at a
// time, in batches of Options.BatchRows rows, so memory does not grow
// with the file. Options.FirstLine and Options.Format are ignored.
type ParquetReader struct {
	*state
	window window
	ownMem bool
	size   int64

	ctx  context.Context
	pf   *file.Reader
	fr   *pqarrow.FileReader
	cols []pqColumn
	rg   int                  // the next row group
	rr   pqarrow.RecordReader // of the current row group
	in   arrow.RecordBatch    // the batch of the file being read
	pos  int                  // the next row of in

	row int64
	output
}

// NewParquetReader returns a ParquetReader of the size bytes of r. It
// reads the file's footer (an error if r is not a Parquet file); the
// caller must call Release when done, and keeps ownership of r. sourceID
// becomes p_source_id and seeds p_row_id.
func NewParquetReader(ctx context.Context, r parquet.ReaderAtSeeker, size int64, sourceID string, opts Options) (*ParquetReader, error) {
	rd := &ParquetReader{ctx: ctx, size: size}
	opts = rd.init(sourceID, opts)
	// The wrapper hides r's Close, which file.Reader.Close would call.
	pf, err := file.NewParquetReader(struct{ parquet.ReaderAtSeeker }{r}, file.WithReadProps(parquet.NewReaderProperties(opts.Allocator)))
	if err != nil {
		rd.Release()
		return nil, fmt.Errorf("read Parquet footer: %w", err)
	}
	rd.pf = pf
	rd.fr, err = pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(opts.BatchRows)}, opts.Allocator)
	if err == nil {
		err = rd.mapColumns()
	}
	if err != nil {
		rd.Release()
		return nil, err
	}
	return rd, nil
}

// init sets up the batch as NewReader does, and returns opts with the
// defaults filled in.
func (r *ParquetReader) init(sourceID string, opts Options) Options {
	if opts.BatchRows <= 0 {
		opts.BatchRows = DefaultBatchRows
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	if opts.ParseTime.IsZero() {
		opts.ParseTime = time.Now()
	}
	mem, ownMem := recyclerFor(opts.Allocator)
	r.state, r.ownMem = statePool.Get().(*state), ownMem
	r.window = newWindows(opts)
	r.b.begin(mem, batchConsts{
		sourceID:  sourceID,
		label:     opts.Label,
		parseTime: opts.ParseTime.UnixMicro(),
		rowPrefix: rowPrefix(sourceID),
		maxRows:   opts.BatchRows,
	})
	r.b.reset()
	return opts
}

// mapColumns matches the file's top-level columns to AWS's keys.
func (r *ParquetReader) mapColumns() error {
	sch, err := r.fr.Schema()
	if err != nil {
		return fmt.Errorf("read Parquet schema: %w", err)
	}
	for _, fl := range sch.Fields() {
		c := pqColumn{name: fl.Name, kind: pqUnknown}
		if f, ok := awsIndex[fl.Name]; ok {
			c.kind, c.f = pqField, f
		} else if fl.Name == schema.AWSBucketARN {
			c.kind = pqARN
		} else if fl.Name == schema.AWSSchemaVersion {
			c.kind = pqVersion
		}
		r.cols = append(r.cols, c)
	}
	return nil
}

// Next reads up to Options.BatchRows rows; as Reader.Next.
func (r *ParquetReader) Next() bool {
	r.releaseRecord()
	r.rejects, r.replaced = r.rejects[:0], r.replaced[:0]
	if r.done {
		return false
	}
	r.b.reset()
	for r.b.n < r.b.maxRows && len(r.rejects) < r.b.maxRows && r.b.bytes < maxBatchBytes {
		if r.in == nil || r.pos >= int(r.in.NumRows()) {
			if !r.nextInput() {
				r.done = true
				break
			}
			continue
		}
		r.addRow(r.pos)
		r.pos++
	}
	if r.done && r.err == nil {
		r.stats.Bytes = r.size
	}
	if r.b.n == 0 && len(r.rejects) == 0 {
		return false
	}
	r.rec = r.b.build()
	return true
}

// nextInput moves to the next batch of the file, opening the next row
// group when the current one is done; false at the end or on an error.
func (r *ParquetReader) nextInput() bool {
	r.in = nil
	for {
		if r.rr != nil {
			if r.rr.Next() {
				r.in, r.pos = r.rr.RecordBatch(), 0
				return true
			}
			err := r.rr.Err()
			r.rr.Release()
			r.rr = nil
			if err != nil {
				r.err = fmt.Errorf("read Parquet row group %d: %w", r.rg, err)
				return false
			}
		}
		if r.rg >= r.pf.NumRowGroups() {
			return false
		}
		rr, err := r.fr.GetRecordReader(r.ctx, nil, []int{r.rg})
		r.rg++
		if err != nil {
			r.err = fmt.Errorf("read Parquet row group %d: %w", r.rg-1, err)
			return false
		}
		r.rr = rr
	}
}

// addRow adds row i of r.in as a row, a reject or a filtered row.
func (r *ParquetReader) addRow(i int) {
	r.row++
	r.stats.Lines++
	rb := &r.j.recBuilder
	rb.start()
	if !r.setRow(rb, i) || !rb.finish() {
		raw := r.rowJSON(i)
		r.rejects = append(r.rejects, Reject{Source: r.b.sourceID, Line: r.row, Field: fieldName(rb.err.field), Kind: rb.err.kind, Reason: rb.err.reason, Raw: raw})
		r.stats.Rejected++
		r.b.bytes += len(raw)
		return
	}
	if r.window.excludes(rb.row.time) {
		r.stats.Filtered++
		return
	}
	r.b.appendRow(&rb.row, rb.buf, r.row)
	r.stats.Rows++
	if !rb.row.utf8 {
		r.replaced = r.b.countReplaced(r.replaced, &r.stats, &rb.row, rb.buf, r.row)
	}
}

// fieldName is the column name of a lineError's field, "" for none.
func fieldName(col int) string {
	if col < 0 {
		return ""
	}
	return schema.S3ServerAccess.Columns[col].Name
}

// setRow sets the values of row i into rb; false when one is rejected.
func (r *ParquetReader) setRow(rb *recBuilder, i int) bool {
	for c, col := range r.cols {
		a := r.in.Column(c)
		if a.IsNull(i) {
			continue
		}
		switch col.kind {
		case pqField:
			rb.seen |= 1 << col.f
			if !r.setField(rb, col.f, a, i) {
				return false
			}
		case pqARN, pqVersion:
			if s, ok := a.(*array.String); ok {
				v := appendValue(rb, s.Value(i))
				if col.kind == pqARN {
					rb.arn = v
				} else {
					rb.version = v
				}
				continue
			}
			rb.addUnknown([]byte(col.name), []byte(a.ValueStr(i)))
		default:
			v := a.ValueStr(i)
			rb.high = rb.high || hasHigh([]byte(v))
			rb.addUnknown([]byte(col.name), []byte(v))
		}
	}
	return true
}

// appendValue appends s to rb's buffer and returns its span.
func appendValue(rb *recBuilder, s string) span {
	st := len(rb.buf)
	rb.buf = append(rb.buf, s...)
	for k := st; k < len(rb.buf); k++ {
		if rb.buf[k] >= 0x80 {
			rb.high = true
			break
		}
	}
	return span{st, len(rb.buf)}
}

// setField converts element i of a, the column of AWS field f.
func (r *ParquetReader) setField(rb *recBuilder, f int, a arrow.Array, i int) bool {
	fd := awsFields[f]
	switch fd.typ {
	case schema.String:
		s, ok := stringValue(a, i)
		if !ok {
			return rb.failField(0, f, schema.RejectType, "%s: want a string, found %s %s", fd.key, a.DataType(), clipStr(a.ValueStr(i)))
		}
		v := appendValue(rb, s)
		for k := v.s; k < v.e; k++ {
			if rb.buf[k] == 0 {
				return rb.failField(0, f, schema.RejectBinary, "a NUL byte in %s", fd.key)
			}
		}
		rb.setString(f, v)
	case schema.BigInt:
		n, ok, isInt := intValue(a, i)
		if !isInt {
			return rb.failField(0, f, schema.RejectType, "%s: want an integer, found %s %s", fd.key, a.DataType(), clipStr(a.ValueStr(i)))
		}
		if !ok {
			return rb.failField(0, f, schema.RejectInteger, "%s: %s is not a non-negative integer of 64 bits", fd.key, a.ValueStr(i))
		}
		rb.setInt(f, n)
	case schema.Timestamp:
		us, ok, typed := timeValue(a, i)
		if !typed {
			return rb.failField(0, f, schema.RejectType, "%s: want a timestamp or an ISO 8601 string, found %s", fd.key, a.DataType())
		}
		if !ok {
			return rb.failField(0, f, schema.RejectTime, "invalid time %s", clipStr(a.ValueStr(i)))
		}
		rb.setTime(us)
	}
	return true
}

// stringValue returns element i of a string column.
func stringValue(a arrow.Array, i int) (string, bool) {
	switch a := a.(type) {
	case *array.String:
		return a.Value(i), true
	case *array.LargeString:
		return a.Value(i), true
	case *array.StringView:
		return a.Value(i), true
	case *array.Binary:
		return string(a.Value(i)), true
	case *array.Dictionary:
		return stringValue(a.Dictionary(), a.GetValueIndex(i))
	}
	return "", false
}

// intValue returns element i of an integer column; ok is false for a
// negative value or one past int64, isInt for a column of another type.
func intValue(a arrow.Array, i int) (n int64, ok, isInt bool) {
	switch a := a.(type) {
	case *array.Int8:
		n = int64(a.Value(i))
	case *array.Int16:
		n = int64(a.Value(i))
	case *array.Int32:
		n = int64(a.Value(i))
	case *array.Int64:
		n = a.Value(i)
	case *array.Uint8:
		n = int64(a.Value(i))
	case *array.Uint16:
		n = int64(a.Value(i))
	case *array.Uint32:
		n = int64(a.Value(i))
	case *array.Uint64:
		if a.Value(i) > math.MaxInt64 {
			return 0, false, true
		}
		n = int64(a.Value(i))
	default:
		return 0, false, false
	}
	return n, n >= 0, true
}

// timeValue returns element i of a time column in µs: a timestamp of any
// unit (its zone is only how it is shown: the values are UTC), or an ISO
// 8601 string.
func timeValue(a arrow.Array, i int) (us int64, ok, typed bool) {
	switch a := a.(type) {
	case *array.Timestamp:
		v := int64(a.Value(i))
		switch a.DataType().(*arrow.TimestampType).Unit {
		case arrow.Second:
			return v * 1e6, true, true
		case arrow.Millisecond:
			return v * 1e3, true, true
		case arrow.Microsecond:
			return v, true, true
		default:
			return floorDiv(v, 1e3), true, true
		}
	case *array.String, *array.LargeString, *array.StringView, *array.Dictionary:
		s, isStr := stringValue(a, i)
		if !isStr {
			return 0, false, false
		}
		us, ok := parseISOTime([]byte(s))
		return us, ok, true
	}
	return 0, false, false
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func clipStr(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strconv.Quote(s)
}

// rowJSON writes row i of r.in as a JSON object, the Raw of its reject.
func (r *ParquetReader) rowJSON(i int) []byte {
	b := []byte{'{'}
	for c, col := range r.cols {
		if c > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, col.name)
		b = append(b, ':')
		a := r.in.Column(c)
		switch {
		case a.IsNull(i):
			b = append(b, "null"...)
		default:
			if s, ok := stringValue(a, i); ok {
				b = strconv.AppendQuote(b, s)
			} else if n, _, isInt := intValue(a, i); isInt {
				b = strconv.AppendInt(b, n, 10)
			} else {
				b = strconv.AppendQuote(b, a.ValueStr(i))
			}
		}
	}
	return append(b, '}')
}

// Release frees the current batch, the file's readers and the pooled
// buffers. Releasing twice is safe.
func (r *ParquetReader) Release() {
	r.releaseRecord()
	if r.rr != nil {
		r.rr.Release()
		r.rr = nil
	}
	r.in = nil
	if r.pf != nil {
		r.pf.Close()
		r.pf = nil
	}
	if r.state == nil {
		return
	}
	mem := r.b.mem
	r.b.free()
	if cap(r.j.buf) > poolReadBytes {
		r.j.buf = nil
	}
	if !r.b.big {
		statePool.Put(r.state)
	}
	r.state = nil
	if r.ownMem {
		mem.close()
		r.ownMem = false
	}
}

package loader

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/schema"
)

// readParquet reads a Parquet file with a ParquetReader on a checked
// allocator, as readAll reads text.
func readParquet(t testing.TB, data []byte, source string, opts Options) result {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts.Allocator = mem
	if opts.ParseTime.IsZero() {
		opts.ParseTime = testParseTime
	}
	r, err := NewParquetReader(context.Background(), bytes.NewReader(data), int64(len(data)), source, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	var res result
	for r.Next() {
		rec := r.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			res.rows = append(res.rows, rowMap(t, rec, i))
		}
		res.rejects = append(res.rejects, r.Rejects()...)
	}
	res.stats, res.err = r.Stats(), r.Err()
	if s := res.stats; s.Lines != s.Rows+s.Rejected+s.Filtered || int(s.Rows) != len(res.rows) {
		t.Errorf("stats %+v for %d rows", s, len(res.rows))
	}
	return res
}

// TestParquetSameRowsAsText writes the same generated requests as text and
// as a Parquet file of several row groups (http_status an int32,
// request_time in milliseconds), and compares every column of every row.
func TestParquetSameRowsAsText(t *testing.T) {
	const n = 3000
	g := gen.New(gen.Options{Seed: 5, TrapRate: 0.05, Traps: noExtraTraps})
	recs := make([]gen.Record, n)
	var text bytes.Buffer
	for i := range recs {
		recs[i] = g.Next()
		text.Write(recs[i].Line())
		text.WriteByte('\n')
	}
	var pq bytes.Buffer
	if err := gen.WriteParquet(&pq, recs, 700); err != nil {
		t.Fatal(err)
	}
	want := readAll(t, text.String(), "same", Options{BatchRows: 500})
	got := readParquet(t, pq.Bytes(), "same", Options{BatchRows: 500})
	if got.err != nil || len(got.rejects) != 0 || len(got.rows) != n || len(want.rows) != n {
		t.Fatalf("err %v, %d rejects (%v), %d rows; text %d rows", got.err, len(got.rejects), got.rejects, len(got.rows), len(want.rows))
	}
	for i := range want.rows {
		for _, c := range schema.S3ServerAccess.Columns {
			if g, w := got.rows[i][c.Name], want.rows[i][c.Name]; !reflect.DeepEqual(g, w) {
				t.Fatalf("row %d %s: Parquet %#v, text %#v", i+1, c.Name, g, w)
			}
		}
	}
	if got.stats.Bytes != int64(pq.Len()) {
		t.Errorf("Bytes = %d, want the file's %d", got.stats.Bytes, pq.Len())
	}
}

// TestParquetConversionsAndRejects reads a file whose columns have other
// types than gen's: nanosecond and string times, uint64 and string
// numbers, an unknown column; rows without a time or with a value of the
// wrong type are rejected, with their row number.
func TestParquetConversionsAndRejects(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "request_time", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
		{Name: "object_size", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "http_status", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "bucket_name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "future", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	defer b.Release()
	ts := time.Date(2026, 7, 1, 12, 34, 56, 789123999, time.UTC).UnixNano()
	b.Field(0).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ts), 0, arrow.Timestamp(ts), arrow.Timestamp(ts)}, []bool{true, false, true, true})
	b.Field(1).(*array.Uint64Builder).AppendValues([]uint64{7, 1, 1 << 63, 1}, nil)
	b.Field(2).(*array.StringBuilder).AppendValues([]string{"", "", "", "200"}, []bool{false, false, false, true})
	b.Field(3).(*array.StringBuilder).AppendValues([]string{"b", "b", "b", "b"}, nil)
	b.Field(4).(*array.Float64Builder).AppendValues([]float64{1.5, 0, 0, 0}, []bool{true, false, false, false})
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	fw, err := pqarrow.NewFileWriter(sch, &buf, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	res := readParquet(t, buf.Bytes(), "conv.parquet", Options{})
	if res.err != nil || len(res.rows) != 1 || len(res.rejects) != 3 {
		t.Fatalf("err %v, rows %v, rejects %v", res.err, res.rows, res.rejects)
	}
	row := res.rows[0]
	for k, w := range map[string]any{"time": "2026-07-01T12:34:56.789123Z", "objectsize": int64(7), "httpstatus": nil, "bucket": "b", "additionalFields": []string{"-", "future=1.5"}} {
		if !reflect.DeepEqual(row[k], w) {
			t.Errorf("%s = %#v, want %#v", k, row[k], w)
		}
	}
	for i, want := range []struct {
		line  int64
		kind  schema.RejectKind
		field string
	}{{2, schema.RejectNoTime, ""}, {3, schema.RejectInteger, "objectsize"}, {4, schema.RejectType, "httpstatus"}} {
		rj := &res.rejects[i]
		if rj.Line != want.line || !errors.Is(rj, want.kind) || rj.Field != want.field || len(rj.Raw) == 0 {
			t.Errorf("reject %d: %v (kind %v field %q), want row %d kind %v field %q", i, rj.Error(), rj.Kind, rj.Field, want.line, want.kind, want.field)
		}
	}
}

// TestParquetNotParquet refuses bytes that are not a Parquet file.
func TestParquetNotParquet(t *testing.T) {
	data := []byte("PAR1 but not really")
	if _, err := NewParquetReader(context.Background(), bytes.NewReader(data), int64(len(data)), "x", Options{}); err == nil {
		t.Fatal("no error")
	}
}

package gen_test

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/schema"
)

// colValue returns row i of column c of rec in the types gen.Record.Column
// uses: nil for NULL, string, int64, time.Time in UTC, []string.
func colValue(rec arrow.RecordBatch, c, i int) any {
	col := rec.Column(c)
	if col.IsNull(i) {
		return nil
	}
	switch a := col.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Timestamp:
		return a.Value(i).ToTime(arrow.Microsecond).UTC()
	case *array.List:
		s, e := a.ValueOffsets(i)
		vals := a.ListValues().(*array.String)
		var out []string
		for j := s; j < e; j++ {
			out = append(out, vals.Value(int(j)))
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return fmt.Sprintf("%T", col)
}

// TestLoaderAgreesWithOracle parses generated lines (5% with traps) with the
// loader and compares every column of every row with the generator's
// Record: two independent implementations of FORMAT.md must agree exactly.
func TestLoaderAgreesWithOracle(t *testing.T) {
	const n = 20000
	g := gen.New(gen.Options{Seed: 77, TrapRate: 0.05})
	recs := make([]gen.Record, n)
	var buf bytes.Buffer
	for i := range recs {
		recs[i] = g.Next()
		buf.Write(recs[i].Line())
		buf.WriteByte('\n')
	}
	rd := loader.NewReader(&buf, "oracle.log", loader.Options{BatchRows: 3000})
	defer rd.Release()
	line := 0
	for rd.Next() {
		for _, rj := range rd.Rejects() {
			t.Errorf("%v (traps %v)", rj.Error(), recs[rj.Line-1].Traps)
		}
		rec := rd.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			r := recs[line]
			for c := 0; c <= schema.ColAdditionalFields; c++ {
				if got, want := colValue(rec, c, i), r.Column(c); !reflect.DeepEqual(got, want) {
					t.Fatalf("line %d (traps %v) column %s: loader %#v, oracle %#v\n%s",
						line+1, r.Traps, schema.S3ServerAccess.Columns[c].Name, got, want, r.Line())
				}
			}
			line++
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	if st := rd.Stats(); st.Lines != n || st.Rows != n || line != n {
		t.Fatalf("stats %+v, %d rows compared, want %d lines and rows", st, line, n)
	}
}

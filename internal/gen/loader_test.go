package gen_test

import (
	"bytes"
	"errors"
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

// TestBadLinesRejectedAsSaid parses each kind of broken line with the
// loader and checks that it is rejected for the kind, and in the field, the
// generator says: the generator's expectations are the loader's own kinds,
// not words that could drift from what the loader writes.
func TestBadLinesRejectedAsSaid(t *testing.T) {
	for _, k := range gen.BadKinds() {
		t.Run(k.String(), func(t *testing.T) {
			b := gen.BadLine(k)
			rd := loader.NewReader(bytes.NewReader(b.Line), "bad.log", loader.Options{})
			defer rd.Release()
			var rejects []loader.Reject
			for rd.Next() {
				if n := rd.RecordBatch().NumRows(); n != 0 {
					t.Fatalf("%d rows from a bad line: %q", n, b.Line)
				}
				rejects = append(rejects, rd.Rejects()...)
			}
			if len(rejects) != 1 {
				t.Fatalf("%d rejects, want 1: %q", len(rejects), b.Line)
			}
			rej := &rejects[0]
			if !errors.Is(rej, b.Reject) || rej.Field != b.Field {
				t.Errorf("loader rejected it as %v in field %q (%s), generator says %v in field %q", rej.Kind, rej.Field, rej.Reason, b.Reject, b.Field)
			}
		})
	}
}

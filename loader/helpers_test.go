package loader

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/schema"
)

// testParseTime is p_parse_time in tests, so that output is reproducible.
var testParseTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// result is everything a Reader produced from one input, as plain Go values.
type result struct {
	rows    []map[string]any // column name -> string, int64, RFC 3339 time, []string, or nil
	lines   []int64          // the line number of each row (from p_row_id order)
	rejects []Reject
	stats   Stats
	err     error
}

// readAll reads input with a Reader on a checked allocator and fails the
// test if any Arrow memory is left allocated afterwards.
func readAll(t testing.TB, input, source string, opts Options) result {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts.Allocator = mem
	if opts.ParseTime.IsZero() {
		opts.ParseTime = testParseTime
	}
	r := NewReader(strings.NewReader(input), source, opts)
	defer r.Release()
	var res result
	for r.Next() {
		rec := r.RecordBatch()
		if rec == nil {
			t.Fatal("RecordBatch is nil after Next returned true")
		}
		if !rec.Schema().Equal(schema.S3ServerAccess.ArrowSchema()) {
			t.Fatalf("schema = %s", rec.Schema())
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			res.rows = append(res.rows, rowMap(t, rec, i))
		}
		res.rejects = append(res.rejects, r.Rejects()...)
	}
	res.stats, res.err = r.Stats(), r.Err()
	s := res.stats
	if s.Lines != s.Rows+s.Rejected+s.Blank+s.Filtered {
		t.Errorf("stats %+v: Lines != Rows+Rejected+Blank+Filtered", s)
	}
	if int(s.Rows) != len(res.rows) || int(s.Rejected) != len(res.rejects) {
		t.Errorf("stats %+v, but %d rows and %d rejects returned", s, len(res.rows), len(res.rejects))
	}
	return res
}

// parseOne reads a single line and returns its row, or its reject.
func parseOne(t testing.TB, line string) (map[string]any, *Reject) {
	t.Helper()
	res := readAll(t, line, "test.log", Options{})
	switch {
	case len(res.rows) == 1 && len(res.rejects) == 0:
		return res.rows[0], nil
	case len(res.rows) == 0 && len(res.rejects) == 1:
		return nil, &res.rejects[0]
	}
	t.Fatalf("%d rows, %d rejects from one line", len(res.rows), len(res.rejects))
	return nil, nil
}

// checkRow parses line, which must become a row, and checks the columns
// named in want (the others are not looked at).
func checkRow(t *testing.T, line string, want map[string]any) {
	t.Helper()
	row, rej := parseOne(t, line)
	if rej != nil {
		t.Fatalf("rejected: %s", rej.Error())
	}
	for k, w := range want {
		got, ok := row[k]
		if !ok {
			t.Fatalf("no column %q", k)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}
}

// rowMap returns row i of rec as column name -> value.
func rowMap(t testing.TB, rec arrow.RecordBatch, i int) map[string]any {
	m := make(map[string]any, rec.NumCols())
	for c, f := range rec.Schema().Fields() {
		m[f.Name] = value(t, rec.Column(c), i)
	}
	return m
}

// value returns element i of a as a plain Go value; nil for NULL. Strings
// are copied: the batch's buffers are recycled once it is released.
func value(t testing.TB, a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.String:
		return strings.Clone(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Timestamp:
		return a.Value(i).ToTime(arrow.Microsecond).UTC().Format(time.RFC3339Nano)
	case *array.List:
		start, end := a.ValueOffsets(i)
		out := []string{}
		for j := start; j < end; j++ {
			out = append(out, value(t, a.ListValues(), int(j)).(string))
		}
		return out
	}
	t.Fatalf("unexpected array type %s", a.DataType())
	return nil
}

// goldenJSON renders rows and rejects of one file, one line of the file per
// element, columns in schema order, for a golden file a person can review.
func goldenJSON(res result) []byte {
	var b bytes.Buffer
	b.WriteString("[\n")
	names := schema.S3ServerAccess.Names()
	ri, ji := 0, 0
	first := true
	for line := int64(1); ri < len(res.rows) || ji < len(res.rejects); line++ {
		if !first {
			b.WriteString(",\n")
		}
		first = false
		if ji < len(res.rejects) && res.rejects[ji].Line == line {
			rj := res.rejects[ji]
			fmt.Fprintf(&b, "  {\"line\": %d, \"reject\": {\"column\": %d, \"field\": %s, \"reason\": %s}}", line, rj.Column, js(rj.Field), js(rj.Reason))
			ji++
			continue
		}
		row := res.rows[ri]
		ri++
		fmt.Fprintf(&b, "  {\"line\": %d, \"row\": {", line)
		for k, n := range names {
			if k > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n    %s: %s", js(n), js(row[n]))
		}
		b.WriteString("\n  }}")
	}
	b.WriteString("\n]\n")
	return b.Bytes()
}

// js returns v as JSON.
func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// lineDiff returns a line diff of want and got, "-" for want and "+" for
// got, with the line numbers; empty when they are equal.
func lineDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n-%s\n+%s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

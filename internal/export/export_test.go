package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/s3logs/s3logs/internal/db"
	s3schema "github.com/s3logs/s3logs/schema"
)

// fixedNow is the test clock: run ids and DDL year ranges depend on it.
func fixedNow() time.Time { return time.Date(2026, 1, 20, 9, 30, 0, 0, time.UTC) }

// seedSQL inserts the rows with ids in [first, last), one every 37 minutes
// from start, covering every column with NULLs, empty values, quotes, non-ASCII,
// list edge cases (NULL, empty, NULL element) and extreme bigints.
const seedSQL = `INSERT INTO aws_s3serveraccess
SELECT
  'owner' || (i % 3),
  CASE WHEN i % 7 = 0 THEN NULL ELSE 'bucket-' || (i % 5) END,
  t,
  CASE i % 4 WHEN 0 THEN '192.0.2.' || (i % 250) WHEN 1 THEN '2001:db8::' || (i % 99) WHEN 2 THEN NULL ELSE '' END,
  CASE WHEN i % 2 = 0 THEN 'arn:aws:iam::123456789012:user/u' || (i % 11) ELSE NULL END,
  'REQ' || i,
  ['REST.GET.OBJECT', 'REST.PUT.OBJECT', 'BATCH.DELETE.OBJECT', 'WEBSITE.GET.OBJECT'][1 + i % 4],
  CASE WHEN i % 5 = 0 THEN NULL ELSE 'dir/ké y+%2F' || i END,
  'GET /b/k?x="' || i || '" HTTP/1.1',
  [200, 403, 404, 500][1 + i % 4],
  CASE WHEN i % 4 = 1 THEN 'AccessDenied' ELSE NULL END,
  CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN 0 WHEN 2 THEN 9223372036854775807 WHEN 3 THEN -1 ELSE i * 1000 END,
  CASE WHEN i % 3 = 0 THEN NULL ELSE i * 7 END,
  i % 1000,
  CASE WHEN i % 6 = 0 THEN NULL ELSE i % 50 END,
  CASE WHEN i % 9 = 0 THEN 'foo "bar" baz' ELSE NULL END,
  'aws-cli/2.' || (i % 10) || ' ✓ 日本',
  NULL,
  'host' || i || '/+=',
  CASE WHEN i % 2 = 0 THEN 'SigV4' ELSE 'SigV2' END,
  'ECDHE-RSA-AES128-GCM-SHA256',
  'AuthHeader',
  'b.s3.us-east-1.amazonaws.com',
  CASE WHEN i % 3 = 0 THEN NULL ELSE 'TLSv1.' || (i % 4) END,
  NULL,
  CASE WHEN i % 2 = 0 THEN 'Yes' ELSE NULL END,
  CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN []::VARCHAR[] WHEN 2 THEN ['us-east-1'] ELSE ['eu-west-1', NULL, 'x "y" z'] END,
  'AWS.S3ServerAccess',
  'row-' || i,
  t,
  TIMESTAMPTZ '2026-01-15 12:00:00.123456+00',
  'file' || (i % 2) || '.log',
  'label',
  CASE WHEN i % 4 = 2 THEN NULL ELSE ['192.0.2.' || (i % 250)] END,
  CASE WHEN i % 2 = 0 THEN ['arn:aws:iam::123456789012:user/u' || (i % 11)] ELSE [] END,
  CASE WHEN i % 2 = 0 THEN ['123456789012'] ELSE NULL END
FROM (SELECT i, TIMESTAMPTZ '{start}' + to_minutes((i - {first}) * 37) + to_microseconds(i * 1001) AS t FROM range({first}, {last}) r(i))`

// newDB opens an in-memory database holding n fixture rows.
func newDB(t testing.TB, n int) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	seed(t, d, "2025-12-30 22:00:00+00", 0, n)
	return d
}

// seed inserts fixture rows with ids in [first, last).
func seed(t testing.TB, d *db.DB, start string, first, last int) {
	t.Helper()
	if _, err := d.Exec(strings.NewReplacer("{start}", start, "{first}", strconv.Itoa(first), "{last}", strconv.Itoa(last)).Replace(seedSQL)); err != nil {
		t.Fatal(err)
	}
}

// count runs a query returning one integer.
func count(t *testing.T, d *db.DB, q string) int64 {
	t.Helper()
	var n int64
	if err := d.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// sameRows fails unless the two relations hold the same multiset of rows.
func sameRows(t *testing.T, d *db.DB, a, b string) {
	t.Helper()
	for _, q := range []string{
		fmt.Sprintf("SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s)", a, b),
		fmt.Sprintf("SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s)", b, a),
	} {
		if n := count(t, d, q); n != 0 {
			t.Errorf("%d rows differ: %s", n, q)
		}
	}
	if na, nb := count(t, d, "SELECT count(*) FROM "+a), count(t, d, "SELECT count(*) FROM "+b); na != nb {
		t.Errorf("count(%s) = %d, count(%s) = %d", a, na, b, nb)
	}
}

// cell renders a Go value scanned from DuckDB the way arrowCell renders the
// Parquet value, so that the two readers can be compared exactly.
func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case string:
		return strconv.Quote(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = cell(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprintf("unexpected %T", v)
}

// arrowCell renders row i of an Arrow array like cell.
func arrowCell(t *testing.T, a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch a := a.(type) {
	case *array.String:
		return strconv.Quote(a.Value(i))
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit).UTC().Format(time.RFC3339Nano)
	case *array.List:
		start, end := a.ValueOffsets(i)
		parts := make([]string, 0, end-start)
		for j := start; j < end; j++ {
			parts = append(parts, arrowCell(t, a.ListValues(), int(j)))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	t.Fatalf("unexpected Arrow array %T", a)
	return ""
}

// dbRows returns the rows of a query, each rendered as one line, sorted.
func dbRows(t *testing.T, d *db.DB, q string) (cols []string, out []string) {
	t.Helper()
	rows, err := d.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ = rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = cell(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return cols, out
}

// readParquet reads a Parquet file with arrow-go (independently of DuckDB)
// on a checked allocator and returns its Arrow schema and rows rendered
// like dbRows.
func readParquet(t *testing.T, path string) (*arrow.Schema, []string) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tbl, err := pqarrow.ReadTable(context.Background(), f, parquet.NewReaderProperties(mem), pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		t.Fatalf("arrow-go cannot read %s: %v", path, err)
	}
	defer tbl.Release()
	tr := array.NewTableReader(tbl, 1024)
	defer tr.Release()
	var out []string
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			parts := make([]string, rec.NumCols())
			for c := range parts {
				parts[c] = arrowCell(t, rec.Column(c), i)
			}
			out = append(out, strings.Join(parts, "|"))
		}
	}
	sort.Strings(out)
	return tbl.Schema(), out
}

// diffRows fails with the first differences between two sorted row lists.
func diffRows(t *testing.T, want, got []string) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("rows: want %d, got %d", len(want), len(got))
	}
	shown := 0
	for i := 0; i < len(want) && i < len(got) && shown < 3; i++ {
		if want[i] != got[i] {
			t.Errorf("row %d (-want +got):\n-%s\n+%s", i, want[i], got[i])
			shown++
		}
	}
}

// parquetTimestampUTC reports, for each timestamp column of a Parquet file,
// whether its logical type is adjusted to UTC.
func parquetTimestampUTC(t *testing.T, path string) map[string]bool {
	t.Helper()
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := map[string]bool{}
	sc := r.MetaData().Schema
	for i := 0; i < sc.NumColumns(); i++ {
		col := sc.Column(i)
		if ts, ok := col.LogicalType().(interface {
			IsAdjustedToUTC() bool
			TimeUnit() schema.TimeUnitType
		}); ok {
			out[col.Name()] = ts.IsAdjustedToUTC() && ts.TimeUnit() == schema.TimeUnitMicros
		}
	}
	return out
}

// checkTypes fails unless the Arrow schema read from Parquet has exactly
// the table's columns and types.
func checkTypes(t *testing.T, got *arrow.Schema) {
	t.Helper()
	want := s3schema.S3ServerAccess
	if got.NumFields() != len(want.Columns) {
		t.Fatalf("fields: want %d, got %d", len(want.Columns), got.NumFields())
	}
	for i, c := range want.Columns {
		f := got.Field(i)
		wt := c.Type.Arrow()
		if f.Name != c.Name || !arrow.TypeEqual(f.Type, wt) {
			// Lists may name their element differently ("element" vs "item").
			if l, ok := f.Type.(*arrow.ListType); !(ok && f.Name == c.Name && c.Type == s3schema.StringList && arrow.TypeEqual(l.Elem(), arrow.BinaryTypes.String)) {
				t.Errorf("field %d: want %s %s, got %s %s", i, c.Name, wt, f.Name, f.Type)
			}
		}
	}
}

func TestRoundTripFile(t *testing.T) {
	d := newDB(t, 500)
	tests := []struct {
		name  string
		opts  Options
		want  string // query giving the expected rows
		nrows int64
	}{
		{"table zstd", Options{Table: true}, "SELECT * FROM aws_s3serveraccess", 500},
		{"table snappy", Options{Table: true, Compression: "snappy"}, "SELECT * FROM aws_s3serveraccess", 500},
		{"table gzip", Options{Table: true, Compression: "gzip"}, "SELECT * FROM aws_s3serveraccess", 500},
		{"table none", Options{Table: true, Compression: "none"}, "SELECT * FROM aws_s3serveraccess", 500},
		{"query with macro-free filter", Options{Query: "SELECT * FROM panther_logs.public.aws_s3serveraccess WHERE httpstatus = 403;\n"},
			"SELECT * FROM aws_s3serveraccess WHERE httpstatus = 403", 125},
		{"query with args", Options{Query: "SELECT bucket, count(*) AS n, max(p_event_time) AS last FROM aws_s3serveraccess WHERE httpstatus >= ? GROUP BY bucket", Args: []any{int64(404)}},
			"SELECT bucket, count(*) AS n, max(p_event_time) AS last FROM aws_s3serveraccess WHERE httpstatus >= 404 GROUP BY bucket", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "sub", "x.parquet")
			tt.opts.Out = out
			res, err := Run(context.Background(), d, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Out != out || res.Rows != tt.nrows || len(res.Files) != 1 || res.Files[0] != out {
				t.Errorf("result = %+v, want Out=Files[0]=%s Rows=%d", res, out, tt.nrows)
			}
			sameRows(t, d, "read_parquet("+s3schema.Literal(out)+")", "("+tt.want+")")
			_, want := dbRows(t, d, tt.want)
			sc, got := readParquet(t, out)
			diffRows(t, want, got)
			if tt.opts.Table {
				checkTypes(t, sc)
				utc := parquetTimestampUTC(t, out)
				wantUTC := map[string]bool{"time": true, "p_event_time": true, "p_parse_time": true}
				if fmt.Sprint(utc) != fmt.Sprint(wantUTC) {
					t.Errorf("timestamp columns adjusted to UTC (micros): got %v, want %v", utc, wantUTC)
				}
			}
			ents, _ := os.ReadDir(filepath.Dir(out))
			if len(ents) != 1 {
				t.Errorf("output directory holds %d entries, want only the export", len(ents))
			}
		})
	}
}

func TestFormats(t *testing.T) {
	d := newDB(t, 200)
	const cols = "p_row_id, bucket, httpstatus, bytessent, useragent"
	tests := []struct {
		name   string
		opts   Options
		reader string // DuckDB function reading the file back, with %s for the path
		magic  string // first bytes of the file
	}{
		{"csv by extension", Options{Out: "x.csv"}, "read_csv(%s, header = true)", "p_row_id,"},
		{"csv gzipped by extension", Options{Out: "x.csv.gz"}, "read_csv(%s, header = true, compression = 'gzip')", "\x1f\x8b"},
		{"ndjson", Options{Out: "x.ndjson"}, "read_json(%s, format = 'newline_delimited')", `{"p_row_id":`},
		{"json zstd by extension", Options{Out: "x.jsonl.zst"}, "read_json(%s, format = 'newline_delimited', compression = 'zstd')", "\x28\xb5\x2f\xfd"},
		{"csv by option", Options{Out: "x.txt", Format: CSV, Compression: "gzip"}, "read_csv(%s, header = true, compression = 'gzip')", "\x1f\x8b"},
		{"parquet for a name without extension", Options{Out: "x"}, "read_parquet(%s)", "PAR1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tt.opts.Out)
			tt.opts.Out = out
			tt.opts.Query = "SELECT " + cols + " FROM aws_s3serveraccess"
			if _, err := Run(context.Background(), d, tt.opts); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(out)
			if !strings.HasPrefix(string(b), tt.magic) {
				t.Errorf("file starts %q, want %q", b[:min(len(b), 12)], tt.magic)
			}
			back := fmt.Sprintf("(SELECT %s FROM %s)", cols, fmt.Sprintf(tt.reader, s3schema.Literal(out)))
			sameRows(t, d, back, "(SELECT "+cols+" FROM aws_s3serveraccess)")
		})
	}
}

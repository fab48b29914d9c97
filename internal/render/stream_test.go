package render

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// streams reports whether Runner streams st on d (or reads it in windows
// of a temporary table).
func streams(t *testing.T, d interface {
	Conn(context.Context) (*sql.Conn, error)
}, st Statement) bool {
	t.Helper()
	ctx := context.Background()
	c, err := d.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var ok bool
	if err := c.Raw(func(dc any) error {
		s, streamed, err := openStream(ctx, dc, st)
		if streamed && err == nil {
			s.Close()
		}
		ok = streamed
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestStreamValues: a streamed result prints exactly what one read of it
// through database/sql prints, in every format, for values of every type
// the stream reads (and NULL of each); a type it does not read is not
// streamed and prints the same too.
func TestStreamValues(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, expr string
		stream     bool
	}{
		{"varchar", `'plain'`, true},
		{"varchar long", `'a value longer than twelve bytes, not inlined'`, true},
		{"varchar empty", `''`, true},
		{"varchar controls", `'a' || chr(27) || '[31mred' || chr(10) || 'next' || chr(9) || chr(13) || chr(127) || chr(8238)`, true},
		{"varchar unicode", `'é中文🦆'`, true},
		{"varchar csv quoting", `'say "hi", then, go'`, true},
		{"blob", `'\xAA\x00ab\x5Cc'::BLOB`, true},
		{"boolean", `i % 2 = 0`, true},
		{"tinyint", `(-128 + i)::TINYINT`, true},
		{"smallint", `(-32768 + i)::SMALLINT`, true},
		{"integer", `(2147483647 - i)::INTEGER`, true},
		{"bigint", `(-9223372036854775808 + i)::BIGINT`, true},
		{"utinyint", `(255 - i)::UTINYINT`, true},
		{"usmallint", `(65535 - i)::USMALLINT`, true},
		{"uinteger", `(4294967295 - i)::UINTEGER`, true},
		{"ubigint", `(18446744073709551615 - i)::UBIGINT`, true},
		{"float", `[0.1::FLOAT, 'nan'::FLOAT, '-inf'::FLOAT][i + 1]`, true},
		{"double", `[1.5e300, -0.0, 'inf'::DOUBLE][i + 1]`, true},
		{"timestamp", `TIMESTAMP '2024-01-02 03:04:05.123456' - to_days(i::INT * 40000)`, true},
		{"timestamptz", `TIMESTAMPTZ '2019-02-06 00:00:38+00' + to_microseconds(i)`, true},
		{"timestamp_s", `TIMESTAMP_S '2024-01-02 03:04:05'`, true},
		{"timestamp_ms", `TIMESTAMP_MS '2024-01-02 03:04:05.123'`, true},
		{"timestamp_ns", `TIMESTAMP_NS '2024-01-02 03:04:05.123456789'`, true},
		{"timestamp infinity", `['infinity'::TIMESTAMP, '-infinity'::TIMESTAMP, TIMESTAMP '1900-01-01'][i + 1]`, true},
		{"date", `[DATE '2024-02-29', DATE '1000-01-01', DATE '1969-12-31'][i + 1]`, true},
		{"interval", `INTERVAL '1 year 2 months 3 days 04:05:06.789' * (i - 1)`, true},
		{"hugeint", `[170141183460469231731687303715884105727::HUGEINT, -5::HUGEINT, 0::HUGEINT][i + 1]`, true},
		{"sum hugeint", `sum(i) OVER ()`, true},
		{"decimal 4", `(i - 1.5)::DECIMAL(4,1)`, true},
		{"decimal 9", `123.45::DECIMAL(9,2) * (i - 1)`, true},
		{"decimal 18", `-1234567890.123::DECIMAL(18,3)`, true},
		{"decimal 38", `12345678901234567890.12345::DECIMAL(38,5)`, true},
		{"untyped null", `NULL`, true},
		{"list", `[1, NULL, i::INT]`, true},
		{"list empty", `[]::INT[]`, true},
		{"list text", `['a', 'b,c', NULL, '']`, true},
		{"list nested", `[[1], [2, 3], []]`, true},
		{"list times", `[TIMESTAMPTZ '2024-01-01 00:00:00+00']`, true},
		{"struct", `{'a': i, 'b': 'x', 'c': NULL::INT, 'd"q': [1]}`, true},
		{"struct nested", `{'s': {'t': TIMESTAMPTZ '2024-01-01 00:00:00+00'}, 'l': [{'x': 'y'}]}`, true},
		{"map", `MAP {'k': i, 'j': NULL}`, true},
		{"map of lists", `MAP {1: ['a'], 2: []}`, true},
		{"uuid", `'6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID`, true},
		{"uuid high bit", `'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID`, true},
		{"enum", `'b'::ENUM('a', 'b')`, true},
		{"time", `TIME '12:34:56.789'`, true},
		{"array", `[1, NULL, 3]::INTEGER[3]`, true},
		{"list of struct", `[{'a': 1}, NULL]`, true},
		{"json", `'{"a": 1}'::JSON`, false},
		{"timetz", `TIMETZ '12:34:56+02'`, false},
		{"uhugeint", `340282366920938463463374607431768211455::UHUGEINT`, false},
		{"union", `union_value(k := 1)`, false},
		{"bit", `'0101'::BIT`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Row 1 of 3 is NULL, of the same type.
			q := fmt.Sprintf("SELECT CASE WHEN i = 1 THEN NULL ELSE %s END AS v, i FROM range(3) r(i) ORDER BY i", tc.expr)
			if got := streams(t, d, Statement{SQL: q}); got != tc.stream {
				t.Fatalf("streams = %v, want %v", got, tc.stream)
			}
			for _, f := range []Format{CSV, JSON, Table, Markdown, Line} {
				for _, escape := range []bool{false, true} {
					opts := Options{Format: f, Escape: escape}
					want, _, err := render(t, d, q, opts)
					if err != nil {
						t.Fatal(err)
					}
					var got strings.Builder
					r := Runner{Conn: d, Out: &got}
					if _, err := r.Run(ctx, Statement{SQL: q}, opts); err != nil {
						t.Fatal(err)
					}
					if got.String() != want {
						t.Errorf("%v escape=%v:\nstreamed %q\none read %q", f, escape, got.String(), want)
					}
				}
			}
		})
	}
}

// TestRawHandles: the duckdb-go fields the stream reads are there with
// the types it expects (a duckdb-go upgrade that changes them fails here,
// and streaming would silently stop).
func TestRawHandles(t *testing.T) {
	d := openDB(t)
	if !streams(t, d, Statement{SQL: "SELECT 1 AS a"}) {
		t.Fatal("SELECT 1 does not stream: duckdb-go's Conn.conn or Stmt.preparedStmt is not reachable")
	}
	if _, ok := handleField[int](&struct{ n string }{}, "n"); ok {
		t.Error("handleField read a string field as an int")
	}
	if _, ok := handleField[int](&struct{ m int }{}, "n"); ok {
		t.Error("handleField read a missing field")
	}
}

// TestStreamHidden: while a statement runs, the user's own view of the
// catalog holds nothing of s3logs (the windows of a temporary table
// showed in SHOW TABLES and duckdb_tables()).
func TestStreamHidden(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	if _, err := d.ExecContext(ctx, "CREATE TABLE mine (a INT)"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SHOW TABLES",
		"SELECT table_name FROM duckdb_tables() ORDER BY table_name",
		"SHOW ALL TABLES",
	} {
		var out strings.Builder
		r := Runner{Conn: d, Out: &out}
		if _, err := r.Run(ctx, Statement{SQL: q}, Options{Format: CSV}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), "__s3logs") || !strings.Contains(out.String(), "mine") {
			t.Errorf("%s printed %q, want the table mine and no internal table of s3logs", q, out.String())
		}
	}
}

// TestStreamOverMemory: a result several times DuckDB's memory limit,
// with nowhere to spill (no temporary directory), prints whole: it never
// is all in memory, neither in DuckDB nor here.
func TestStreamOverMemory(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	c, err := d.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, set := range []string{"SET memory_limit = '64MB'", "SET temp_directory = ''", "SET threads = 1"} {
		if _, err := c.ExecContext(ctx, set); err != nil {
			t.Fatal(err)
		}
	}
	const rows, width = 400_000, 1000 // 400 MB of text
	q := fmt.Sprintf("SELECT i, repeat('x', %d) || i AS s FROM range(%d) r(i)", width, rows)
	var n countingWriter
	r := Runner{Conn: c, Out: &n}
	if _, err := r.Run(ctx, Statement{SQL: q}, Options{Format: CSV}); err != nil {
		t.Fatal(err)
	}
	if r.Rows != rows || n.bytes < rows*width {
		t.Errorf("printed %d rows, %d bytes; want %d rows, over %d bytes", r.Rows, n.bytes, rows, rows*width)
	}
}

type countingWriter struct{ bytes int }

func (w *countingWriter) Write(p []byte) (int, error) { w.bytes += len(p); return len(p), nil }

// TestStreamArgs: arguments are bound as database/sql binds them.
func TestStreamArgs(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	st := Statement{
		SQL:  "SELECT ?::TIMESTAMPTZ AS t, ? AS s, ?::INT + 1 AS n, ? IS NULL AS isnull, ?::DOUBLE AS f",
		Args: []any{time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), "x'y", 41, nil, float32(0.5)},
	}
	if !streams(t, d, st) {
		t.Fatal("does not stream")
	}
	var out strings.Builder
	r := Runner{Conn: d, Out: &out}
	if _, err := r.Run(ctx, st, Options{Format: CSV}); err != nil {
		t.Fatal(err)
	}
	if want := "t,s,n,isnull,f\n2024-05-06T07:08:09Z,x'y,42,true,0.5\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	if _, err := r.Run(ctx, Statement{SQL: "SELECT ?::INT AS n", Args: []any{"nope"}}, Options{Format: CSV}); err == nil {
		t.Error("a bad argument gave no error")
	}
}

// TestStreamErrors: rows are printed as DuckDB makes them, so an error it
// meets late in the result comes after the rows before it were printed
// (a materialized or stored result printed nothing); the error is typed as
// duckdb-go types it. A canceled context stops a stream of a billion rows
// at once (a stored result was never printed: the deadline ended it).
func TestStreamErrors(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	var out countingWriter
	r := Runner{Conn: d, Out: &out}
	q := "SELECT i, CASE WHEN i = 2000000 THEN error('boom at ' || i) ELSE 'ok' END AS s FROM range(2000001) r(i)"
	_, err := r.Run(ctx, Statement{SQL: q}, Options{Format: CSV})
	var de *duckdb.Error
	if !errors.As(err, &de) || !strings.Contains(de.Msg, "boom at 2000000") {
		t.Errorf("error %v (%T), want DuckDB's boom", err, err)
	}
	if out.bytes < 1<<20 {
		t.Errorf("%d bytes printed before the error, want the rows before it", out.bytes)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	w := &cancelingWriter{after: 1 << 20, cancel: cancel}
	r = Runner{Conn: d, Out: w}
	_, err = r.Run(ctx, Statement{SQL: "SELECT i, 'row ' || i AS s FROM range(1000000000) r(i)"}, Options{Format: CSV})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled run: %v, want it canceled", err)
	}
}

// cancelingWriter cancels its context once after bytes were written.
type cancelingWriter struct {
	n, after int
	cancel   func()
}

func (w *cancelingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	if w.n > w.after {
		w.cancel()
	}
	return len(p), nil
}

// TestStreamMemoryLimit: a stream runs under resultMemory (at DuckDB's
// default limit it kept every block of the table it read: 832 MB for 4M
// rows), a query that needs more and cannot spill runs again under the
// limit before, and that limit is back afterwards.
func TestStreamMemoryLimit(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	defer func(was string) { resultMemory = was }(resultMemory)
	resultMemory = "2MB"
	for _, tc := range []struct{ sql, want string }{
		{"SELECT current_setting('memory_limit') AS m", "m\n1.9 MiB\n"},
		{"SELECT length(string_agg(repeat('x', 1000), '')) AS n FROM range(20000)", "n\n20000000\n"},
	} {
		st := Statement{SQL: tc.sql}
		if !streams(t, d, st) {
			t.Fatalf("%s does not stream", tc.sql)
		}
		var out strings.Builder
		r := Runner{Conn: d, Out: &out}
		if _, err := r.Run(ctx, st, Options{Format: CSV}); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("%s printed %q, want %q", tc.sql, out.String(), tc.want)
		}
	}
	var limit string
	if err := d.QueryRow("SELECT current_setting('memory_limit')").Scan(&limit); err != nil || limit == "1.9 MiB" {
		t.Errorf("memory limit left at %q, %v", limit, err)
	}
}

package render

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestRunnerWindows: a result of several windows prints exactly what one
// read of the whole result prints, in the query's order, with bound
// arguments, in every format; the temporary table is gone afterwards, and
// statements that are not queries still run directly.
func TestRunnerWindows(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	n := 2*windowRows + 17
	// The UNION column has no stream reader: the result is read in windows.
	q := Statement{SQL: "SELECT i, 'v' || i AS s, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS t, union_value(k := i) AS u FROM range(?) r(i) ORDER BY i DESC;", Args: []any{n}}
	if streams(t, d, q) {
		t.Fatal("streamed, want windows")
	}
	for _, f := range []Format{CSV, NDJSON, JSON, Line, Markdown, Table} {
		t.Run(f.String(), func(t *testing.T) {
			rows, err := d.QueryContext(ctx, q.SQL, q.Args...)
			if err != nil {
				t.Fatal(err)
			}
			var want strings.Builder
			if _, err := Write(&want, rows, Options{Format: f}); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			var got strings.Builder
			r := Runner{Conn: d, Out: &got}
			if _, err := r.Run(ctx, q, Options{Format: f}); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("windowed output differs from one read: %d vs %d bytes", got.Len(), want.Len())
			}
			if f == CSV && !strings.HasPrefix(got.String(), fmt.Sprintf("i,s,t,u\n%d,v%d,", n-1, n-1)) {
				t.Errorf("order lost: %.60q", got.String())
			}
		})
	}
	var left int
	if err := d.QueryRow("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__s3logs_result%'").Scan(&left); err != nil || left != 0 {
		t.Errorf("%d temporary result tables left, %v", left, err)
	}
	for _, sql := range []string{"PRAGMA version", "SELECT 1 AS a, 2 AS a", "DESCRIBE SELECT 1 AS x"} {
		var out strings.Builder
		r := Runner{Conn: d, Out: &out}
		if printed, err := r.Run(ctx, Statement{SQL: sql}, Options{Format: CSV}); err != nil || !printed {
			t.Errorf("%s: printed %v, %v", sql, printed, err)
		}
	}
}

// TestTableStreams: a table sizes its columns from the first tableWindow
// rows and prints later rows cut to those widths, without buffering them.
func TestTableStreams(t *testing.T) {
	d := openDB(t)
	q := fmt.Sprintf("SELECT CASE WHEN i < %d THEN 'short' ELSE 'a much longer value' END AS v FROM range(%d) r(i)", tableWindow, tableWindow+1)
	got, n, err := render(t, d, q, Options{Format: Table})
	if err != nil || n != tableWindow+1 {
		t.Fatalf("n = %d, %v", n, err)
	}
	lines := strings.Split(got, "\n")
	if lines[0] != " v" || lines[2] != " short" || lines[len(lines)-3] != " a mu…" || lines[len(lines)-2] != "(1001 rows)" {
		t.Errorf("got first %q, last %q", lines[:3], lines[len(lines)-3:])
	}
}

// TestRunnerOutOfMemory: a query that does not fit in the memory limit of
// a windowed result, and cannot spill, is run directly instead.
func TestRunnerOutOfMemory(t *testing.T) {
	d := openDB(t)
	defer func(was string) { resultMemory = was }(resultMemory)
	resultMemory = "2MB"
	var out strings.Builder
	r := Runner{Conn: d, Out: &out}
	q := "SELECT union_value(n := length(string_agg(repeat('x', 1000), ''))) AS n FROM range(20000)" // a UNION: not streamed
	if _, err := r.Run(context.Background(), Statement{SQL: q}, Options{Format: CSV}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "n\n20000000\n" {
		t.Errorf("got %q", out.String())
	}
	var limit string
	if err := d.QueryRow("SELECT current_setting('memory_limit')").Scan(&limit); err != nil || limit == "1.9 MiB" {
		t.Errorf("memory limit left at %q, %v", limit, err)
	}
}

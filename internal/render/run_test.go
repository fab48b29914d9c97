package render

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestRunner runs scripts of statements through one Runner on one
// connection and compares everything it printed.
func TestRunner(t *testing.T) {
	d := openDB(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		separate bool
		format   Format
		stmts    []Statement
		printed  []bool
		want     string
	}{
		{name: "effect only prints nothing, the next statement sees it", format: CSV,
			stmts:   []Statement{{SQL: "CREATE TEMP TABLE r1 AS SELECT 7 AS a", NoResult: true}, {SQL: "SELECT a FROM r1"}},
			printed: []bool{false, true}, want: "a\n7\n"},
		{name: "bound arguments", format: CSV,
			stmts:   []Statement{{SQL: "SELECT ?::INT + 1 AS n", Args: []any{41}}},
			printed: []bool{true}, want: "n\n42\n"},
		{name: "text results separated", separate: true, format: CSV,
			stmts:   []Statement{{SQL: "SELECT 1 AS a"}, {SQL: "SET threads = 1", NoResult: true}, {SQL: "SELECT 2 AS b"}},
			printed: []bool{true, false, true}, want: "a\n1\n\nb\n2\n"},
		{name: "text results not separated", format: CSV,
			stmts:   []Statement{{SQL: "SELECT 1 AS a"}, {SQL: "SELECT 2 AS b"}},
			printed: []bool{true, true}, want: "a\n1\nb\n2\n"},
		{name: "json arrays follow one another", separate: true, format: JSON,
			stmts:   []Statement{{SQL: "SELECT 1 AS a"}, {SQL: "SELECT 2 AS b"}},
			printed: []bool{true, true}, want: "[\n{\"a\":1}\n]\n[\n{\"b\":2}\n]\n"},
		{name: "ndjson rows go on", separate: true, format: NDJSON,
			stmts:   []Statement{{SQL: "SELECT 1 AS a"}, {SQL: "SELECT 2 AS b"}},
			printed: []bool{true, true}, want: "{\"a\":1}\n{\"b\":2}\n"},
		{name: "explain drawn as DuckDB does", format: Table,
			stmts:   []Statement{{SQL: "EXPLAIN SELECT 1"}},
			printed: []bool{true}, want: "physical_plan:\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := d.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var out strings.Builder
			r := Runner{Conn: conn, Out: &out, Separate: tc.separate}
			for i, st := range tc.stmts {
				printed, err := r.Run(ctx, st, Options{Format: tc.format})
				if err != nil || printed != tc.printed[i] {
					t.Fatalf("statement %d: printed %v, %v; want %v", i+1, printed, err, tc.printed[i])
				}
			}
			got := out.String()
			if tc.format == Table { // the plan's drawing varies with DuckDB's version
				if !strings.HasPrefix(got, tc.want) || strings.Contains(got, `\n`) || !strings.Contains(strings.ToUpper(got), "PROJECTION") {
					t.Errorf("output %q, want it to start with %q and hold the plan's lines", got, tc.want)
				}
				return
			}
			if got != tc.want {
				t.Errorf("output %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRunnerErrors(t *testing.T) {
	d := openDB(t)
	var out strings.Builder
	r := Runner{Conn: d, Out: &out}
	printed, err := r.Run(context.Background(), Statement{SQL: "SELECT nope"}, Options{})
	if err == nil || printed || out.Len() != 0 {
		t.Fatalf("Run(SELECT nope) = %v, %v, printed %q; want an error and nothing printed", printed, err, out.String())
	}
	se := &StatementError{N: 2, Of: 3, Line: 4, Err: err}
	var wrapped error = se
	if got, want := wrapped.Error(), "statement 2 of 3, line 4: "+err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var as *StatementError
	if !errors.Is(wrapped, err) || !errors.As(wrapped, &as) || as.N != 2 {
		t.Errorf("errors.Is/As do not find the statement's error in %v", wrapped)
	}
}

package queries

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/db"
)

func TestExpand(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no macro", "SELECT 1", "SELECT 1"},
		{"between", "SELECT * FROM t WHERE p_occurs_between('2021-01-01', '2021-01-02')",
			"SELECT * FROM t WHERE (p_event_time BETWEEN CAST('2021-01-01' AS TIMESTAMPTZ) AND CAST('2021-01-02' AS TIMESTAMPTZ))"},
		{"between alias", "WHERE p_occurs_between('2021-01-01', '2021-01-02', ct1)",
			"WHERE (ct1.p_event_time BETWEEN CAST('2021-01-01' AS TIMESTAMPTZ) AND CAST('2021-01-02' AS TIMESTAMPTZ))"},
		{"between quoted alias", `WHERE p_occurs_between(a, b, "my t")`,
			`WHERE ("my t".p_event_time BETWEEN CAST(a AS TIMESTAMPTZ) AND CAST(b AS TIMESTAMPTZ))`},
		{"between expressions", "WHERE p_occurs_between(current_date - interval '1' day, current_timestamp)",
			"WHERE (p_event_time BETWEEN CAST(current_date - interval '1' day AS TIMESTAMPTZ) AND CAST(current_timestamp AS TIMESTAMPTZ))"},
		{"args with parens and commas in strings", "WHERE p_occurs_between(coalesce('a,b)', x), f(1, 2))",
			"WHERE (p_event_time BETWEEN CAST(coalesce('a,b)', x) AS TIMESTAMPTZ) AND CAST(f(1, 2) AS TIMESTAMPTZ))"},
		{"case insensitive and space before paren", "where P_OCCURS_SINCE ('1 d')",
			"where (p_event_time >= now() - INTERVAL '86400 seconds')"},
		{"since seconds", "p_occurs_since(900)", "(p_event_time >= now() - INTERVAL '900 seconds')"},
		{"since string no unit", "p_occurs_since('900')", "(p_event_time >= now() - INTERVAL '900 seconds')"},
		{"since 6 d", "p_occurs_since('6 d')", "(p_event_time >= now() - INTERVAL '518400 seconds')"},
		{"since 2 weeks", "p_occurs_since('2 weeks')", "(p_event_time >= now() - INTERVAL '1209600 seconds')"},
		{"since 96 hrs", "p_occurs_since('96 hrs')", "(p_event_time >= now() - INTERVAL '345600 seconds')"},
		{"since 30 min", "p_occurs_since('30 min')", "(p_event_time >= now() - INTERVAL '1800 seconds')"},
		{"since 1 wk", "p_occurs_since('1 wk')", "(p_event_time >= now() - INTERVAL '604800 seconds')"},
		{"since 2 hr", "p_occurs_since('2 hr')", "(p_event_time >= now() - INTERVAL '7200 seconds')"},
		{"since 5 sec", "p_occurs_since('5 sec')", "(p_event_time >= now() - INTERVAL '5 seconds')"},
		{"since 1 minute", "p_occurs_since('1 minute')", "(p_event_time >= now() - INTERVAL '60 seconds')"},
		{"since 3 second", "p_occurs_since('3 second')", "(p_event_time >= now() - INTERVAL '3 seconds')"},
		{"since 1 day", "p_occurs_since('1 day')", "(p_event_time >= now() - INTERVAL '86400 seconds')"},
		{"since 6h no space", "p_occurs_since('6h')", "(p_event_time >= now() - INTERVAL '21600 seconds')"},
		{"since upper unit", "p_occurs_since('2 DAYS')", "(p_event_time >= now() - INTERVAL '172800 seconds')"},
		{"since alias", "p_occurs_since('1 day',ct2) AND p_occurs_since('24 hours', ct1)",
			"(ct2.p_event_time >= now() - INTERVAL '86400 seconds') AND (ct1.p_event_time >= now() - INTERVAL '86400 seconds')"},
		{"in string literal untouched", "SELECT 'p_occurs_since(1)', x", "SELECT 'p_occurs_since(1)', x"},
		{"in line comment untouched", "SELECT 1 -- p_occurs_since(1)\n", "SELECT 1 -- p_occurs_since(1)\n"},
		{"in block comment untouched", "SELECT /* p_occurs_since('x y') */ 1", "SELECT /* p_occurs_since('x y') */ 1"},
		{"in quoted identifier untouched", `SELECT "p_occurs_since(1)" FROM t`, `SELECT "p_occurs_since(1)" FROM t`},
		{"longer identifier untouched", "SELECT my_p_occurs_since(1), p_occurs_since_x(2)", "SELECT my_p_occurs_since(1), p_occurs_since_x(2)"},
		{"qualified name untouched", "SELECT s.p_occurs_since(1)", "SELECT s.p_occurs_since(1)"},
		// A byte >= 0x80 is part of a name in DuckDB: ép_occurs_since is another function.
		{"longer non-ASCII identifier untouched", "SELECT ép_occurs_since(1), p_occurs_since_é(2)", "SELECT ép_occurs_since(1), p_occurs_since_é(2)"},
		{"E after a non-ASCII letter is not an escape string", `SELECT éE'a\' WHERE p_occurs_since(60)`,
			`SELECT éE'a\' WHERE (p_event_time >= now() - INTERVAL '60 seconds')`},
		{"in non-ASCII dollar tag untouched", "SELECT $é$ p_occurs_since(1) $é$", "SELECT $é$ p_occurs_since(1) $é$"},
		{"without parens untouched", "SELECT p_occurs_since FROM t", "SELECT p_occurs_since FROM t"},
		{"nested macro in argument", "p_occurs_between(CASE WHEN p_occurs_since(60) THEN 'a' END, 'b')",
			"(p_event_time BETWEEN CAST(CASE WHEN (p_event_time >= now() - INTERVAL '60 seconds') THEN 'a' END AS TIMESTAMPTZ) AND CAST('b' AS TIMESTAMPTZ))"},
		{"parameters as arguments", "p_occurs_between($start, $end)",
			"(p_event_time BETWEEN CAST($start AS TIMESTAMPTZ) AND CAST($end AS TIMESTAMPTZ))"},
		{"in tagged dollar string untouched", "SELECT $t$ p_occurs_since(1) $t$", "SELECT $t$ p_occurs_since(1) $t$"},
		{"in nested block comment untouched", "SELECT /* /* */ p_occurs_since(1) */ 1", "SELECT /* /* */ p_occurs_since(1) */ 1"},
		{"after a tagged dollar string holding a quote", "SELECT $t$it's$t$ WHERE p_occurs_since(60)",
			"SELECT $t$it's$t$ WHERE (p_event_time >= now() - INTERVAL '60 seconds')"},
		{"after an escape string with a backslash quote", `SELECT E'it\'s' WHERE p_occurs_since(60)`,
			`SELECT E'it\'s' WHERE (p_event_time >= now() - INTERVAL '60 seconds')`},
		{"parameter next to a dollar string", "SELECT $$a$$ || $start, $1", "SELECT $$a$$ || $start, $1"},
		{"escaped quote in string", "p_occurs_between('it''s', 'b')",
			"(p_event_time BETWEEN CAST('it''s' AS TIMESTAMPTZ) AND CAST('b' AS TIMESTAMPTZ))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Expand(tt.in)
			if err != nil {
				t.Fatalf("Expand(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Expand(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExpandErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"unknown unit", "SELECT 1\nWHERE p_occurs_since('6 months')", `2:7: p_occurs_since: unknown time unit "months" in '6 months' (use s, m, h, d or w)`},
		{"negative", "p_occurs_since('-6 d')", `1:1: p_occurs_since: offset must be a number of seconds or a string such as '6 d', '2 weeks', '96 hrs', '30 min'; got '-6 d'`},
		{"zero", "p_occurs_since(0)", `1:1: p_occurs_since: offset 0 must be positive`},
		{"fraction", "p_occurs_since('1.5 h')", `1:1: p_occurs_since: offset must be a number of seconds or a string such as '6 d', '2 weeks', '96 hrs', '30 min'; got '1.5 h'`},
		{"expression", "p_occurs_since(x + 1)", `1:1: p_occurs_since: offset must be a number of seconds or a string such as '6 d', '2 weeks', '96 hrs', '30 min'; got x + 1`},
		{"bare unit", "p_occurs_since(6d)", `1:1: p_occurs_since: offset must be a number of seconds or a string such as '6 d', '2 weeks', '96 hrs', '30 min'; got 6d`},
		{"too large", "p_occurs_since('99999999999 w')", `1:1: p_occurs_since: offset '99999999999 w' is too large`},
		{"no args", "p_occurs_since()", `1:1: p_occurs_since: want (offset[, alias]), got 0 arguments`},
		{"between one arg", "x AND p_occurs_between('2021-01-01')", `1:7: p_occurs_between: want (start, end[, alias]), got 1 arguments`},
		{"between empty arg", "p_occurs_between(, 'b')", `1:1: p_occurs_between: argument 1 is empty`},
		{"bad alias", "p_occurs_between('a', 'b', 'x y')", `1:1: p_occurs_between: table alias must be an identifier, got "'x y'"`},
		{"unclosed", "p_occurs_between('a', 'b'", `1:1: p_occurs_between: missing closing parenthesis`},
		{"unclosed paren in string", "p_occurs_since(')'", `1:1: p_occurs_since: missing closing parenthesis`},
		{"nested error", "p_occurs_between(p_occurs_since('x'), 'b')", `1:1: p_occurs_between: argument 1: 1:1: p_occurs_since: offset must be a number of seconds or a string such as '6 d', '2 weeks', '96 hrs', '30 min'; got 'x'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Expand(tt.in)
			if err == nil {
				t.Fatalf("Expand(%q) = %q, want error", tt.in, got)
			}
			if !errors.Is(err, ErrMacro) {
				t.Errorf("error %v does not wrap ErrMacro", err)
			}
			if err.Error() != tt.want {
				t.Errorf("Expand(%q) error\n got %s\nwant %s", tt.in, err, tt.want)
			}
		})
	}
}

// TestExpandRuns checks that expansions are valid DuckDB and that
// p_occurs_between is inclusive at both ends, as in Panther.
func TestExpandRuns(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := time.Now().UTC()
	for _, ts := range []time.Time{
		time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2021, 1, 2, 0, 0, 0, 0, time.UTC),
		time.Date(2021, 1, 2, 0, 0, 1, 0, time.UTC),
		now.Add(-90 * time.Minute),
		now.Add(-10 * time.Minute),
	} {
		if _, err := d.ExecContext(ctx, "INSERT INTO aws_s3serveraccess (bucketowner, p_event_time) VALUES ('o', ?)", ts); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		where string
		want  int
	}{
		{"p_occurs_between('2021-01-01', '2021-01-02')", 2},
		{"p_occurs_between('2021-01-01T00:00:00Z', '2021-01-02 00:00:01')", 3},
		{"p_occurs_since('1 hour')", 1},
		{"p_occurs_since(7200)", 2},
		{"p_occurs_since('2 weeks', a)", 2},
	}
	for _, tt := range tests {
		q, err := Expand("SELECT count(*) FROM aws_s3serveraccess a WHERE " + tt.where)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n != tt.want {
			t.Errorf("%s: %d rows, want %d", tt.where, n, tt.want)
		}
	}
}

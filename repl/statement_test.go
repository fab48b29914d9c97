package repl

import (
	"reflect"
	"strings"
	"testing"
)

func TestBufferStatements(t *testing.T) {
	for _, tc := range []struct {
		name    string
		input   string
		want    []Statement
		pending string
	}{
		{"one", "SELECT 1;", []Statement{{Text: "SELECT 1;", Line: 1}}, ""},
		{"two on a line", "SELECT 1; SELECT 2;\n", []Statement{{Text: "SELECT 1;", Line: 1}, {Text: "SELECT 2;", Line: 1}}, ""},
		{"multi-line", "SELECT *\nFROM t\nWHERE a = 1;\nSELECT 2;", []Statement{{Text: "SELECT *\nFROM t\nWHERE a = 1;", Line: 1}, {Text: "SELECT 2;", Line: 4}}, ""},
		{"incomplete", "SELECT 1;\nSELECT *\nFROM t", []Statement{{Text: "SELECT 1;", Line: 1}}, "SELECT *\nFROM t"},
		{"semicolon in string", "SELECT 'a;b';", []Statement{{Text: "SELECT 'a;b';", Line: 1}}, ""},
		{"doubled quote", "SELECT 'it''s;';", []Statement{{Text: "SELECT 'it''s;';", Line: 1}}, ""},
		{"open string", "SELECT 'a;", nil, "SELECT 'a;"},
		{"E string backslash", `SELECT E'a\';b';`, []Statement{{Text: `SELECT E'a\';b';`, Line: 1}}, ""},
		{"plain string backslash", `SELECT 'a\'; SELECT 2;`, []Statement{{Text: `SELECT 'a\';`, Line: 1}, {Text: "SELECT 2;", Line: 1}}, ""},
		{"quoted identifier", `SELECT 1 AS "x;y";`, []Statement{{Text: `SELECT 1 AS "x;y";`, Line: 1}}, ""},
		{"line comment", "SELECT 1 -- not the end;\n;", []Statement{{Text: "SELECT 1 -- not the end;\n;", Line: 1}}, ""},
		{"block comment", "SELECT /* ; */ 1;", []Statement{{Text: "SELECT /* ; */ 1;", Line: 1}}, ""},
		{"nested block comment", "SELECT /* a /* ; */ ; */ 1;", []Statement{{Text: "SELECT /* a /* ; */ ; */ 1;", Line: 1}}, ""},
		{"open block comment", "SELECT /* ;", nil, "SELECT /* ;"},
		{"dollar quote", "SELECT $$a;b$$;", []Statement{{Text: "SELECT $$a;b$$;", Line: 1}}, ""},
		{"tagged dollar quote", "SELECT $fn$ $$ ; $fn$;", []Statement{{Text: "SELECT $fn$ $$ ; $fn$;", Line: 1}}, ""},
		{"open dollar quote", "SELECT $x$ ;", nil, "SELECT $x$ ;"},
		{"parameters", "SELECT $1, $bucket;", []Statement{{Text: "SELECT $1, $bucket;", Line: 1}}, ""},
		{"meta needs no semicolon", ".tables\n.mode csv\n", []Statement{{Text: ".tables", Meta: true, Line: 1}, {Text: ".mode csv", Meta: true, Line: 2}}, ""},
		{"meta without newline waits", ".tables", nil, ".tables"},
		{"meta after statement", "SELECT 1;\n.schema t \n", []Statement{{Text: "SELECT 1;", Line: 1}, {Text: ".schema t", Meta: true, Line: 2}}, ""},
		{"dot inside statement is SQL", "SELECT a\n.b FROM t;", []Statement{{Text: "SELECT a\n.b FROM t;", Line: 1}}, ""},
		{"comments and blanks between", "-- header\n\n/* c */ SELECT 1;\n\n;;", []Statement{{Text: "SELECT 1;", Line: 3}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b Buffer
			b.Write(tc.input)
			var got []Statement
			for {
				st, ok := b.Next()
				if !ok {
					break
				}
				got = append(got, st)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("statements = %#v\nwant %#v", got, tc.want)
			}
			if b.Pending() != tc.pending {
				t.Errorf("pending = %q, want %q", b.Pending(), tc.pending)
			}
		})
	}
}

// TestBufferLineByLine feeds input a line at a time, as the script reader
// does, and checks statements come out when their last line arrives.
func TestBufferLineByLine(t *testing.T) {
	lines := []string{"SELECT 'a\n", "b;' AS x,\n", "2;\n", ".timer on\n", "SELECT 3"}
	want := [][]Statement{
		nil,
		nil,
		{{Text: "SELECT 'a\nb;' AS x,\n2;", Line: 1}},
		{{Text: ".timer on", Meta: true, Line: 4}},
		nil,
	}
	var b Buffer
	for i, l := range lines {
		b.Write(l)
		var got []Statement
		for {
			st, ok := b.Next()
			if !ok {
				break
			}
			got = append(got, st)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("after line %d: %#v, want %#v", i+1, got, want[i])
		}
	}
	st, ok := b.Flush()
	if want := (Statement{Text: "SELECT 3", Line: 5}); !ok || st != want {
		t.Errorf("Flush = %#v, %v; want %#v", st, ok, want)
	}
	if _, ok := b.Flush(); ok {
		t.Error("second Flush returned a statement")
	}
}

func TestComplete(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"SELECT 1;", true},
		{"SELECT 1", false},
		{"SELECT 1;  -- done", true},
		{"SELECT 1; SELECT", false},
		{"SELECT ';'", false},
		{".tables", true},
		{".export out.parquet SELECT 1", true},
		{"SELECT 1;\n.tables", true},
		{"SELECT $$;", false},
		{"", false},
		{"/* ; */", false},
	} {
		if got := Complete(tc.text); got != tc.want {
			t.Errorf("Complete(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script string
		want   []Statement
	}{
		{"empty", " \n-- nothing\n", nil},
		{"one without semicolon", "SELECT 1", []Statement{{Text: "SELECT 1", Line: 1}}},
		{"two on a line", "SELECT 1; SELECT 2", []Statement{{Text: "SELECT 1;", Line: 1}, {Text: "SELECT 2", Line: 1}}},
		{"quotes, comments and dollar-quoting", "SELECT ';' AS a; -- x; y\nSELECT $t$;$t$ /* ; */;\nSELECT \"b;\";",
			[]Statement{{Text: "SELECT ';' AS a;", Line: 1}, {Text: "SELECT $t$;$t$ /* ; */;", Line: 2}, {Text: `SELECT "b;";`, Line: 3}}},
		{"meta-command at the end", "SELECT 1;\n.tables", []Statement{{Text: "SELECT 1;", Line: 1}, {Text: ".tables", Meta: true, Line: 2}}},
		{"unterminated string", "SELECT 1; SELECT 'a;", []Statement{{Text: "SELECT 1;", Line: 1}, {Text: "SELECT 'a;", Line: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Split(tc.script); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Split(%q) =\n%+v\nwant\n%+v", tc.script, got, tc.want)
			}
		})
	}
}

func TestNoResult(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want bool
	}{
		{"CREATE TABLE t (a INT)", true},
		{"  set threads = 1", true},
		{"-- comment\nBEGIN", true},
		{"SELECT 1", false},
		{"INSERT INTO t VALUES (1)", false},
		{"WITH x AS (SELECT 1) SELECT * FROM x", false},
	} {
		if got := NoResult(tc.sql); got != tc.want {
			t.Errorf("NoResult(%q) = %v, want %v", tc.sql, got, tc.want)
		}
	}
}

// FuzzBuffer checks, for any input, that cutting it into statements does
// not depend on how it arrives (whole, or line by line as a script is
// read), and that every statement is a piece of the input.
func FuzzBuffer(f *testing.F) {
	for _, s := range []string{
		"SELECT 1;", "SELECT 'a;b'; SELECT $$;$$;\n.tables\n", "/* /* */ ; */ SELECT E'\\';';",
		"SELECT $tag$ ; $tag$, \"x;\" -- ;\n;", ".mode csv\nSELECT 1", "'", "$", "$1;", "--", "/*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		all := drain(input, []string{input})
		var lines []string
		for rest := input; rest != ""; {
			i := strings.IndexByte(rest, '\n')
			if i < 0 {
				lines = append(lines, rest)
				break
			}
			lines = append(lines, rest[:i+1])
			rest = rest[i+1:]
		}
		if byLine := drain(input, lines); !reflect.DeepEqual(all, byLine) {
			t.Errorf("whole: %+v\nby line: %+v", all, byLine)
		}
		for _, st := range all {
			if !strings.Contains(input, st.Text) {
				t.Errorf("statement %q is not in the input", st.Text)
			}
		}
	})
}

// drain writes the chunks to a Buffer, taking statements after each, and
// flushes it at the end.
func drain(input string, chunks []string) []Statement {
	var b Buffer
	var out []Statement
	for _, c := range chunks {
		b.Write(c)
		for {
			st, ok := b.Next()
			if !ok {
				break
			}
			out = append(out, st)
		}
	}
	for {
		st, ok := b.Flush()
		if !ok {
			return out
		}
		out = append(out, st)
	}
}

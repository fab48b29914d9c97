package queries

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// st is a statement as the tables below write it.
func st(text string, line, offset int) Statement {
	return Statement{Text: text, Line: line, Offset: offset}
}

func meta(text string, line, offset int) Statement {
	return Statement{Text: text, Meta: true, Line: line, Offset: offset}
}

// sqlCases is the one table of SQL texts for the lexer and the statement
// splitter. For each input:
//   - toks: its tokens but blanks, as "kind text" ("open" when unterminated)
//   - next: the statements Buffer.Next returns when it is written at once,
//     and pending what is left in the Buffer after them
//   - split: Split's statements (Flush also returns an unterminated rest)
//   - complete: Complete, which decides whether Enter runs the input
//   - params: paramRefs
var sqlCases = []struct {
	name     string
	in       string
	toks     []string
	next     []Statement
	pending  string
	split    []Statement
	complete bool
	params   []string
}{
	{name: "one", in: "SELECT 1;",
		toks: []string{"word SELECT", "word 1", "punct ;"},
		next: []Statement{st("SELECT 1;", 1, 0)}, split: []Statement{st("SELECT 1;", 1, 0)}, complete: true},
	{name: "two on a line", in: "SELECT 1; SELECT 2;\n",
		next:  []Statement{st("SELECT 1;", 1, 0), st("SELECT 2;", 1, 10)},
		split: []Statement{st("SELECT 1;", 1, 0), st("SELECT 2;", 1, 10)}, complete: true},
	{name: "multi-line", in: "SELECT *\nFROM t\nWHERE a = 1;\nSELECT 2;",
		next:  []Statement{st("SELECT *\nFROM t\nWHERE a = 1;", 1, 0), st("SELECT 2;", 4, 29)},
		split: []Statement{st("SELECT *\nFROM t\nWHERE a = 1;", 1, 0), st("SELECT 2;", 4, 29)}, complete: true},
	{name: "incomplete", in: "SELECT 1;\nSELECT *\nFROM t",
		next: []Statement{st("SELECT 1;", 1, 0)}, pending: "SELECT *\nFROM t",
		split: []Statement{st("SELECT 1;", 1, 0), st("SELECT *\nFROM t", 2, 10)}},
	{name: "one without semicolon", in: "SELECT 1", pending: "SELECT 1", split: []Statement{st("SELECT 1", 1, 0)}},
	{name: "two, the last without semicolon", in: "SELECT 1; SELECT 2",
		next: []Statement{st("SELECT 1;", 1, 0)}, pending: "SELECT 2",
		split: []Statement{st("SELECT 1;", 1, 0), st("SELECT 2", 1, 10)}},
	{name: "semicolon in string", in: "SELECT 'a;b';",
		toks: []string{"word SELECT", "string 'a;b'", "punct ;"},
		next: []Statement{st("SELECT 'a;b';", 1, 0)}, split: []Statement{st("SELECT 'a;b';", 1, 0)}, complete: true},
	{name: "semicolon only in a string", in: "SELECT ';'",
		toks: []string{"word SELECT", "string ';'"}, pending: "SELECT ';'", split: []Statement{st("SELECT ';'", 1, 0)}},
	{name: "meta-command holding SQL", in: ".export out.parquet SELECT 1; SELECT 2",
		pending: ".export out.parquet SELECT 1; SELECT 2", split: []Statement{meta(".export out.parquet SELECT 1; SELECT 2", 1, 0)}, complete: true},
	{name: "doubled quote", in: "SELECT 'it''s;';",
		toks: []string{"word SELECT", "string 'it''s;'", "punct ;"},
		next: []Statement{st("SELECT 'it''s;';", 1, 0)}, split: []Statement{st("SELECT 'it''s;';", 1, 0)}, complete: true},
	{name: "open string", in: "SELECT 1; SELECT 'a;",
		toks: []string{"word SELECT", "word 1", "punct ;", "word SELECT", "string 'a; open"},
		next: []Statement{st("SELECT 1;", 1, 0)}, pending: "SELECT 'a;",
		split: []Statement{st("SELECT 1;", 1, 0), st("SELECT 'a;", 1, 10)}},
	{name: "E string backslash", in: `SELECT E'a\';b', $x;`,
		toks: []string{"word SELECT", `string E'a\';b'`, "punct ,", "param $x", "punct ;"},
		next: []Statement{st(`SELECT E'a\';b', $x;`, 1, 0)}, split: []Statement{st(`SELECT E'a\';b', $x;`, 1, 0)},
		complete: true, params: []string{"x"}},
	{name: "lower-case e string", in: `SELECT e'\'';`,
		toks: []string{"word SELECT", `string e'\''`, "punct ;"},
		next: []Statement{st(`SELECT e'\'';`, 1, 0)}, split: []Statement{st(`SELECT e'\'';`, 1, 0)}, complete: true},
	{name: "plain string backslash", in: `SELECT 'a\'; SELECT 2;`,
		toks:  []string{"word SELECT", `string 'a\'`, "punct ;", "word SELECT", "word 2", "punct ;"},
		next:  []Statement{st(`SELECT 'a\';`, 1, 0), st("SELECT 2;", 1, 13)},
		split: []Statement{st(`SELECT 'a\';`, 1, 0), st("SELECT 2;", 1, 13)}, complete: true},
	{name: "E ending a word is not an escape string", in: `SELECT typE'a\'; SELECT $y;`,
		toks:  []string{"word SELECT", "word typE", `string 'a\'`, "punct ;", "word SELECT", "param $y", "punct ;"},
		next:  []Statement{st(`SELECT typE'a\';`, 1, 0), st("SELECT $y;", 1, 17)},
		split: []Statement{st(`SELECT typE'a\';`, 1, 0), st("SELECT $y;", 1, 17)}, complete: true, params: []string{"y"}},
	{name: "quoted identifier", in: `SELECT 1 AS "x;""y";`,
		toks: []string{"word SELECT", "word 1", "word AS", `quoted "x;""y"`, "punct ;"},
		next: []Statement{st(`SELECT 1 AS "x;""y";`, 1, 0)}, split: []Statement{st(`SELECT 1 AS "x;""y";`, 1, 0)}, complete: true},
	{name: "line comment", in: "SELECT 1 -- not the end; $z\n;",
		toks: []string{"word SELECT", "word 1", "comment -- not the end; $z", "punct ;"},
		next: []Statement{st("SELECT 1 -- not the end; $z\n;", 1, 0)}, split: []Statement{st("SELECT 1 -- not the end; $z\n;", 1, 0)}, complete: true},
	{name: "block comment", in: "SELECT /* ; $z */ 1;",
		toks: []string{"word SELECT", "comment /* ; $z */", "word 1", "punct ;"},
		next: []Statement{st("SELECT /* ; $z */ 1;", 1, 0)}, split: []Statement{st("SELECT /* ; $z */ 1;", 1, 0)}, complete: true},
	{name: "nested block comment", in: "SELECT /* a /* ; */ ; */ 1;",
		toks: []string{"word SELECT", "comment /* a /* ; */ ; */", "word 1", "punct ;"},
		next: []Statement{st("SELECT /* a /* ; */ ; */ 1;", 1, 0)}, split: []Statement{st("SELECT /* a /* ; */ ; */ 1;", 1, 0)}, complete: true},
	{name: "open block comment", in: "SELECT /* ;",
		toks: []string{"word SELECT", "comment /* ; open"}, pending: "SELECT /* ;", split: []Statement{st("SELECT /* ;", 1, 0)}},
	{name: "dollar quote", in: "SELECT $$a;b$$;",
		toks: []string{"word SELECT", "string $$a;b$$", "punct ;"},
		next: []Statement{st("SELECT $$a;b$$;", 1, 0)}, split: []Statement{st("SELECT $$a;b$$;", 1, 0)}, complete: true},
	{name: "tagged dollar quote", in: "SELECT $fn$ $$ ; $x $fn$;",
		toks: []string{"word SELECT", "string $fn$ $$ ; $x $fn$", "punct ;"},
		next: []Statement{st("SELECT $fn$ $$ ; $x $fn$;", 1, 0)}, split: []Statement{st("SELECT $fn$ $$ ; $x $fn$;", 1, 0)}, complete: true},
	{name: "open dollar quote", in: "SELECT $x$ ;",
		toks: []string{"word SELECT", "string $x$ ; open"}, pending: "SELECT $x$ ;", split: []Statement{st("SELECT $x$ ;", 1, 0)}},
	{name: "open double dollar", in: "SELECT $$;",
		toks: []string{"word SELECT", "string $$; open"}, pending: "SELECT $$;", split: []Statement{st("SELECT $$;", 1, 0)}},
	{name: "lone dollar at the end", in: "SELECT 1, $",
		toks: []string{"word SELECT", "word 1", "punct ,", "param $ open"}, pending: "SELECT 1, $", split: []Statement{st("SELECT 1, $", 1, 0)}},
	{name: "parameters", in: "SELECT $1, $bucket, $b2, $bucket;",
		toks:  []string{"word SELECT", "param $1", "punct ,", "param $bucket", "punct ,", "param $b2", "punct ,", "param $bucket", "punct ;"},
		next:  []Statement{st("SELECT $1, $bucket, $b2, $bucket;", 1, 0)},
		split: []Statement{st("SELECT $1, $bucket, $b2, $bucket;", 1, 0)}, complete: true, params: []string{"1", "bucket", "b2"}},
	{name: "dollar inside a word", in: "SELECT a$b;",
		toks: []string{"word SELECT", "word a$b", "punct ;"},
		next: []Statement{st("SELECT a$b;", 1, 0)}, split: []Statement{st("SELECT a$b;", 1, 0)}, complete: true},
	{name: "a digit tag is a parameter", in: "SELECT $1$;",
		toks: []string{"word SELECT", "param $1", "param $", "punct ;"},
		next: []Statement{st("SELECT $1$;", 1, 0)}, split: []Statement{st("SELECT $1$;", 1, 0)}, complete: true, params: []string{"1"}},
	// DuckDB takes every byte >= 0x80 as part of a name.
	{name: "non-ASCII identifier", in: "SELECT café, 名前 FROM t;",
		toks: []string{"word SELECT", "word café", "punct ,", "word 名前", "word FROM", "word t", "punct ;"},
		next: []Statement{st("SELECT café, 名前 FROM t;", 1, 0)}, split: []Statement{st("SELECT café, 名前 FROM t;", 1, 0)}, complete: true},
	{name: "non-ASCII parameter", in: "SELECT $café, $1é;",
		toks:  []string{"word SELECT", "param $café", "punct ,", "param $1é", "punct ;"},
		next:  []Statement{st("SELECT $café, $1é;", 1, 0)},
		split: []Statement{st("SELECT $café, $1é;", 1, 0)}, complete: true, params: []string{"café", "1é"}},
	{name: "E after a non-ASCII letter is not an escape string", in: `SELECT éE'a\'; SELECT $y;`,
		toks:  []string{"word SELECT", "word éE", `string 'a\'`, "punct ;", "word SELECT", "param $y", "punct ;"},
		next:  []Statement{st(`SELECT éE'a\';`, 1, 0), st("SELECT $y;", 1, 16)},
		split: []Statement{st(`SELECT éE'a\';`, 1, 0), st("SELECT $y;", 1, 16)}, complete: true, params: []string{"y"}},
	{name: "non-ASCII dollar tag", in: "SELECT $é$ ; $x $é$, $y;",
		toks:  []string{"word SELECT", "string $é$ ; $x $é$", "punct ,", "param $y", "punct ;"},
		next:  []Statement{st("SELECT $é$ ; $x $é$, $y;", 1, 0)},
		split: []Statement{st("SELECT $é$ ; $x $é$, $y;", 1, 0)}, complete: true, params: []string{"y"}},
	{name: "meta-commands need no semicolon", in: ".tables\n.mode csv\n",
		next:  []Statement{meta(".tables", 1, 0), meta(".mode csv", 2, 8)},
		split: []Statement{meta(".tables", 1, 0), meta(".mode csv", 2, 8)}, complete: true},
	{name: "meta-command without its line end waits", in: ".tables", pending: ".tables",
		split: []Statement{meta(".tables", 1, 0)}, complete: true},
	{name: "meta-command after a statement", in: "SELECT 1;\n.schema t \n",
		next:  []Statement{st("SELECT 1;", 1, 0), meta(".schema t", 2, 10)},
		split: []Statement{st("SELECT 1;", 1, 0), meta(".schema t", 2, 10)}, complete: true},
	{name: "meta-command ends a script", in: "SELECT 1;\n.tables",
		next: []Statement{st("SELECT 1;", 1, 0)}, pending: ".tables",
		split: []Statement{st("SELECT 1;", 1, 0), meta(".tables", 2, 10)}, complete: true},
	{name: "dot inside a statement is SQL", in: "SELECT a\n.b FROM t;",
		toks: []string{"word SELECT", "word a", "punct .", "word b", "word FROM", "word t", "punct ;"},
		next: []Statement{st("SELECT a\n.b FROM t;", 1, 0)}, split: []Statement{st("SELECT a\n.b FROM t;", 1, 0)}, complete: true},
	{name: "comments and blanks between", in: "-- header\n\n/* c */ SELECT 1;\n\n;;",
		next: []Statement{st("SELECT 1;", 3, 19)}, split: []Statement{st("SELECT 1;", 3, 19)}, complete: true},
	{name: "comment after the last statement", in: "SELECT 1;  -- done",
		next: []Statement{st("SELECT 1;", 1, 0)}, pending: "-- done", split: []Statement{st("SELECT 1;", 1, 0)}, complete: true},
	{name: "statement after a complete one", in: "SELECT 1; SELECT",
		next: []Statement{st("SELECT 1;", 1, 0)}, pending: "SELECT", split: []Statement{st("SELECT 1;", 1, 0), st("SELECT", 1, 10)}},
	{name: "only a comment", in: "/* ; */", split: nil},
	{name: "only blanks and a line comment", in: " \n-- nothing\n", split: nil},
	{name: "empty", in: ""},
	{name: "form feed and vertical tab are blanks", in: "\fSELECT\v1;",
		toks: []string{"word SELECT", "word 1", "punct ;"},
		next: []Statement{st("SELECT\v1;", 1, 1)}, split: []Statement{st("SELECT\v1;", 1, 1)}, complete: true},
	{name: "quotes, comments and dollar-quoting", in: "SELECT ';' AS a; -- x; y\nSELECT $t$;$t$ /* ; */;\nSELECT \"b;\";",
		next:  []Statement{st("SELECT ';' AS a;", 1, 0), st("SELECT $t$;$t$ /* ; */;", 2, 25), st(`SELECT "b;";`, 3, 49)},
		split: []Statement{st("SELECT ';' AS a;", 1, 0), st("SELECT $t$;$t$ /* ; */;", 2, 25), st(`SELECT "b;";`, 3, 49)}, complete: true},
}

var kindNames = map[TokenKind]string{TokSpace: "space", TokComment: "comment", TokString: "string",
	TokQuoted: "quoted", TokWord: "word", TokParam: "param", TokPunct: "punct"}

// lexAll returns the tokens of s but blanks as the table writes them.
func lexAll(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		t := Lex(s, i)
		if t.Kind != TokSpace {
			e := kindNames[t.Kind] + " " + s[t.Start:t.End]
			if !t.Closed {
				e += " open"
			}
			out = append(out, e)
		}
		i = t.End
	}
	return out
}

func TestSQLText(t *testing.T) {
	for _, tc := range sqlCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.toks != nil {
				if got := lexAll(tc.in); !reflect.DeepEqual(got, tc.toks) {
					t.Errorf("tokens = %q\nwant     %q", got, tc.toks)
				}
			}
			var b Buffer
			b.Write(tc.in)
			var got []Statement
			for {
				s, ok := b.Next()
				if !ok {
					break
				}
				got = append(got, s)
			}
			if !reflect.DeepEqual(got, tc.next) {
				t.Errorf("Next: %+v\nwant  %+v", got, tc.next)
			}
			if b.Pending() != tc.pending {
				t.Errorf("Pending = %q, want %q", b.Pending(), tc.pending)
			}
			if got := Split(tc.in); !reflect.DeepEqual(got, tc.split) {
				t.Errorf("Split: %+v\nwant   %+v", got, tc.split)
			}
			if got := Complete(tc.in); got != tc.complete {
				t.Errorf("Complete = %v, want %v", got, tc.complete)
			}
			if got := paramRefs(tc.in); !reflect.DeepEqual(got, tc.params) {
				t.Errorf("paramRefs = %q, want %q", got, tc.params)
			}
		})
	}
}

// TestBufferLineByLine feeds input a line at a time, as the shell's script
// reader does, and checks statements come out when their last line arrives.
func TestBufferLineByLine(t *testing.T) {
	lines := []string{"SELECT 'a\n", "b;' AS x,\n", "2;\n", ".timer on\n", "-- note\n", "SELECT 3"}
	want := [][]Statement{
		nil,
		nil,
		{st("SELECT 'a\nb;' AS x,\n2;", 1, 0)},
		{meta(".timer on", 4, 23)},
		nil,
		nil,
	}
	var b Buffer
	for i, l := range lines {
		b.Write(l)
		var got []Statement
		for {
			s, ok := b.Next()
			if !ok {
				break
			}
			got = append(got, s)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("after line %d: %+v, want %+v", i+1, got, want[i])
		}
	}
	s, ok := b.Flush()
	if want := st("SELECT 3", 6, 41); !ok || s != want {
		t.Errorf("Flush = %+v, %v; want %+v", s, ok, want)
	}
	if _, ok := b.Flush(); ok {
		t.Error("second Flush returned a statement")
	}
}

// TestBufferLineCommentAcrossWrites checks a line comment that a Write
// leaves open goes on in the next Write: the ";" in it ends nothing.
func TestBufferLineCommentAcrossWrites(t *testing.T) {
	var b Buffer
	b.Write("SELECT 1; -- a")
	b.Write("nd; SELECT 2\nSELECT 3;")
	var got []Statement
	for s, ok := b.Next(); ok; s, ok = b.Next() {
		got = append(got, s)
	}
	if want := []Statement{st("SELECT 1;", 1, 0), st("SELECT 3;", 2, 27)}; !reflect.DeepEqual(got, want) {
		t.Errorf("statements %+v, want %+v", got, want)
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
		{"/* a /* nested */ comment */ DROP TABLE t", true},
		{"SELECT 1", false},
		{"INSERT INTO t VALUES (1)", false},
		{"WITH x AS (SELECT 1) SELECT * FROM x", false},
		{"CREATEé", false},
		{"", false},
	} {
		if got := NoResult(tc.sql); got != tc.want {
			t.Errorf("NoResult(%q) = %v, want %v", tc.sql, got, tc.want)
		}
	}
}

func TestPrepare(t *testing.T) {
	for _, tc := range []struct {
		text, sql string
		noResult  bool
		err       string
	}{
		{text: " SELECT 1;\n", sql: "SELECT 1"},
		{text: "SET threads = 1;", sql: "SET threads = 1", noResult: true},
		{text: "SELECT p_occurs_since(60);", sql: "SELECT (p_event_time >= now() - INTERVAL '60 seconds')"},
		{text: "SELECT p_occurs_since('soon')", err: "1:8: p_occurs_since: offset must be"},
	} {
		sql, noResult, err := Prepare(tc.text)
		if tc.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
				t.Errorf("Prepare(%q): error %v, want %q...", tc.text, err, tc.err)
			}
			continue
		}
		if err != nil || sql != tc.sql || noResult != tc.noResult {
			t.Errorf("Prepare(%q) = %q, %v, %v; want %q, %v", tc.text, sql, noResult, err, tc.sql, tc.noResult)
		}
	}
}

// FuzzSplit checks, for any input, that the splitter does not panic, that
// every statement is the input at its Offset and Line, that what lies
// between statements is only blanks, comments and ";" (so re-joining the
// statements and the gaps gives back the input), and that the statements
// do not depend on how the input arrives (whole, or line by line as a
// script is read).
func FuzzSplit(f *testing.F) {
	for _, c := range sqlCases {
		f.Add(c.in)
	}
	for _, s := range []string{"'", "$", "$1;", "--", "/*", "é$é$;$é$", "E'\\", ".x\r\n;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		all := drain([]string{input})
		var joined strings.Builder
		at := 0
		for _, s := range all {
			if s.Offset < at || s.Offset+len(s.Text) > len(input) || input[s.Offset:s.Offset+len(s.Text)] != s.Text {
				t.Fatalf("statement %+v is not the input at its offset (after %d)", s, at)
			}
			if line := strings.Count(input[:s.Offset], "\n") + 1; line != s.Line {
				t.Errorf("statement %+v: at line %d", s, line)
			}
			checkGap(t, input[at:s.Offset])
			joined.WriteString(input[at:s.Offset])
			joined.WriteString(s.Text)
			at = s.Offset + len(s.Text)
		}
		checkGap(t, input[at:])
		if joined.WriteString(input[at:]); joined.String() != input {
			t.Errorf("re-joined %q, want %q", joined.String(), input)
		}
		if byLine := drain(strings.SplitAfter(input, "\n")); !reflect.DeepEqual(all, byLine) {
			t.Errorf("whole: %+v\nby line: %+v", all, byLine)
		}
	})
}

// checkGap fails unless gap, text between statements, is only blanks,
// comments, ";" and the line end of a meta-command.
func checkGap(t *testing.T, gap string) {
	t.Helper()
	for i := 0; i < len(gap); {
		tok := Lex(gap, i)
		if tok.Kind != TokSpace && tok.Kind != TokComment && !(tok.Kind == TokPunct && gap[i] == ';') {
			t.Fatalf("%s between statements: %q", kindNames[tok.Kind], gap)
		}
		i = tok.End
	}
}

// drain writes the chunks to a Buffer, taking statements after each, and
// flushes it at the end.
func drain(chunks []string) []Statement {
	var b Buffer
	var out []Statement
	for _, c := range chunks {
		b.Write(c)
		for s, ok := b.Next(); ok; s, ok = b.Next() {
			out = append(out, s)
		}
	}
	for s, ok := b.Flush(); ok; s, ok = b.Flush() {
		out = append(out, s)
	}
	return out
}

func ExampleSplit() {
	for _, s := range Split("SELECT ';' AS semi; -- one\n.mode csv\nSELECT $tag$ ; $tag$") {
		fmt.Printf("line %d, meta %v: %s\n", s.Line, s.Meta, s.Text)
	}
	// Output:
	// line 1, meta false: SELECT ';' AS semi;
	// line 2, meta true: .mode csv
	// line 3, meta false: SELECT $tag$ ; $tag$
}

// TestShellWordsAreMeta: exit, quit, help and psql's backslash commands,
// typed first by psql and duckdb users, are meta-command lines when they
// start a statement, so the shell runs them on Enter instead of opening a
// continuation line that swallows the next .quit. Inside or after SQL they
// are SQL.
func TestShellWordsAreMeta(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Statement
	}{
		{"exit\n", []Statement{{Text: "exit", Meta: true, Line: 1}}},
		{"  QUIT;\n", []Statement{{Text: "QUIT;", Meta: true, Line: 1, Offset: 2}}},
		{"\\q\nhelp\n\\dt\n\\d aws_s3serveraccess\n\\?\n", []Statement{{Text: "\\q", Meta: true, Line: 1}, {Text: "help", Meta: true, Line: 2, Offset: 3},
			{Text: "\\dt", Meta: true, Line: 3, Offset: 8}, {Text: "\\d aws_s3serveraccess", Meta: true, Line: 4, Offset: 12}, {Text: "\\?", Meta: true, Line: 5, Offset: 34}}},
		{"SELECT 1 AS\nexit;\n", []Statement{{Text: "SELECT 1 AS\nexit;", Line: 1}}},
		{"exit_code;\n", []Statement{{Text: "exit_code;", Line: 1}}},
	} {
		if got := Split(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Split(%q) = %+v\nwant %+v", tc.in, got, tc.want)
		}
		if !Complete(strings.TrimSuffix(tc.in, "\n")) {
			t.Errorf("Complete(%q) = false: Enter would open a continuation line", tc.in)
		}
	}
}

package repl

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	prompt "github.com/elk-language/go-prompt"

	"github.com/s3logs/s3logs/queries"
)

// testShell returns a shell on the fixture database, connected as Run
// would, for calling the completer directly.
func testShell(t testing.TB) *Shell {
	t.Helper()
	d := testDB(t)
	if _, err := d.Exec(`CREATE TABLE users (user_id BIGINT, user_name VARCHAR); COMMENT ON COLUMN users.user_name IS 'Login name'`); err != nil {
		t.Fatal(err)
	}
	s := New(d, Options{Catalog: testCatalog(t), Load: func(context.Context, []string) (string, error) { return "", nil }})
	conn, err := d.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s.conn = conn
	s.comp = newCompleter(s)
	return s
}

func texts(sugs []suggestion) []string {
	out := []string{}
	for _, s := range sugs {
		out = append(out, s.Text)
	}
	return out
}

func TestCompleteSQL(t *testing.T) {
	s := testShell(t)
	for _, tc := range []struct {
		name, before, after string
		want                []string // the first len(want) suggestions
		exact               bool     // and no others
		word                string
	}{
		{name: "column of the FROM table", before: "SELECT * FROM aws_s3serveraccess WHERE httpst", want: []string{"httpstatus"}, exact: true, word: "httpst"},
		{name: "column before FROM", before: "SELECT user_", after: " FROM users;", want: []string{"user_id", "user_name"}, exact: true, word: "user_"},
		{name: "only the statement's tables", before: "SELECT user_", after: " FROM users", want: []string{"user_id", "user_name"}, exact: true, word: "user_"},
		{name: "case-insensitive", before: "select * from users where USER_N", want: []string{"user_name"}, exact: true, word: "USER_N"},
		{name: "alias", before: "SELECT a.buc", after: " FROM aws_s3serveraccess AS a JOIN users u ON true", want: []string{"bucketowner", "bucket"}, exact: true, word: "buc"},
		{name: "alias without AS", before: "SELECT u.", after: " FROM aws_s3serveraccess a, users u", want: []string{"user_id", "user_name"}, exact: true, word: ""},
		{name: "table name qualifier", before: "SELECT users.user_i", after: " FROM users", want: []string{"user_id"}, exact: true, word: "user_i"},
		{name: "join", before: "SELECT * FROM users JOIN aws_s3serveraccess_rejects r ON r.rea", want: []string{"reason"}, exact: true, word: "rea"},
		{name: "tables after FROM", before: "SELECT * FROM aws_s3", want: []string{"aws_s3serveraccess", "aws_s3serveraccess_enriched", "aws_s3serveraccess_rejects"}, word: "aws_s3"},
		{name: "panther catalog", before: "SELECT * FROM panther_logs.aws_s3", want: []string{"aws_s3serveraccess", "aws_s3serveraccess_enriched", "aws_s3serveraccess_rejects"}, word: "aws_s3"},
		{name: "panther table columns", before: "SELECT * FROM panther_logs.public.aws_s3serveraccess WHERE remote", want: []string{"remoteip"}, word: "remote"},
		{name: "no FROM: the log table's columns", before: "SELECT remot", want: []string{"remoteip"}, word: "remot"},
		// As a new user types, before any table is named: the log table's
		// columns, and the common aggregates ahead of cos and cot.
		{name: "no FROM: the whole column name typed but one letter", before: "SELECT remote", want: []string{"remoteip"}, exact: true, word: "remote"},
		{name: "no FROM, lower case", before: "select http", want: []string{"httpstatus"}, word: "http"},
		{name: "common aggregate first", before: "SELECT co", want: []string{"count", "count_if", "coalesce", "contains", "cos", "cot"}, word: "co"},
		{name: "exact prefix of a common aggregate", before: "SELECT cou", want: []string{"count", "count_if", "countif", "count_star"}, exact: true, word: "cou"},
		{name: "common aggregates in a statement with a table", before: "SELECT m", after: " FROM aws_s3serveraccess", want: []string{"min", "max", "median"}, word: "m"},
		{name: "functions from DuckDB", before: "SELECT regexp_extract_a", want: []string{"regexp_extract_all"}, exact: true, word: "regexp_extract_a"},
		{name: "keywords from DuckDB", before: "SELECT * FROM users ORD", want: []string{"ORDER"}, word: "ORD"},
		{name: "previous statement ignored", before: "SELECT * FROM users; SELECT * FROM aws_s3serveraccess WHERE user_", want: nil, exact: true, word: "user_"},
		{name: "inside a string", before: "SELECT * FROM users WHERE user_name = 'user_", want: nil, exact: true},
		{name: "inside a comment", before: "SELECT 1 -- user_", want: nil, exact: true},
		{name: "empty word", before: "SELECT ", want: nil, exact: true},
		{name: "tables after FROM and a blank", before: "SELECT * FROM ", want: []string{"aws_s3serveraccess", "aws_s3serveraccess_enriched", "aws_s3serveraccess_rejects", "s3_access_logs", "s3logs_ipinfo", "s3logs_iplist", "s3logs_replaced", "users"}, exact: true},
		{name: "tables after JOIN", before: "SELECT * FROM users u JOIN ", want: []string{"aws_s3serveraccess", "aws_s3serveraccess_enriched", "aws_s3serveraccess_rejects", "s3_access_logs", "s3logs_ipinfo", "s3logs_iplist", "s3logs_replaced", "users"}, exact: true},
		{name: "nothing right after FROM(", before: "SELECT * FROM(", want: nil, exact: true},
		{name: "parameter", before: "SELECT $user_", want: nil, exact: true, word: "user_"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sugs, word, sep := s.comp.suggest(tc.before, tc.after)
			got := texts(sugs)
			if tc.want == nil {
				tc.want = []string{}
			}
			if len(got) < len(tc.want) || !reflect.DeepEqual(got[:len(tc.want)], tc.want) || (tc.exact && len(got) != len(tc.want)) {
				t.Errorf("suggestions = %q, want %q (exact %v)", got, tc.want, tc.exact)
			}
			if word != tc.word {
				t.Errorf("word = %q, want %q", word, tc.word)
			}
			if sep != sqlSeparators {
				t.Errorf("separators = %q, want the SQL ones", sep)
			}
		})
	}
}

// TestCompleteDescriptions checks columns carry their type and the
// schema's description, as the completion menu shows them.
func TestCompleteDescriptions(t *testing.T) {
	s := testShell(t)
	for _, tc := range []struct{ before, text, desc string }{
		{"SELECT * FROM aws_s3serveraccess WHERE httpst", "httpstatus", "BIGINT: The numeric HTTP status code of the response."},
		{"SELECT * FROM users WHERE user_n", "user_name", "VARCHAR: Login name"},
		{"SELECT * FROM users WHERE user_i", "user_id", "BIGINT"},
		{"SELECT regexp_extract_a", "regexp_extract_all", "function"},
		{"SELECT remote", "remoteip", "VARCHAR: The apparent internet address of the requester. Intermediate proxies and firewalls might obscure the actual address of the machine making the request."},
		{"SELECT co", "count", "function"},
		{".sch", ".schema", "Show the columns of a table (or all), with their descriptions."},
		{".run zz_s", "zz_status", "Requests with one status"},
		{".run zz_status st", "status=", "int, required: HTTP status"},
		{".run zz_status status=1 b", "bucket=", "string, default logs: Bucket"},
	} {
		sugs, _, _ := s.comp.suggest(tc.before, "")
		if len(sugs) == 0 || sugs[0].Text != tc.text || sugs[0].Description != tc.desc {
			t.Errorf("suggest(%q) = %+v, want first {%s %s}", tc.before, sugs, tc.text, tc.desc)
		}
	}
}

func TestCompleteMeta(t *testing.T) {
	s := testShell(t)
	dir := t.TempDir()
	for _, p := range []string{"logs/a.log", "logs/b.log.gz", "logs/.hidden", "notes.txt"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		before string
		want   []string
		word   string
	}{
		{".", []string{".help", ".tables", ".schema", ".load", ".queries", ".run", ".overview", ".mode", ".timer", ".rejects", ".output", ".once", ".read", ".maxrows", ".quit", ".exit"}, "."},
		{".t", []string{".tables", ".timer"}, ".t"},
		{".mode c", []string{"csv"}, "c"},
		{".mode ", []string{"table", "csv", "json", "ndjson", "markdown", "line"}, ""},
		{".timer o", []string{"on", "off"}, "o"},
		{".schema aws", []string{"aws_s3serveraccess", "aws_s3serveraccess_enriched", "aws_s3serveraccess_rejects"}, "aws"},
		{".run zz_", []string{"zz_one", "zz_recent", "zz_status"}, "zz_"},
		{".run zz_status ", []string{"status=", "bucket="}, ""},
		{".run zz_status bucket=x ", []string{"status="}, ""},
		{".run zz_one ", []string{}, ""},
		{".load " + dir + "/", []string{dir + "/logs/", dir + "/notes.txt"}, dir + "/"},
		{".load " + dir + "/logs/", []string{dir + "/logs/a.log", dir + "/logs/b.log.gz"}, dir + "/logs/"},
		{".load " + dir + "/logs/b", []string{dir + "/logs/b.log.gz"}, dir + "/logs/b"},
		{".load x.log " + dir + "/n", []string{dir + "/notes.txt"}, dir + "/n"},
		{".load " + dir + "/logs/.h", []string{dir + "/logs/.hidden"}, dir + "/logs/.h"},
		{"SELECT 1;\n.ti", []string{".timer"}, ".ti"},
		{".export", []string{}, ".export"}, // Export is not set in this shell
	} {
		sugs, word, sep := s.comp.suggest(tc.before, "")
		if got := texts(sugs); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("suggest(%q) = %q, want %q", tc.before, got, tc.want)
		}
		if word != tc.word || sep != metaSeparators {
			t.Errorf("suggest(%q): word %q sep %q, want %q and the meta separators", tc.before, word, sep, tc.word)
		}
	}
}

func TestTableRefs(t *testing.T) {
	for _, tc := range []struct {
		stmt string
		want []tableRef
	}{
		{"SELECT * FROM t", []tableRef{{"t", ""}}},
		{"SELECT * FROM t AS a WHERE x", []tableRef{{"t", "a"}}},
		{"SELECT * FROM db.s.t a, u b JOIN v ON true LEFT JOIN w c USING (x)", []tableRef{{"t", "a"}, {"u", "b"}, {"v", ""}, {"w", "c"}}},
		{`SELECT * FROM "My Table" "m"`, []tableRef{{"My Table", "m"}}},
		{"SELECT * FROM read_csv('x') r JOIN t ON true", []tableRef{{"t", ""}}},
		{"SELECT * FROM (SELECT 1 FROM inner_t) s", []tableRef{{"inner_t", ""}}},
		{"SELECT * FROM t GROUP BY a, b", []tableRef{{"t", ""}}},
		{"UPDATE t SET a = 1", []tableRef{{"t", ""}}},
		{"INSERT INTO t SELECT * FROM u", []tableRef{{"t", ""}, {"u", ""}}},
		{"SELECT 'FROM x'", nil},
		{"SELECT * FROM", nil},
		// A quoted name still being typed (the completer passes the text after
		// the cursor too): the name so far, and no slice out of range.
		{`SELECT * FROM "my t`, []tableRef{{"my t", ""}}},
		{`SELECT * FROM "`, nil},
		{`SELECT * FROM t "`, []tableRef{{"t", ""}}},
	} {
		if got := tableRefs(tc.stmt); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("tableRefs(%q) = %+v, want %+v", tc.stmt, got, tc.want)
		}
	}
}

// TestCompleteRefreshes checks a table created in the session is offered
// after the statement that created it.
func TestCompleteRefreshes(t *testing.T) {
	s := testShell(t)
	if sugs, _, _ := s.comp.suggest("SELECT * FROM fres", ""); len(sugs) != 0 {
		t.Fatalf("before: %q", texts(sugs))
	}
	if _, err := s.execute(context.Background(), queries.Statement{Text: "CREATE TABLE fresh (fresh_col INT);"}); err != nil {
		t.Fatal(err)
	}
	sugs, _, _ := s.comp.suggest("SELECT * FROM fres", "")
	if got := strings.Join(texts(sugs), ","); got != "fresh" {
		t.Errorf("after CREATE TABLE: %q, want fresh", got)
	}
}

// doc returns a go-prompt document holding text with the cursor at its end.
func doc(text string) prompt.Document {
	b := prompt.NewBuffer()
	b.InsertTextMoveCursor(text, 200, 40, false)
	return *b.Document()
}

// TestCompleteAfterSelection checks that once Tab put a suggestion in
// place of the word, the completer answers with the same list and range, so
// that Tab cycles through it and the next key keeps the selection.
func TestCompleteAfterSelection(t *testing.T) {
	s := testShell(t)
	c := s.comp
	first, start, end := c.complete(doc("SELECT * FROM aws_s3serveraccess WHERE buck"))
	if got := texts(first); !reflect.DeepEqual(got, []string{"bucketowner", "bucket"}) || start != 39 || end != 43 {
		t.Fatalf("first answer %q [%d,%d)", got, start, end)
	}
	for _, selected := range []string{"bucketowner", "bucket"} {
		again, s2, e2 := c.complete(doc("SELECT * FROM aws_s3serveraccess WHERE " + selected))
		if !reflect.DeepEqual(again, first) || s2 != start || e2 != end {
			t.Errorf("after selecting %s: %q [%d,%d), want the first answer", selected, texts(again), s2, e2)
		}
	}
	// Typing on makes a new answer.
	next, _, _ := c.complete(doc("SELECT * FROM aws_s3serveraccess WHERE bucketo"))
	if got := texts(next); !reflect.DeepEqual(got, []string{"bucketowner"}) {
		t.Errorf("after typing on: %q", got)
	}
}

// BenchmarkSuggest measures one completion as typed (it runs on every key
// press): a column of the statement's table, which also asks DuckDB's
// sql_auto_complete.
func BenchmarkSuggest(b *testing.B) {
	s := testShell(b)
	b.ReportAllocs()
	for b.Loop() {
		s.comp.suggest("SELECT * FROM aws_s3serveraccess WHERE http", "")
	}
}

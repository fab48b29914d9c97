package repl

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/queries"
)

// testQueries are saved queries added to the built-in ones in tests; their
// names start with zz_ so that they do not depend on the built-ins.
var testQueries = fstest.MapFS{
	"zz_status.sql": {Data: []byte(`-- name: zz_status
-- title: Requests with one status
-- description: Counts the requests that got one HTTP status.
-- tags: [test]
-- param: status int required "HTTP status"
-- param: bucket string default=logs "Bucket"
SELECT count(*) AS n FROM aws_s3serveraccess WHERE httpstatus = $status AND bucket = $bucket
`)},
	"zz_recent.sql": {Data: []byte(`-- name: zz_recent
-- title: Recent requests per bucket
-- description: Requests per bucket in a window that defaults to the last 30 days.
-- tags: [test]
-- param: start timestamp default=now-30d "Start"
SELECT bucket, count(*) AS n FROM aws_s3serveraccess WHERE p_event_time >= $start GROUP BY bucket ORDER BY bucket
`)},
	"zz_one.sql": {Data: []byte(`-- name: zz_one
-- title: One
-- description: Returns one.
-- tags: [test]
SELECT 1 AS one
`)},
}

// fixture is the rows every shell test starts with.
const fixture = `
INSERT INTO aws_s3serveraccess (bucket, time, p_event_time, remoteip, operation, key, httpstatus, bytessent)
VALUES ('logs', TIMESTAMPTZ '2019-02-06 00:00:38+00', TIMESTAMPTZ '2019-02-06 00:00:38+00', '192.0.2.3', 'REST.GET.OBJECT', 'a.txt', 200, 10),
       ('logs', TIMESTAMPTZ '2019-02-06 00:01:00+00', TIMESTAMPTZ '2019-02-06 00:01:00+00', '192.0.2.3', 'REST.GET.OBJECT', 'b.txt', 403, NULL),
       ('web',  TIMESTAMPTZ '2019-02-07 12:00:00+00', TIMESTAMPTZ '2019-02-07 12:00:00+00', '198.51.100.7', 'REST.PUT.OBJECT', 'c.txt', 200, 0);
INSERT INTO aws_s3serveraccess_rejects (source, line, "column", field, reason, raw, loaded_at)
VALUES ('a.log', 3, 10, 'httpstatus', 'invalid integer "2OO"', 'raw line 3', TIMESTAMPTZ '2024-01-01 00:00:00+00'),
       ('a.log', 7, NULL, NULL, 'too few fields', 'raw line 7', TIMESTAMPTZ '2024-01-01 00:00:00+00'),
       ('old.log', 1, NULL, NULL, 'old', 'raw', TIMESTAMPTZ '2023-01-01 00:00:00+00');
`

// testDB opens an in-memory database holding the fixture.
func testDB(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Exec(fixture); err != nil {
		t.Fatal(err)
	}
	return d
}

func testCatalog(t testing.TB) *queries.Catalog {
	t.Helper()
	c, err := queries.Load(testQueries)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runScript runs input through a shell reading a non-terminal stdin.
func runScript(t *testing.T, d *db.DB, opts Options, input string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	opts.Stdin, opts.Stdout, opts.Stderr = strings.NewReader(input), &out, &errb
	if opts.Catalog == nil {
		opts.Catalog = testCatalog(t)
	}
	err = New(d, opts).Run(context.Background())
	return out.String(), errb.String(), err
}

// elapsedRE matches what .timer prints, which varies from run to run.
var elapsedRE = regexp.MustCompile(`Time: [0-9]+\.[0-9]+ m?s`)

func TestMetaCommands(t *testing.T) {
	for _, tc := range []struct {
		name, input    string
		stdout, stderr string
		failed         bool
	}{
		{name: "sql table", input: "SELECT bucket, count(*) AS n FROM aws_s3serveraccess GROUP BY bucket ORDER BY bucket;",
			stdout: " bucket | n\n--------+--\n logs   | 2\n web    | 1\n(2 rows)\n"},
		{name: "mode csv", input: ".mode csv\nSELECT key, bytessent FROM aws_s3serveraccess ORDER BY key;",
			stdout: "key,bytessent\na.txt,10\nb.txt,\nc.txt,0\n"},
		{name: "mode shown", input: ".mode line\n.mode\n", stdout: "mode line\n"},
		{name: "mode line", input: ".mode line\nSELECT key, httpstatus FROM aws_s3serveraccess WHERE key = 'b.txt';",
			stdout: "       key = b.txt\nhttpstatus = 403\n"},
		{name: "macro expanded", input: ".mode csv\nSELECT count(*) AS n FROM aws_s3serveraccess WHERE p_occurs_between('2019-02-06', '2019-02-07');",
			stdout: "n\n2\n"},
		{name: "bad mode", input: ".mode yaml\n", failed: true,
			stderr: `line 1: unknown format "yaml": want one of table, csv, json, ndjson, markdown, line` + "\n"},
		{name: "unknown command", input: ".nope\n", failed: true, stderr: "line 1: unknown command .nope: .help lists them\n"},
		{name: "sql error with position", input: "SELECT 1;\n\nSELECT *\nFROM aws_s3serveracces;\nSELECT 2 AS two;", failed: true,
			stdout: " 1\n--\n 1\n(1 row)\n two\n----\n   2\n(1 row)\n",
			stderr: "line 4, column 6: Catalog Error: Table with name aws_s3serveracces does not exist! Did you mean \"aws_s3serveraccess\"?\n"},
		{name: "rejects", input: ".mode csv\n.rejects 2\n",
			stdout: "source,line,column,field,reason,raw\na.log,3,10,httpstatus,\"invalid integer \"\"2OO\"\"\",raw line 3\na.log,7,,,too few fields,raw line 7\n"},
		{name: "rejects bad N", input: ".rejects x\n", failed: true,
			stderr: `line 1: usage: .rejects [N]: N must be a positive number, not "x"` + "\n"},
		{name: "schema", input: ".mode csv\n.schema aws_s3serveraccess_rejects\n",
			stdout: "column,type,description\n" +
				"source,VARCHAR,\"The object the line was read from: a file path, s3://bucket/key, or stdin.\"\n" +
				"line,BIGINT,The 1-based line number within the source.\n" +
				"column,BIGINT,\"The 1-based byte column where the problem starts, or NULL when it concerns the whole line.\"\n" +
				"field,VARCHAR,\"The column the problem is in (for example httpstatus), or NULL when it concerns the whole line.\"\n" +
				"reason,VARCHAR,\"What was wrong, in words a person can act on.\"\n" +
				"raw,VARCHAR,\"The line as read, without its line ending; bytes that are not valid UTF-8 are written as \\xNN.\"\n" +
				"loaded_at,TIMESTAMP WITH TIME ZONE,\"When the line was read, in UTC.\"\n"},
		{name: "schema unknown table", input: ".schema nope\n", failed: true, stderr: "line 1: no table nope: .tables lists them\n"},
		{name: "tables", input: ".mode csv\nCREATE VIEW v AS SELECT 1;\n.tables\n",
			stdout: "name,kind,rows,description\n" +
				"aws_s3serveraccess,table,3,S3ServerAccess is an AWS S3 Access Log (Panther log type AWS.S3ServerAccess).\n" +
				"aws_s3serveraccess_rejects,table,3,\"Lines s3logs could not parse as AWS.S3ServerAccess, with where they came from and why.\"\n" +
				"s3logs_replaced,table,0,Values of aws_s3serveraccess in which bytes that are not valid UTF-8 were written as U+FFFD: one row per row and column changed. Join on p_row_id; a U+FFFD in a row not listed here was in the log itself.\n" +
				"aws_s3serveraccess_enriched,view,,\"aws_s3serveraccess with derived columns: the request URI's parts, the decoded key, who the requester is, the source region, the class of the remote IP and, with --ip-ranges, --geoip and --ip-list, what those files say of it.\"\n" +
				"s3_access_logs,view,,\"aws_s3serveraccess with the names of AWS's JSON server access log records (bucket_name, request_time, http_status...).\"\n" +
				"v,view,,\n"},
		{name: "run with params", input: ".mode csv\n.run zz_status status=200\n.run zz_status status=200 bucket=web\n",
			stdout: "n\n1\nn\n1\n"},
		{name: "run injection is a value", input: ".mode csv\n.run zz_status status=200 \"bucket=x'; DROP TABLE aws_s3serveraccess; --\"\nSELECT count(*) AS n FROM aws_s3serveraccess;",
			stdout: "n\n0\nn\n3\n"},
		{name: "run missing param", input: ".run zz_status\n", failed: true,
			stderr: "line 1: query zz_status: missing required parameter status (int): .run zz_status status=VALUE\n"},
		{name: "run bad param", input: ".run zz_status status\n", failed: true, stderr: "line 1: parameter \"status\": want key=value\n"},
		{name: "run param given twice", input: ".run zz_status status=200 status=403\n", failed: true, stderr: "line 1: parameter status given twice\n"},
		{name: "run unknown", input: ".run zz_nope\n", failed: true, stderr: "line 1: no such saved query: \"zz_nope\" (see `s3logs queries list`)\n"},
		{name: "queries", input: ".queries zz_\n",
			stdout: "NAME       PARAMETERS                TITLE\nzz_one                               One\nzz_recent  start=timestamp           Recent requests per bucket\nzz_status  status=int bucket=string  Requests with one status\n(3 queries; .run NAME key=value ... runs one)\n"},
		{name: "timer on", input: ".timer on\n.mode csv\nSELECT 1 AS x;\n.timer off\n", stdout: "x\n1\nTime: T\n"},
		{name: "timer not shown for a failed statement", input: ".timer on\n.mode csv\nSELEC 1;\nSELECT 1 AS x;\n", failed: true,
			stdout: "x\n1\nTime: T\n", stderr: "line 3, column 1: Parser Error: syntax error at or near \"SELEC\"\n"},
		{name: "timer off", input: ".timer on\n.timer off\nSELECT 1 AS x;", stdout: " x\n--\n 1\n(1 row)\n"},
		{name: "timer bad", input: ".timer maybe\n", failed: true, stderr: "line 1: usage: .timer on|off\n"},
		{name: "load unavailable", input: ".load x\n", failed: true, stderr: "line 1: unknown command .load: .help lists them\n"},
		{name: "quit stops", input: "SELECT 1 AS x;\n.quit\nSELECT 2;", stdout: " x\n--\n 1\n(1 row)\n"},
		{name: "statement without result", input: "CREATE TABLE t (a INT);\nINSERT INTO t VALUES (1), (2);\n.mode csv\nSELECT sum(a) AS s FROM t;",
			stdout: " Count\n------\n     2\n(1 row)\ns\n3\n"},
		{name: "explain drawn as is", input: "EXPLAIN SELECT 1 AS x;",
			// DuckDB 2.0's drawing of the plan, printed as DuckDB made it
			stdout: "physical_plan:\n" +
				"╭─ Projection ───╮\n" +
				"│ Projections: x │\n" +
				"│ ~1 row         │\n" +
				"╰────────┬───────╯\n" +
				"╭─ Dummy Scan ───╮\n" +
				"╰────────────────╯\n"},
		{name: "unterminated last statement runs", input: ".mode csv\nSELECT 7 AS x", stdout: "x\n7\n"},
		{name: "help lists only available commands", input: ".help\n",
			stdout: ".help                              Show this help.\n" +
				".tables                            List the tables and views, with their row counts.\n" +
				".schema [TABLE]                    Show the columns of a table (or all), with their descriptions.\n" +
				".queries [WORD]                    List the saved queries (those matching WORD), with their parameters.\n" +
				".run NAME [key=value ...]          Run a saved query with parameters.\n" +
				".overview [--since T] [--until T]  Overview of the data: totals, span, status classes, top buckets, principals, IPs, errors.\n" +
				".mode [FORMAT]                     Show results as table, csv, json, ndjson, markdown, line.\n" +
				".timer on|off                      Show how long each statement takes.\n" +
				".rejects [N]                       Show the N (default 20) most recent rejected lines, with the reasons.\n" +
				".output [FILE]                     Write results to FILE until .output with no FILE (back to the screen).\n" +
				".once FILE                         Write the next result to FILE.\n" +
				".read FILE                         Run the statements and meta-commands of FILE.\n" +
				".maxrows [N]                       Show at most N rows of a table on screen (0: all; default 1000).\n" +
				".quit                              Leave the shell (Ctrl-D on an empty line does too).\n" +
				".exit                              Same as .quit.\n" +
				"\n" +
				"SQL statements end with ; and may span lines. Tab completes; Ctrl-C cancels a running query.\n" +
				"Panther's macros work in any statement: p_occurs_between('2024-06-01', '2024-06-02'), p_occurs_since('6h').\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, err := runScript(t, testDB(t), Options{}, tc.input)
			stdout = elapsedRE.ReplaceAllString(stdout, "Time: T")
			if stdout != tc.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, tc.stdout)
			}
			if stderr != tc.stderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, tc.stderr)
			}
			if got := errors.Is(err, ErrFailed); got != tc.failed || (err != nil && !got) {
				t.Errorf("err = %v, want failed %v", err, tc.failed)
			}
		})
	}
}

// TestEmptySinceSaysWhy: a p_occurs_since window that holds none of the
// data gets a note, even when the result is a row (a count of 0), with the
// p_occurs_between that asks for the same window at the data's end.
func TestEmptySinceSaysWhy(t *testing.T) {
	stdout, stderr, err := runScript(t, testDB(t), Options{}, ".mode csv\nSELECT count(*) AS n FROM aws_s3serveraccess WHERE p_occurs_since('1 d');\nSELECT 1 AS x WHERE false;\n")
	if err != nil || stdout != "n\n0\nx\n" {
		t.Errorf("err %v, stdout %q", err, stdout)
	}
	re := regexp.MustCompile(`^Note: no rows in the window of p_occurs_since \(20[0-9-]+ [0-9:]+ on\), which counts back from the clock, not from the data; the data holds 3 rows from 2019-02-06 00:00:38 to 2019-02-07 12:00:00 UTC: try p_occurs_between\('2019-02-06', '2019-02-08'\)\n$`)
	if !re.MatchString(stderr) {
		t.Errorf("stderr:\n%s\nwant it to match %s", stderr, re)
	}
}

// TestEmptyRelativeRun holds the note a saved query's relative default
// gets when its window misses the data: the window, the data's span and
// the parameter that covers it in the shell's own syntax (start=..., not
// --param). An absolute window that finds nothing gets no note.
func TestEmptyRelativeRun(t *testing.T) {
	stdout, stderr, err := runScript(t, testDB(t), Options{}, ".mode csv\n.run zz_recent\n.run zz_recent start=2019-02-07\n.run zz_recent start=2030-01-01\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "bucket,n\nbucket,n\nweb,1\nbucket,n\n"; stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
	re := regexp.MustCompile(`^Note: no rows in the window start=now-30d \(20[0-9-]+ [0-9:]+\), which counts back from the clock, not from the data; the data holds 3 rows from 2019-02-06 00:00:38 to 2019-02-07 12:00:00 UTC: try start=2019-02-06\n$`)
	if !re.MatchString(stderr) {
		t.Errorf("stderr:\n%s\nwant it to match %s", stderr, re)
	}
}

// TestOverview holds .overview to the overview of the shell's data, in a
// window when --since/--until are given, with bytes in human units; a
// window without rows says so instead of printing empty tables.
func TestOverview(t *testing.T) {
	stdout, stderr, err := runScript(t, testDB(t), Options{}, ".overview\n.overview --since 2019-02-07\n.overview --until=2000-01-01\n.overview --since\n")
	if !errors.Is(err, ErrFailed) || stderr != "line 4: usage: .overview [--since T] [--until T], not \"--since\"\n" {
		t.Errorf("err %v, stderr %q", err, stderr)
	}
	parts := strings.Split(stdout, "\n== Totals\n")
	if len(parts) != 4 {
		t.Fatalf("want 3 overviews:\n%s", stdout)
	}
	for i, want := range [][]string{
		{"        3 |       2 |          0 |   2 | 10 bytes   | 2019-02-06 00:00:38+00 | 2019-02-07 12:00:00+00", "\n== Top buckets\n", " logs   |        2 |      1 |   1 | 10 bytes", "\n== Top operations\n", " REST.GET.OBJECT |        2 |",
			"\n== Rejected lines (aws_s3serveraccess_rejects; not windowed)\n", " old                   |     1 | old.log:1\n"},
		{"        1 |       1 |          0 |   1 | 0 bytes    | 2019-02-07 12:00:00+00 | 2019-02-07 12:00:00+00", " web    |        1 |      0 |   1 | 0 bytes"},
		{"        0 |       0 |          0 |   0 | 0 bytes    | NULL       | NULL\n(1 row)\n(no rows in this window: the other sections are empty)\n\n== Rejected lines"},
	} {
		for _, w := range want {
			if !strings.Contains(parts[i+1], w) {
				t.Errorf("overview %d lacks %q:\n%s", i+1, w, parts[i+1])
			}
		}
	}
}

// TestShellHabits: what psql and duckdb users type first works: exit, quit
// and \q leave, help and \? help, \d and \dt list tables, \d TABLE shows
// one; none of them opens a continuation that swallows the next line.
func TestShellHabits(t *testing.T) {
	for _, tc := range []struct{ in, stdout string }{
		{"SELECT 1 AS x;\nexit\nSELECT 2;\n", " x\n--\n 1\n(1 row)\n"},
		{"quit\nSELECT 2;\n", ""},
		{"QUIT;\nSELECT 2;\n", ""},
		{"\\q\nSELECT 2;\n", ""},
		{".mode csv\n\\dt\n", "name,kind,rows,description\naws_s3serveraccess,table,3,"},
		{".mode csv\n\\d\n", "name,kind,rows,description\naws_s3serveraccess,table,3,"},
		{".mode csv\n\\d aws_s3serveraccess_rejects\n", "column,type,description\nsource,VARCHAR,"},
		{"help\n", ".help "},
		{"\\?\n.quit\nSELECT 2;\n", ".help "},
	} {
		stdout, stderr, err := runScript(t, testDB(t), Options{}, tc.in)
		if err != nil || stderr != "" || !strings.HasPrefix(stdout, tc.stdout) {
			t.Errorf("%q: err %v, stderr %q, stdout:\n%s\nwant it to start with %q", tc.in, err, stderr, stdout, tc.stdout)
		}
	}
}

// TestOutputOnceRead: .output FILE sends results to FILE until .output,
// .once FILE the next result only, .read FILE runs a file's statements
// (errors named by file and line), and .maxrows limits what a table shows.
func TestOutputOnceRead(t *testing.T) {
	dir := t.TempDir()
	all, one, script := dir+"/all.txt", dir+"/one.csv", dir+"/s.sql"
	os.WriteFile(script, []byte("SELECT 41 + 1 AS answer;\nSELEC 1;\n.mode csv\nSELECT 'read' AS r;\n"), 0o644)
	in := ".output " + all + "\nSELECT 1 AS a;\n.mode csv\nSELECT 2 AS b;\n.output\nSELECT 3 AS c;\n.once " + one + "\nSELECT 4 AS d;\nSELECT 5 AS e;\n.read " + script + "\n.maxrows x\n"
	stdout, stderr, err := runScript(t, testDB(t), Options{}, in)
	if !errors.Is(err, ErrFailed) {
		t.Errorf("err = %v, want ErrFailed (a statement of the file failed)", err)
	}
	if want := "c\n3\ne\n5\nanswer\n42\nr\nread\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if b, _ := os.ReadFile(all); string(b) != " a\n--\n 1\n(1 row)\nb\n2\n" {
		t.Errorf(".output file holds %q", b)
	}
	if b, _ := os.ReadFile(one); string(b) != "d\n4\n" {
		t.Errorf(".once file holds %q", b)
	}
	for _, want := range []string{script + ": line 2, column 1: Parser Error: syntax error at or near \"SELEC\"\n",
		"line 10: .read " + script + ": 1 statements failed (see above)\n", `line 11: usage: .maxrows N (0 shows all rows), not "x"`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
}

// TestShellSyntaxInErrors: the shell words a missing parameter as .run
// takes it, not as the command line's --param.
func TestShellSyntaxInErrors(t *testing.T) {
	_, stderr, _ := runScript(t, testDB(t), Options{}, ".run zz_status\n")
	if want := "line 1: query zz_status: missing required parameter status (int): .run zz_status status=VALUE\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
}

// TestHooks checks the meta-commands that call cmd's hooks get the right
// arguments: .load its sources, .export the last result's SQL and bound
// arguments or the given SQL, .detect its arguments.
func TestHooks(t *testing.T) {
	type exportCall struct {
		query string
		args  int
		path  string
		force bool
	}
	var loaded [][]string
	var exports []exportCall
	var detected [][]string
	opts := Options{
		Load: func(ctx context.Context, sources []string) (string, error) {
			loaded = append(loaded, sources)
			return "loaded 1 file", nil
		},
		Demo: func(ctx context.Context) (string, error) { return "", errors.New("no demo today") },
		Export: func(ctx context.Context, query string, args []any, path string, force bool) error {
			exports = append(exports, exportCall{query, len(args), path, force})
			return nil
		},
		Detect: func(ctx context.Context, w io.Writer, args []string) error {
			detected = append(detected, args)
			_, err := io.WriteString(w, "0 alerts\n")
			return err
		},
	}
	input := `.export first.parquet
.load a.log 'my logs/b.log'
.run zz_status status=403
.export out.parquet
.export "x y.parquet" SELECT * FROM aws_s3serveraccess WHERE p_occurs_since('1d');
.detect --rule s3.access.denied
.demo
.load -
.export --force out.parquet
.export out2.parquet --force SELECT 1
`
	stdout, stderr, err := runScript(t, testDB(t), opts, input)
	if !errors.Is(err, ErrFailed) {
		t.Errorf("err = %v, want ErrFailed", err)
	}
	wantOut := "loaded 1 file\n n\n--\n 1\n(1 row)\nWrote out.parquet\nWrote x y.parquet\n0 alerts\nWrote out.parquet\nWrote out2.parquet\n"
	if stdout != wantOut {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, wantOut)
	}
	wantErr := "line 1: nothing to export yet: run a query first, or give one: .export PATH SELECT ...\nline 7: no demo today\n" +
		"line 8: .load -: standard input is the shell's own input; pipe logs to 's3logs load -' instead\n"
	if stderr != wantErr {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, wantErr)
	}
	if want := [][]string{{"a.log", "my logs/b.log"}}; !reflect.DeepEqual(loaded, want) {
		t.Errorf("loaded %q, want %q", loaded, want)
	}
	if len(exports) != 4 {
		t.Fatalf("exports = %+v, want 4", exports)
	}
	if e := exports[2]; e.force != true || e.path != "out.parquet" || exports[0].force {
		t.Errorf(".export --force = %+v", e)
	}
	if e := exports[3]; e.force != true || e.path != "out2.parquet" || e.query != "SELECT 1" {
		t.Errorf(".export PATH --force SQL = %+v", e)
	}
	if e := exports[0]; !strings.Contains(e.query, "httpstatus = $status") || e.args != 2 || e.path != "out.parquet" {
		t.Errorf("export of the last result = %+v", e)
	}
	if e := exports[1]; strings.Contains(e.query, "p_occurs_since") || !strings.Contains(e.query, "p_event_time") || e.args != 0 || e.path != "x y.parquet" {
		t.Errorf("export of given SQL = %+v (want the macro expanded)", e)
	}
	if want := [][]string{{"--rule", "s3.access.denied"}}; !reflect.DeepEqual(detected, want) {
		t.Errorf("detect args %q, want %q", detected, want)
	}
}

func TestErrorPos(t *testing.T) {
	for _, tc := range []struct {
		msg       string
		want      string
		line, col int
	}{
		{"Parser Error: syntax error at or near \"FRM\"\n\nLINE 1: SELECT 1 FRM t\n                 ^", `Parser Error: syntax error at or near "FRM"`, 1, 10},
		{"Catalog Error: Table with name nope does not exist!\nDid you mean \"x\"?\n\nLINE 12: FROM nope\n              ^", `Catalog Error: Table with name nope does not exist! Did you mean "x"?`, 12, 6},
		{"Binder Error: a\nLINE 1: x\nno caret here", "Binder Error: a LINE 1: x no caret here", 0, 0},
		{"Binder Error: no position here", "Binder Error: no position here", 0, 0},
	} {
		msg, line, col := errorPos(errors.New(tc.msg))
		if msg != tc.want || line != tc.line || col != tc.col {
			t.Errorf("errorPos(%q) = %q, %d, %d; want %q, %d, %d", tc.msg, msg, line, col, tc.want, tc.line, tc.col)
		}
	}
}

// TestScriptInterrupt checks that an interrupt (Ctrl-C, routed through
// Options.Interrupts) cancels the running statement of a script and stops
// the script.
func TestScriptInterrupt(t *testing.T) {
	var interrupt func()
	ready := make(chan struct{})
	opts := Options{Interrupts: func(fn func()) func() {
		interrupt = fn
		close(ready)
		return func() {}
	}}
	go func() {
		<-ready
		time.Sleep(300 * time.Millisecond)
		interrupt()
	}()
	start := time.Now()
	stdout, stderr, err := runScript(t, testDB(t), opts, "SELECT count(*) FROM range(10000000000) a, range(10) b;\nSELECT 1;\n")
	if !errors.Is(err, context.Canceled) || err.Error() != "interrupted at line 1: context canceled" {
		t.Errorf("err = %v, want interrupted at line 1", err)
	}
	if stdout != "" || stderr != "" {
		t.Errorf("stdout %q, stderr %q; want nothing (the second statement must not run)", stdout, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to cancel", d)
	}
}

package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/loader/ingest"
)

// TestMain lets a test re-run this test binary as the s3logs command (for
// kill -9 and lock tests): with S3LOGS_TEST_AS_MAIN=1 it runs main with the
// arguments after "--".
func TestMain(m *testing.M) {
	if os.Getenv("S3LOGS_TEST_AS_MAIN") == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"s3logs"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// subprocess returns a command that runs s3logs args in a child process.
func subprocess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "S3LOGS_TEST_AS_MAIN=1")
	return cmd
}

// cli runs s3logs in process with stdin and returns the exit code and
// outputs.
func cli(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// isolate points what s3logs reads of the user's environment (saved
// queries and shell history under the config folder, AWS profiles,
// S3LOGS_DB) at a fresh directory, which it returns, so that a test gives
// the same result whoever runs it. Child processes (subprocess) inherit it.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("HOME", dir)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	t.Setenv("S3LOGS_DB", "")
	return dir
}

// genFile writes n generated lines (with the format's traps) to path and
// returns their records.
func genFile(t *testing.T, path string, n int, seed int64) []gen.Record {
	t.Helper()
	g := gen.New(gen.Options{Seed: seed, TrapRate: 0.05})
	var buf bytes.Buffer
	recs := make([]gen.Record, n)
	for i := range recs {
		recs[i] = g.Next()
		buf.Write(recs[i].AppendLine(nil))
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string // a substring of stdout, or "" for empty stdout
		stderrLine string // the first line of stderr, exactly ("" for none)
	}{
		{"no arguments off a terminal prints the commands", nil, 0, "\n  load ", ""},
		{"help lists commands", []string{"help"}, 0, "\n  demo ", ""},
		{"--help lists commands", []string{"--help"}, 0, "\n  query ", ""},
		{"help of a command", []string{"help", "query"}, 0, "Usage: s3logs query [--db PATH]", ""},
		{"--help of a command has flags and examples", []string{"load", "--help"}, 0, "  --workers N\n", ""},
		{"-h after a source", []string{"load", "x.log", "-h"}, 0, "\nExamples:\n  s3logs load ./logs/\n", ""},
		{"unknown command", []string{"frobnicate"}, 2, "", `s3logs: unknown command "frobnicate"; run 's3logs help' for the list`},
		{"help of an unknown command", []string{"help", "frobnicate"}, 2, "", `s3logs: unknown command "frobnicate"; run 's3logs help' for the list`},
		{"load without source", []string{"load"}, 2, "", "s3logs load: no SOURCE given: name log files, folders, glob patterns, - for standard input, or s3://bucket/prefix/"},
		{"unknown flag", []string{"load", "--bogus", "x"}, 2, "", "s3logs load: unknown flag --bogus"},
		{"bad --since", []string{"load", "--since", "yesterday", "x"}, 2, "", `s3logs load: invalid value "yesterday" for flag --since: `},
		{"bad format", []string{"query", "--format", "xml", "SELECT 1"}, 2, "", `s3logs query: --format: unknown format "xml": want one of table, csv, json, ndjson, markdown, line`},
		{"query without SQL", []string{"query", "--db", ":memory:"}, 2, "", "s3logs query: no SQL given"},
		{"query of a missing database", []string{"query", "--db", "/nonexistent/x.duckdb", "SELECT 1"}, 1, "",
			"s3logs: no database /nonexistent/x.duckdb: load logs first with 's3logs load --db /nonexistent/x.duckdb SOURCE...', or try 's3logs demo'"},
		{"SQL error", []string{"query", "--db", ":memory:", "SELEC 1"}, 1, "", "s3logs: Parser Error: syntax error at or near \"SELEC\""},
		{"demo takes no arguments", []string{"demo", "x"}, 2, "", "s3logs demo: demo takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if tt.stdout == "" && stdout != "" || !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout does not contain %q:\n%s", tt.stdout, stdout)
			}
			first, _, _ := strings.Cut(stderr, "\n")
			if first != tt.stderrLine && !(strings.HasSuffix(tt.stderrLine, ": ") || tt.name == "SQL error") || !strings.HasPrefix(first, tt.stderrLine) {
				t.Errorf("stderr line %q, want %q", first, tt.stderrLine)
			}
		})
	}
}

// TestEveryCommandHasHelp checks that the generated help of every
// registered command shows its usage and examples.
func TestEveryCommandHasHelp(t *testing.T) {
	for name, c := range commands {
		code, stdout, stderr := cli(t, "", name, "--help")
		if code != 0 || !strings.HasPrefix(stdout, "Usage: s3logs "+c.Usage+"\n") || len(c.Examples) == 0 || !strings.Contains(stdout, c.Examples[0]) {
			t.Errorf("%s --help: exit %d, stdout:\n%s\nstderr:\n%s", name, code, stdout, stderr)
		}
		// Flags are spelled as the usage line spells them.
		if regexp.MustCompile(`(?m)^  -[a-z]`).MatchString(stdout) {
			t.Errorf("%s --help lists a flag as -name, not --name:\n%s", name, stdout)
		}
	}
	// The S3 flags are grouped apart from the others.
	_, stdout, _ := cli(t, "", "load", "--help")
	general, s3, ok := strings.Cut(stdout, "\nS3 flags (s3:// sources):\n")
	if !ok || !strings.Contains(general, "\n  --db PATH\n") || strings.Contains(general, "--region") || !strings.Contains(s3, "\n  --region REGION\n") || !strings.Contains(s3, "  --no-sign-request\n") {
		t.Errorf("load --help: flags not in two groups:\n%s", stdout)
	}
}

// ndjsonRows runs a query with --format ndjson and decodes its rows.
func ndjsonRows(t *testing.T, dbPath, query string) []map[string]any {
	t.Helper()
	code, stdout, stderr := cli(t, "", "query", "--db", dbPath, "--format", "ndjson", query)
	if code != 0 {
		t.Fatalf("query exit %d: %s", code, stderr)
	}
	var rows []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("bad ndjson line %q: %v", sc.Text(), err)
		}
		rows = append(rows, m)
	}
	return rows
}

func jsonStr(v sql.NullString) any {
	if !v.Valid {
		return nil
	}
	return v.String
}

func jsonInt(v sql.NullInt64) any {
	if !v.Valid {
		return nil
	}
	return float64(v.Int64)
}

// TestLoadQueryGenerated loads generated logs (traps included) through the
// command line and reads them back with query --format ndjson, comparing
// field by field with the generator's records.
func TestLoadQueryGenerated(t *testing.T) {
	dir := isolate(t)
	dbPath := filepath.Join(dir, "t.duckdb")
	recs := genFile(t, filepath.Join(dir, "a.log"), 3000, 5)
	code, _, stderr := cli(t, "", "load", "--db", dbPath, filepath.Join(dir, "a.log"))
	if code != 0 || !strings.HasPrefix(stderr, "loaded 1 file: 3,000 lines, 3,000 rows, 0 rejected, 0 blank in ") {
		t.Fatalf("load: exit %d, stderr %q", code, stderr)
	}
	rows := ndjsonRows(t, dbPath, `SELECT requestid, bucket, time, remoteip, requester, operation, key, requesturi, httpstatus, errorcode,
		bytessent, objectsize, referrer, useragent, tlsVersion, aclrequired, additionalFields, p_source_id
		FROM panther_logs.aws_s3serveraccess`)
	if len(rows) != len(recs) {
		t.Fatalf("%d rows, want %d", len(rows), len(recs))
	}
	byID := map[string]map[string]any{}
	for _, r := range rows {
		byID[fmt.Sprint(r["requestid"], r["time"], r["key"])] = r
	}
	for i, rec := range recs {
		want := map[string]any{
			"requestid": jsonStr(rec.RequestID), "bucket": jsonStr(rec.Bucket), "time": rec.Time.UTC().Format(time.RFC3339),
			"remoteip": jsonStr(rec.RemoteIP), "requester": jsonStr(rec.Requester), "operation": jsonStr(rec.Operation),
			"key": jsonStr(rec.Key), "requesturi": jsonStr(rec.RequestURI), "httpstatus": jsonInt(rec.HTTPStatus),
			"errorcode": jsonStr(rec.ErrorCode), "bytessent": jsonInt(rec.BytesSent), "objectsize": jsonInt(rec.ObjectSize),
			"referrer": jsonStr(rec.Referrer), "useragent": jsonStr(rec.UserAgent), "tlsVersion": jsonStr(rec.TLSVersion),
			"aclrequired": jsonStr(rec.ACLRequired), "p_source_id": filepath.Join(dir, "a.log"),
		}
		var extra []any
		for _, a := range rec.AdditionalFields {
			extra = append(extra, a)
		}
		got := byID[fmt.Sprint(want["requestid"], want["time"], want["key"])]
		if got == nil {
			t.Errorf("line %d: no row with requestid %v", i+1, want["requestid"])
			continue
		}
		for k, w := range want {
			if fmt.Sprint(got[k]) != fmt.Sprint(w) {
				t.Errorf("line %d: %s = %v, want %v", i+1, k, got[k], w)
			}
		}
		if ge, _ := got["additionalFields"].([]any); fmt.Sprint(ge) != fmt.Sprint(extra) && !(len(ge) == 0 && len(extra) == 0) {
			t.Errorf("line %d: additionalFields = %v, want %v", i+1, got["additionalFields"], extra)
		}
	}
}

// TestLoadSamples loads the real sample lines and checks a few values a
// person can verify by reading the lines.
func TestLoadSamples(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "t.duckdb")
	code, _, stderr := cli(t, "", "load", "--db", dbPath, "demo/panther-aws.log", "demo/peers.log")
	if code != 0 && code != 3 {
		t.Fatalf("load exit %d: %s", code, stderr)
	}
	rows := ndjsonRows(t, dbPath, `SELECT bucket, time, httpstatus, errorcode, bytessent, requester, additionalFields, p_source_label
		FROM aws_s3serveraccess WHERE p_source_id LIKE '%panther-aws.log' AND bucket = 'awsexamplebucket'
		AND requestid IN ('3E57427F3EXAMPLE', 'A1206F460EXAMPLE', 'DD6CC733AEXAMPLE') ORDER BY requestid, requester`)
	want := []string{ // lines 1, 2, 4 (24 fields and two more: access point ARN and aclRequired) and 3
		`map[additionalFields:<nil> bucket:awsexamplebucket bytessent:113 errorcode:<nil> httpstatus:200 p_source_label:demo/panther-aws.log requester:79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be time:2019-02-06T00:00:38Z]`,
		`map[additionalFields:<nil> bucket:awsexamplebucket bytessent:297 errorcode:NoSuchBucketPolicy httpstatus:404 p_source_label:demo/panther-aws.log requester:79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be time:2019-02-06T00:00:38Z]`,
		`map[additionalFields:<nil> bucket:awsexamplebucket bytessent:<nil> errorcode:<nil> httpstatus:200 p_source_label:demo/panther-aws.log requester:79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be time:2019-02-06T00:00:38Z]`,
		`map[additionalFields:<nil> bucket:awsexamplebucket bytessent:<nil> errorcode:<nil> httpstatus:200 p_source_label:demo/panther-aws.log requester:arn:aws:sts::123456789012:assumed-role/PantherLogProcessingRole/1579693334126446707 time:2019-02-06T00:00:38Z]`,
	}
	if len(rows) != len(want) {
		t.Errorf("%d rows, want %d", len(rows), len(want))
	}
	for i, r := range rows {
		if i < len(want) && fmt.Sprint(r) != want[i] {
			t.Errorf("row %d = %v\nwant      %s", i, r, want[i])
		}
	}
	// Lines read = rows + rejects, per file, in the manifest and the tables.
	check := ndjsonRows(t, dbPath, `SELECT m.name, m.lines, m.rows + m.rejected + m.blank + m.filtered AS accounted,
		(SELECT count(*) FROM aws_s3serveraccess a WHERE a.p_source_id = m.id) AS rows_in_table,
		(SELECT count(*) FROM aws_s3serveraccess_rejects r WHERE r.source = m.id) AS rejects_in_table, m.rows, m.rejected
		FROM s3logs_manifest m ORDER BY name`)
	wantLines := map[string]float64{"demo/panther-aws.log": 30, "demo/peers.log": 66}
	for _, r := range check {
		if r["lines"] != wantLines[r["name"].(string)] || r["lines"] != r["accounted"] || r["rows"] != r["rows_in_table"] || r["rejected"] != r["rejects_in_table"] {
			t.Errorf("manifest does not account for every line: %v", r)
		}
	}
	if len(check) != 2 {
		t.Errorf("%d manifest rows, want 2", len(check))
	}
	// Panther's names resolve to the same rows; timestamps print in UTC.
	names := ndjsonRows(t, dbPath, `SELECT (SELECT count(*) FROM aws_s3serveraccess) AS local,
		(SELECT count(*) FROM panther_logs.aws_s3serveraccess) AS panther,
		(SELECT count(*) FROM panther_logs.public.aws_s3serveraccess) AS public`)
	if fmt.Sprint(names) != "[map[local:96 panther:96 public:96]]" {
		t.Errorf("row counts by name: %v, want 96 each", names)
	}
	code, stdout, _ := cli(t, "", "query", "--db", dbPath, "--format", "csv", `SELECT min(time) AS t FROM aws_s3serveraccess WHERE requestid = '3E57427F3EXAMPLE' AND bucket = 'mybucket'`)
	if code != 0 || stdout != "t\n2014-02-06T00:00:38Z\n" {
		t.Errorf("csv time: exit %d, %q", code, stdout)
	}
}

// summaryRE removes the timing from a summary line.
var summaryRE = regexp.MustCompile(` in \d+\.\ds( \([0-9.]+ MB/s\))?|\n(database \S+|the in-memory database) holds [^\n]*`)

func TestLoadIncremental(t *testing.T) {
	dir := isolate(t)
	dbPath := filepath.Join(dir, "t.duckdb")
	log := filepath.Join(dir, "a.log")
	genFile(t, log, 2000, 1)
	gzPath := filepath.Join(dir, "b.log.gz")
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	gen.Write(zw, 700, gen.Options{Seed: 2})
	zw.Close()
	os.WriteFile(gzPath, zb.Bytes(), 0o644)

	grow := func() {
		f, _ := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
		gen.Write(f, 300, gen.Options{Seed: 3})
		f.Close()
		os.Chtimes(log, time.Now(), time.Now().Add(2*time.Second))
	}
	steps := []struct {
		name    string
		before  func()
		args    []string
		code    int
		summary string
		rows    int64
	}{
		{"first load", nil, []string{log, gzPath}, 0, "loaded 2 files: 2,700 lines, 2,700 rows, 0 rejected, 0 blank", 2700},
		{"same files again", nil, []string{log, gzPath}, 0, "nothing new to load: 2 files already loaded and unchanged", 2700},
		{"folder holding them", nil, []string{dir}, 0, "nothing new to load: 2 files already loaded and unchanged", 2700},
		{"grown file", grow, []string{dir}, 0, "loaded 1 file: 300 lines, 300 rows, 0 rejected, 0 blank; 1 unchanged file skipped, 1 grown file read from where it stopped", 3000},
		{"stdin", nil, []string{"-"}, 0, "loaded 1 file: 2 lines, 2 rows, 0 rejected, 0 blank", 3002},
		{"same stdin again", nil, []string{"-"}, 0, "nothing new to load: 1 file already loaded and unchanged", 3002},
	}
	stdin := strings.Join(strings.Split(string(must(os.ReadFile("demo/panther-aws.log"))), "\n")[:2], "\n") + "\n"
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		code, _, stderr := cli(t, stdin, append([]string{"load", "--db", dbPath}, s.args...)...)
		if got := summaryRE.ReplaceAllString(strings.TrimSpace(stderr), ""); code != s.code || got != s.summary {
			t.Errorf("%s: exit %d, summary %q, want %d %q", s.name, code, got, s.code, s.summary)
		}
		rows := ndjsonRows(t, dbPath, "SELECT count(*) AS n, count(DISTINCT p_row_id) AS ids FROM aws_s3serveraccess")
		if rows[0]["n"] != float64(s.rows) || rows[0]["ids"] != float64(s.rows) {
			t.Errorf("%s: %v rows, want %d, all ids distinct", s.name, rows[0], s.rows)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestLoadBadInputs feeds broken inputs next to a good file: each gets one
// message naming it, the good file loads, and the exit code says so.
func TestLoadBadInputs(t *testing.T) {
	dir := isolate(t)
	good := filepath.Join(dir, "good.log")
	genFile(t, good, 100, 9)
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	gen.Write(zw, 5000, gen.Options{Seed: 4})
	zw.Close()
	files := map[string][]byte{
		"truncated.log.gz": zb.Bytes()[:zb.Len()/2],
		"appended.log.gz":  append(bytes.Clone(zb.Bytes()), "plain text\n"...),
		"short.log.gz":     append(bytes.Clone(zb.Bytes()), "hi\n"...),
		"binary.bin":       append([]byte{0x7f, 'E', 'L', 'F', 0, 0}, bytes.Repeat([]byte{0, 9}, 3000)...),
		"cloudtrail.json":  bytes.Repeat([]byte(`{"Records":[{"eventVersion":"1.08","eventSource":"s3.amazonaws.com"}]}`+"\n"), 50),
		"rejects.log":      append(must(os.ReadFile(good)), "not a log line\n\nanother bad line\n"...),
		"notes.txt":        []byte("TODO\n\nload the logs\n"),
		"mac.log":          bytes.ReplaceAll(must(os.ReadFile(good)), []byte("\n"), []byte("\r")),
		"bigmac.log":       bytes.ReplaceAll(bytes.Repeat(must(os.ReadFile(good)), 20), []byte("\n"), []byte("\r")),
		// One line without a line end, with a CR inside its user agent.
		"cr-in-agent.log": bytes.Replace(bytes.SplitN(must(os.ReadFile("demo/panther-aws.log")), []byte("\n"), 2)[0], []byte("S3Console/0.4"), []byte("S3Console/\r0.4"), 1),
	}
	for name, b := range files {
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)
	os.Mkdir(filepath.Join(dir, "mixed"), 0o755)
	os.WriteFile(filepath.Join(dir, "mixed", "good.log"), must(os.ReadFile(good)), 0o644)
	os.Symlink(filepath.Join(dir, "gone.log"), filepath.Join(dir, "mixed", "dangling.log"))
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr []string // lines that must be in stderr (after the dir is replaced by D)
	}{
		{"missing file", []string{"D/missing.log", "D/good.log"}, 1, []string{"s3logs: D/missing.log: no such file or directory", "loaded 1 file: 100 lines, 100 rows"}},
		{"dangling link in a folder", []string{"D/mixed"}, 1, []string{"s3logs: D/mixed/dangling.log: no such file or directory", "loaded 1 file: 100 lines, 100 rows"}},
		{"folder without files", []string{"D/empty"}, 1, []string{"s3logs: D/empty: folder has no files: no log files found"}},
		{"glob without match", []string{"D/*.csv"}, 1, []string{"s3logs: D/*.csv: pattern matches no file: no log files found"}},
		{"truncated gzip", []string{"D/truncated.log.gz"}, 1, []string{"s3logs: D/truncated.log.gz: after line ", ": gzip stream is truncated: unexpected EOF"}},
		{"gzip then plain text", []string{"D/appended.log.gz"}, 1, []string{fmt.Sprintf(
			"s3logs: D/appended.log.gz: after line 5000: gzip data followed by 11 bytes that are not gzip, at offset %d (starting \"plain text\\n\"): the gzip data was read, the rest was not (tail -c +%d on the file gives it)\n",
			zb.Len(), zb.Len()+1), "loaded 1 file: 5,000 lines, 5,000 rows, 0 rejected, 0 blank in "}},
		{"gzip then less than a gzip header", []string{"D/short.log.gz"}, 1, []string{fmt.Sprintf(
			"s3logs: D/short.log.gz: after line 5000: gzip data followed by 3 bytes that are not gzip, at offset %d (starting \"hi\\n\")", zb.Len()),
			"loaded 1 file: 5,000 lines, 5,000 rows, 0 rejected, 0 blank in "}},
		{"binary file", []string{"D/binary.bin"}, 1, []string{"s3logs: D/binary.bin: not an S3 server access log: it holds binary data"}},
		{"other log format", []string{"D/cloudtrail.json"}, 1, []string{"s3logs: D/cloudtrail.json: not an S3 server access log: none of its 50 lines is one (50 rejected, 0 blank), so none of it was loaded; line 1: ",
			"loaded 0 files: 0 lines, 0 rows, 0 rejected, 0 blank in ", "s3logs: 1 of the sources could not be loaded in full (see the messages above)"}},
		{"small file of another format", []string{"D/notes.txt", "D/good.log"}, 1, []string{"s3logs: D/notes.txt: not an S3 server access log: none of its 3 lines is one (2 rejected, 1 blank), so none of it was loaded; line 1: ",
			"loaded 1 file: 100 lines, 100 rows, 0 rejected, 0 blank in ", "; 1 failed\n"}},
		{"CR-only line endings", []string{"D/mac.log"}, 1, []string{"s3logs: D/mac.log: not an S3 server access log as read: its lines end in a CR alone (classic Mac OS line endings), and s3logs ends lines at LF or CRLF, so it read them as one line, which is not one; none of it was loaded. Convert its line endings first: tr '\\r' '\\n' < IN > OUT\n"}},
		{"CR-only line endings, larger than the probe", []string{"D/bigmac.log"}, 1, []string{"s3logs: D/bigmac.log: not an S3 server access log as read: its lines end in a CR alone (classic Mac OS line endings)"}},
		{"CR inside a field", []string{"D/cr-in-agent.log"}, 0, []string{"loaded 1 file: 1 lines, 1 rows, 0 rejected, 0 blank in "}},
		{"rejected lines", []string{"D/rejects.log"}, 3, []string{"loaded 1 file: 103 lines, 100 rows, 2 rejected, 1 blank in ", "s3logs: 2 lines could not be parsed; see them with: s3logs query --db DB 'SELECT * FROM aws_s3serveraccess_rejects'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbPath := filepath.Join(t.TempDir(), "t.duckdb")
			var args []string
			for _, a := range tt.args {
				args = append(args, strings.Replace(a, "D/", dir+"/", 1))
			}
			code, _, stderr := cli(t, "", append([]string{"load", "--db", dbPath}, args...)...)
			stderr = strings.ReplaceAll(strings.ReplaceAll(stderr, dir+"/", "D/"), dbPath, "DB")
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
		})
	}
}

func TestDatabaseErrors(t *testing.T) {
	dir := isolate(t)
	good := filepath.Join(dir, "good.log")
	genFile(t, good, 10, 9)
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o555)
	if os.Getuid() != 0 { // root writes anywhere: then only the missing folder case applies
		code, _, stderr := cli(t, "", "load", "--db", filepath.Join(ro, "x.duckdb"), good)
		if code != 1 || !strings.HasPrefix(stderr, "s3logs: cannot open database "+filepath.Join(ro, "x.duckdb")+": ") {
			t.Errorf("read-only folder: exit %d, stderr %q", code, stderr)
		}
	}
	// load --db cases/incident-42.duckdb (the README's example) creates the
	// folder, as export does, and names the database in its summary.
	missing := filepath.Join(dir, "no", "such", "x.duckdb")
	code, _, stderr := cli(t, "", "load", "--db", missing, good)
	if code != 0 || !strings.Contains(stderr, "\ndatabase "+missing+" holds 10 rows from ") {
		t.Errorf("missing folder: exit %d, stderr %q", code, stderr)
	}

	// The shell refuses a database named with --db that does not exist (a
	// typo), as query does, unless it is loading SOURCE into it.
	typo := filepath.Join(dir, "typo.duckdb")
	code, _, stderr = cli(t, ".quit\n", "repl", "--db", typo)
	if _, err := os.Stat(typo); code != 1 || !strings.HasPrefix(stderr, "s3logs: no database "+typo+": ") || err == nil {
		t.Errorf("repl --db typo: exit %d, stderr %q, stat %v; want a refusal and no file", code, stderr, err)
	}
	fresh := filepath.Join(dir, "new", "case.duckdb")
	code, stdout, stderr := cli(t, "SELECT count(*) AS n FROM aws_s3serveraccess;\n", "repl", "--db", fresh, good)
	if code != 0 || !strings.Contains(stdout, "10") {
		t.Errorf("repl --db new/case.duckdb SOURCE: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	// Loading into the demo's database warns that the logs mix with it.
	demoDB := filepath.Join(dir, "demo.duckdb")
	cli(t, "", "demo", "--db", demoDB)
	code, _, stderr = cli(t, "", "load", "--db", demoDB, good)
	if want := "s3logs: warning: database " + demoDB + " holds the demo's 4,096 sample rows; what you load now is mixed with them"; code != 0 || !strings.HasPrefix(stderr, want) {
		t.Errorf("load into the demo's database: exit %d, stderr %q, want prefix %q", code, stderr, want)
	}
	if _, _, stderr = cli(t, "", "load", "--db", missing, good); strings.Contains(stderr, "warning") {
		t.Errorf("warning on a database without the demo: %q", stderr)
	}

	notDB := filepath.Join(dir, "notes.duckdb")
	os.WriteFile(notDB, []byte("not a database\n"), 0o644)
	code, _, stderr = cli(t, "", "query", "--db", notDB, "SELECT 1")
	_ = stdout
	if want := "s3logs: cannot open database " + notDB + ": IO Error: The file \"" + notDB + "\" exists, but it is not a valid DuckDB database file!\n"; code != 1 || stderr != want {
		t.Errorf("not a database: exit %d, stderr %q, want %q", code, stderr, want)
	}

	// Another process holds the database: a load waiting on its standard input.
	dbPath := filepath.Join(dir, "locked.duckdb")
	holder := subprocess(t, "load", "--db", dbPath, "-")
	var holderErr bytes.Buffer
	holder.Stderr = &holderErr
	stdin, _ := holder.StdinPipe()
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); holder.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(dbPath); err == nil || time.Now().After(deadline) {
			break // DuckDB creates the file when it opens and locks it
		}
	}
	time.Sleep(200 * time.Millisecond)
	code, _, stderr = cli(t, "", "load", "--db", dbPath, good)
	want := "s3logs: database " + dbPath + " is in use by another s3logs or duckdb process; close it or choose another file with --db: "
	if code != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("locked database: exit %d, stderr %q, want prefix %q (holder: %s)", code, stderr, want, holderErr.String())
	}
}

// TestKill9 kills a load with SIGKILL while an object is half loaded and
// committed as partial, then checks that the database is consistent and
// that running the load again completes it without duplicates.
func TestKill9(t *testing.T) {
	dir := isolate(t)
	dbPath := filepath.Join(dir, "t.duckdb")
	path := filepath.Join(dir, "a.log")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	var all bytes.Buffer
	gen.Write(&all, 40000, gen.Options{Seed: 8})
	lines := bytes.SplitAfter(all.Bytes(), []byte("\n"))

	// The kill must come after the inserter's first commit, which is due
	// DefaultCommitEvery after the rows arrive; on a busy machine the child
	// can take longer to start and commit, so a kill that found nothing
	// committed is tried again with a longer wait (at most four times).
	var rows, manifest, manRows, manLines int64
	var status string
	for wait := ingest.DefaultCommitEvery + 1500*time.Millisecond; ; wait *= 2 {
		os.Remove(dbPath)
		os.Remove(dbPath + ".wal")
		child := subprocess(t, "load", "--db", dbPath, path)
		var childErr bytes.Buffer
		child.Stderr = &childErr
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		fifo := openFIFO(t, path, &childErr)
		fifo.Write(bytes.Join(lines[:20000], nil)) // more than one record batch
		time.Sleep(wait)                           // the inserter commits at least every DefaultCommitEvery
		child.Process.Kill()
		child.Wait()
		fifo.Close()

		d, err := db.Open(context.Background(), dbPath)
		if err != nil {
			t.Fatalf("open after kill -9: %v (child stderr: %s)", err, childErr.String())
		}
		var st sql.NullString
		err = d.QueryRow(`SELECT (SELECT count(*) FROM aws_s3serveraccess), (SELECT count(*) FROM s3logs_manifest), (SELECT string_agg(status) FROM s3logs_manifest),
			(SELECT coalesce(sum(rows), 0) FROM s3logs_manifest), (SELECT coalesce(sum(lines), 0) FROM s3logs_manifest)`).
			Scan(&rows, &manifest, &st, &manRows, &manLines)
		d.Close()
		if err != nil {
			t.Fatalf("after kill -9: %v", err)
		}
		status = st.String
		if rows > 0 || manifest > 0 || wait > 8*(ingest.DefaultCommitEvery+1500*time.Millisecond) {
			break
		}
		t.Logf("nothing committed %v after the rows were written; trying again with a longer wait", wait)
	}
	if rows == 0 || rows > 20000 || manifest != 1 || status != "partial" {
		t.Fatalf("after kill -9: %d rows, %d manifest rows, status %q; want some rows and one partial entry", rows, manifest, status)
	}
	if manRows != rows || manLines != rows { // every line written is a row
		t.Errorf("after kill -9: the partial manifest row says lines=%d rows=%d, want both %d (the rows committed)", manLines, manRows, rows)
	}

	os.Remove(path)
	os.WriteFile(path, all.Bytes(), 0o644)
	code, _, stderr := cli(t, "", "load", "--db", dbPath, path)
	if got := summaryRE.ReplaceAllString(strings.TrimSpace(stderr), ""); code != 0 || got != "loaded 1 file: 40,000 lines, 40,000 rows, 0 rejected, 0 blank; 1 changed or interrupted file reloaded" {
		t.Errorf("re-run: exit %d, %q", code, got)
	}
	r := ndjsonRows(t, dbPath, `SELECT count(*) AS n, count(DISTINCT p_row_id) AS ids, (SELECT string_agg(status) FROM s3logs_manifest) AS status FROM aws_s3serveraccess`)
	if fmt.Sprint(r) != "[map[ids:40000 n:40000 status:loaded]]" {
		t.Errorf("after the re-run: %v, want 40000 distinct rows, one loaded entry", r)
	}
}

// openFIFO opens the named pipe at path for writing once its reader (a
// child load) has opened it, and fails the test instead of blocking
// forever when no reader comes within a minute (a child that died early,
// whose stderr is childErr).
func openFIFO(t *testing.T, path string, childErr *bytes.Buffer) *os.File {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			return f
		}
		if !errors.Is(err, syscall.ENXIO) || time.Now().After(deadline) {
			t.Fatalf("open the pipe for the child load: %v (child stderr: %s)", err, childErr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDemo(t *testing.T) {
	code, stdout, stderr := cli(t, "", "demo")
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	// The load summary goes to stderr, like every other summary.
	if !strings.HasPrefix(stderr, "s3logs demo: loaded 3 files: 4,103 lines, 4,096 rows, 7 rejected, 0 blank in ") || strings.Contains(stdout, "s3logs demo:") {
		t.Errorf("demo summary not on stderr alone:\nstdout %s\nstderr %s", stdout, stderr)
	}
	for _, want := range []string{
		"\n== Totals\n requests | buckets | requesters | ips | bytes_sent | first_seen             | last_seen\n",
		"\n     4096 |      25 |         38 | 133 | 113.2 GiB  | 2012-02-10 21:42:07+00 | 2026-01-18 23:56:09+00\n",
		"\n 2xx    |     3460 |    84.5\n",
		"\n== Top operations\n",
		"\n REST.GET.OBJECT     |     2119 |    231 | 108.7 GiB\n",
		"\n AccessDenied       |        403 |      205 |         20 | 2019-06-20 03:51:36+00\n",
		"\n invalid integer \"2OO\"       ",
		"| demo:generated.log.gz:302\n",
		"\n  s3logs overview    ",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	// With --db the samples stay, and a second run adds nothing; the
	// overview of that database is the demo's.
	dbPath := filepath.Join(t.TempDir(), "demo.duckdb")
	_, first, _ := cli(t, "", "demo", "--db", dbPath)
	code, stdout, stderr = cli(t, "", "demo", "--db", dbPath)
	if code != 0 || !strings.Contains(stderr, "s3logs demo: nothing new to load: 3 files already loaded and unchanged\n") || !strings.Contains(stdout, "\n     4096 |") {
		t.Errorf("second demo into %s: exit %d:\n%s\n%s", dbPath, code, stdout, stderr)
	}
	code, ov, stderr := cli(t, "", "overview", "--db", dbPath)
	if code != 0 || !strings.HasPrefix(first, ov) || !strings.HasSuffix(first, demoNext) {
		t.Errorf("overview of the demo's database: exit %d, %s\nwant the demo's overview:\n%s", code, stderr, first)
	}
}

// TestOverviewCommand: s3logs overview on a loaded database, in a window,
// and the load's closing line pointing to it with the database named.
func TestOverviewCommand(t *testing.T) {
	dbPath, _ := qcSetup(t, qcLines())
	code, out, errOut := qcRun(t, "overview", "--db", dbPath, "--since", "2026-03-02T05:00:00Z")
	if code != 0 || !strings.Contains(out, "\n        7 |       1 |          2 |   2 | 1.4 KiB    | 2026-03-02 09:00:00+00 | 2026-03-02 10:00:40+00\n") {
		t.Errorf("overview --since: exit %d, %s\n%s", code, errOut, out)
	}
	code, out, errOut = qcRun(t, "overview", "--db", dbPath, "--since", "7d")
	if code != 0 || !strings.Contains(out, "(no rows in this window: the other sections are empty)") || !strings.Contains(errOut, "try --since 2026-03-02\n") {
		t.Errorf("overview --since 7d: exit %d, %s\n%s", code, errOut, out)
	}
	code, _, errOut = qcRun(t, "load", "--db", dbPath, filepath.Join(filepath.Dir(dbPath), "access.log"))
	if want := "database " + dbPath + " holds 8 rows from 2026-03-02 01:00:00 to 2026-03-02 10:00:40 UTC; overview: s3logs overview --db " + dbPath + "\n"; code != 0 || !strings.HasSuffix(errOut, want) {
		t.Errorf("load: exit %d, stderr %q, want it to end %q", code, errOut, want)
	}
}

// TestLoadTimeWindow loads with --since/--until: rows outside the window
// are counted as filtered, never stored, and lines still add up.
func TestLoadTimeWindow(t *testing.T) {
	dir := isolate(t)
	log := filepath.Join(dir, "a.log")
	recs := genFile(t, log, 2000, 12)
	since, until := time.Date(2026, 1, 15, 6, 0, 0, 0, time.UTC), time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	in := 0
	for _, r := range recs {
		if !r.Time.Before(since) && r.Time.Before(until) {
			in++
		}
	}
	if in == 0 || in == len(recs) {
		t.Fatalf("%d of %d generated records in the window: the test needs some on both sides", in, len(recs))
	}
	dbPath := filepath.Join(dir, "t.duckdb")
	code, _, stderr := cli(t, "", "load", "--db", dbPath, "--since", "2026-01-15T06:00:00Z", "--until", "2026-01-15T12:00:00Z", log)
	want := fmt.Sprintf("loaded 1 file: 2,000 lines, %s rows, 0 rejected, 0 blank, %s outside the time window", ingest.Group(int64(in)), ingest.Group(int64(len(recs)-in)))
	if got := summaryRE.ReplaceAllString(strings.TrimSpace(stderr), ""); code != 0 || got != want {
		t.Errorf("exit %d, summary %q, want %q", code, got, want)
	}
	if !regexp.MustCompile(`\ndatabase \S+t\.duckdb holds [0-9,]+ rows from 2026-01-15 06:[0-9:]+ to 2026-01-15 11:[0-9:]+ UTC`).MatchString(stderr) {
		t.Errorf("the load does not say what the database holds now, with the data's span:\n%s", stderr)
	}
	r := ndjsonRows(t, dbPath, `SELECT count(*) AS n, min(p_event_time) >= '2026-01-15 06:00:00Z' AND max(p_event_time) < '2026-01-15 12:00:00Z' AS inside,
		(SELECT filtered FROM s3logs_manifest) AS filtered FROM aws_s3serveraccess`)
	if fmt.Sprint(r) != fmt.Sprintf("[map[filtered:%d inside:true n:%d]]", len(recs)-in, in) {
		t.Errorf("stored %v, want %d rows inside the window and %d filtered", r, in, len(recs)-in)
	}
}

func TestProgressText(t *testing.T) {
	tests := []struct {
		pr   ingest.Progress
		want string
	}{
		{ingest.Progress{Listing: true}, "listed 0 files so far, fetched 0, parsed 0 (0 lines, 0 rejected), stored 0"},
		// Still listing: no time left yet.
		{ingest.Progress{Listed: 1000, ListedBytes: 3.5e6, Listing: true, Fetched: 40, Objects: 30, Stored: 20, Lines: 1234567, Rejected: 12, Bytes: 300e6, Elapsed: 2 * time.Second},
			"listed 1,000 files (3.5 MB) so far, fetched 40, parsed 30 (1,234,567 lines, 12 rejected), stored 20; 15 files/s, 150.0 MB/s"},
		// Listed: 1,000 - 400 already loaded - 300 parsed left at 300 a second.
		{ingest.Progress{Listed: 1000, ListedBytes: 2.5e9, Fetched: 310, Objects: 300, Stored: 250, Skipped: 400, Failed: 2, Lines: 999, Bytes: 1e6, Elapsed: time.Second},
			"listed 1,000 files (2.5 GB), fetched 310, parsed 300 (999 lines, 0 rejected), stored 250, 400 already loaded, 2 failed; 300 files/s, 1.0 MB/s, about 1s left"},
		{ingest.Progress{Listed: 1, ListedBytes: 2000, Fetched: 1, Objects: 1, Stored: 1, Lines: 10, Bytes: 2000, Elapsed: time.Second},
			"listed 1 file (2 KB), fetched 1, parsed 1 (10 lines, 0 rejected), stored 1; 1 files/s, 0.0 MB/s"},
		// One large file: no file parsed yet, but its bytes give the percent and the time left.
		{ingest.Progress{Listed: 1, ListedBytes: 4e9, Fetched: 1, Lines: 5e6, Bytes: 1e9, ToRead: 4e9, Read: 1e9, Elapsed: 10 * time.Second},
			"listed 1 file (4.0 GB), fetched 1, parsed 0 (5,000,000 lines, 0 rejected), stored 0; read 1.0 GB of 4.0 GB (25%); 0 files/s, 100.0 MB/s, about 30s left"},
		// Every byte read (small files read ahead of their parsing): the time left comes from the files.
		{ingest.Progress{Listed: 10, ListedBytes: 12.5e6, Fetched: 10, Objects: 4, Stored: 4, Bytes: 5e6, ToRead: 12.5e6, Read: 12.5e6, Elapsed: 2 * time.Second},
			"listed 10 files (12.5 MB), fetched 10, parsed 4 (0 lines, 0 rejected), stored 4; read 12.5 MB of 12.5 MB (100%); 2 files/s, 2.5 MB/s, about 3s left"},
		// A pipe among the sources: no total.
		{ingest.Progress{Listed: 2, ListedBytes: 4e9, Fetched: 2, Bytes: 1e9, ToRead: 4e9, Read: 1e9, Unsized: 1, Elapsed: 10 * time.Second},
			"listed 2 files (4.0 GB), fetched 2, parsed 0 (0 lines, 0 rejected), stored 0; 0 files/s, 100.0 MB/s"},
	}
	for _, tt := range tests {
		if got := progressText(tt.pr); got != tt.want {
			t.Errorf("progressText(%+v) = %q, want %q", tt.pr, got, tt.want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567"} {
		if got := ingest.Group(n); got != want {
			t.Errorf("Group(%d) = %q, want %q", n, got, want)
		}
	}
}

// shellProc is an s3logs repl in a child process, fed statements one at a
// time.
type shellProc struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *lockedBuffer
}

// lockedBuffer is a bytes.Buffer a child's stderr copier writes while the
// test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitStderr waits (at most 10s) for the shell's stderr to hold want.
func (p *shellProc) waitStderr(want string) string {
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if s := p.stderr.String(); strings.Contains(s, want) || time.Now().After(deadline) {
			return s
		}
	}
}

func startShell(t *testing.T, dbPath string) *shellProc {
	t.Helper()
	p := &shellProc{cmd: subprocess(t, "repl", "--db", dbPath), stderr: &lockedBuffer{}}
	p.cmd.Stderr = p.stderr
	p.in, _ = p.cmd.StdinPipe()
	out, _ := p.cmd.StdoutPipe()
	p.out = bufio.NewReader(out)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.in.Close(); p.cmd.Wait() })
	p.do(t, "")
	return p
}

// do sends stmt and then a marker query, and returns the output up to the
// marker: the statement has run when it returns.
func (p *shellProc) do(t *testing.T, stmt string) string {
	t.Helper()
	fmt.Fprintf(p.in, "%s\nSELECT 'done-marker' AS m;\n", stmt)
	var b strings.Builder
	for {
		line, err := p.out.ReadString('\n')
		b.WriteString(line)
		if strings.Contains(line, "done-marker") {
			return b.String()
		}
		if err != nil {
			t.Fatalf("shell ended: %v; stdout %q, stderr %q", err, b.String(), p.stderr.String())
		}
	}
}

// TestReadersSideBySide: two shells read a database while query and detect
// run beside them; a load is refused with a message that says readers hold
// the file; a shell's .load is refused while the other shell reads, and
// works once it is gone.
func TestReadersSideBySide(t *testing.T) {
	dir := isolate(t)
	dbPath := filepath.Join(dir, "shared.duckdb")
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	genFile(t, a, 10, 1)
	genFile(t, b, 7, 2)
	if code, _, stderr := cli(t, "", "load", "--db", dbPath, a); code != 0 {
		t.Fatalf("load: %d %s", code, stderr)
	}
	one := startShell(t, dbPath)
	two := startShell(t, dbPath)

	if code, out, stderr := cli(t, "", "query", "--db", dbPath, "--format", "csv", "SELECT count(*) AS n FROM aws_s3serveraccess"); code != 0 || !strings.Contains(out, "10") {
		t.Errorf("query beside two shells: exit %d, %q, %q", code, out, stderr)
	}
	if code, _, stderr := cli(t, "", "detect", "--db", dbPath); code != 0 && code != 3 {
		t.Errorf("detect beside two shells: exit %d, %q", code, stderr)
	}
	code, _, stderr := cli(t, "", "load", "--db", dbPath, b)
	if code != 1 || !strings.Contains(stderr, "is open for reading by") || !strings.Contains(stderr, "close those, or wait for them to finish") {
		t.Errorf("load beside readers: exit %d, stderr %q", code, stderr)
	}

	// SQL that writes to the file is refused with a hint; a TEMP table works.
	one.do(t, "CREATE TABLE mine AS SELECT 1 AS x;")
	if msg := one.waitStderr("the shell opens the database read-only"); !strings.Contains(msg, "your own tables and views can be TEMP ones") {
		t.Errorf("CREATE TABLE in the shell: stderr %q", msg)
	}
	if out := one.do(t, "CREATE TEMP TABLE mine AS SELECT 41 + 1 AS x; SELECT x FROM mine;"); !strings.Contains(out, "42") {
		t.Errorf("TEMP table in the read-only shell: %q (stderr %q)", out, one.stderr.String())
	}
	one.do(t, ".load "+b)
	if msg := one.waitStderr("is open for reading by"); !strings.Contains(msg, ".load needs to write to the database") || !strings.Contains(msg, "is open for reading by") {
		t.Errorf(".load beside another reader: stderr %q", msg)
	}
	two.in.Close()
	two.cmd.Wait()
	one.do(t, ".load "+b)
	if out := one.do(t, "SELECT count(*) AS n FROM aws_s3serveraccess;"); !strings.Contains(out, "17") {
		t.Errorf("after .load alone: %q (stderr %q)", out, one.stderr.String())
	}
	// Back to read-only after the load: a query runs beside the shell.
	if code, out, stderr := cli(t, "", "query", "--db", dbPath, "--format", "csv", "SELECT count(*) AS n FROM aws_s3serveraccess"); code != 0 || !strings.Contains(out, "17") {
		t.Errorf("query after the shell's .load: exit %d, %q, %q", code, out, stderr)
	}
}

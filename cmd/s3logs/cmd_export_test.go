package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/export"
	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/queries"
	"github.com/s3logs/s3logs/schema"
)

// exportRun runs s3logs in process and returns its exit code and output.
func exportRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// exportEnv isolates the test from the user's configuration (saved queries,
// AWS profiles) and returns a fresh directory.
func exportEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("HOME", dir)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	t.Setenv("S3LOGS_DB", "")
	return dir
}

// exportLoadGenerated writes n generated lines (seed, from start over span)
// to a file and loads it into dbPath.
func exportLoadGenerated(t *testing.T, dbPath string, n int, seed int64, start time.Time, span time.Duration) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "access.log")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := gen.Write(f, n, gen.Options{Seed: seed, Start: start, Span: span, TrapRate: gen.DefaultTrapRate}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if code, _, stderr := exportRun(t, "load", "--db", dbPath, p); code != 0 && code != 3 {
		t.Fatalf("load: exit %d: %s", code, stderr)
	}
}

// exportCount runs a one-integer query against the database at dbPath.
func exportCount(t *testing.T, dbPath, q string) int64 {
	t.Helper()
	d, err := db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int64
	if err := d.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// exportDiff is a query counting the rows that differ, both ways, between
// the relations a and b.
func exportDiff(a, b string) string {
	return "SELECT (SELECT count(*) FROM (SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b + ")) + " +
		"(SELECT count(*) FROM (SELECT * FROM " + b + " EXCEPT ALL SELECT * FROM " + a + "))"
}

func TestExportCommandLake(t *testing.T) {
	dir := exportEnv(t)
	dbPath := filepath.Join(dir, "t.duckdb")
	lake := filepath.Join(dir, "lake")
	day := 24 * time.Hour
	exportLoadGenerated(t, dbPath, 4000, 7, time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC), 3*day)
	lakeRel := "(SELECT * EXCLUDE (year, month, day) FROM read_parquet(" + schema.Literal(lake+"/**/*.parquet") + ", hive_partitioning = true))"
	perDay := "SELECT count(*) FROM (SELECT strftime(p_event_time, '%Y-%m-%d') AS d, count(*) FROM aws_s3serveraccess GROUP BY d EXCEPT " +
		"SELECT year || '-' || month || '-' || day, count(*) FROM read_parquet(" + schema.Literal(lake+"/**/*.parquet") + ", hive_partitioning = true, hive_types_autocast = false) GROUP BY ALL)"

	steps := []struct {
		name   string
		before func()
		stderr string
	}{
		{"first export", func() {}, "in 3 partitions (3 files)"},
		{"again, nothing new", func() {}, "exported 0 rows in 0 partitions (0 files) to " + lake + "; 3 partitions unchanged"},
		// Logs from the last day on (2026-03-01 12:00 to 03-03 12:00) touch
		// one old partition and add two.
		{"more logs", func() {
			exportLoadGenerated(t, dbPath, 1500, 8, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), 2*day)
		}, "in 3 partitions (3 files) to " + lake + "; 2 partitions unchanged"},
	}
	for _, s := range steps {
		s.before()
		code, stdout, stderr := exportRun(t, "export", "--db", dbPath, "--table", "--partition-by", "day", "--out", lake)
		if code != 0 || !strings.Contains(stderr, s.stderr) {
			t.Fatalf("%s: exit %d, stderr %q; want 0 and %q", s.name, code, stderr, s.stderr)
		}
		for _, want := range []string{"CREATE EXTERNAL TABLE", "'projection.enabled' = 'true'", "CALL hive.system.sync_partition_metadata", "MSCK REPAIR TABLE",
			"read_parquet(" + schema.Literal(lake+"/**/*.parquet") + ", hive_partitioning = true)"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s: DDL lacks %q", s.name, want)
			}
		}
		if n := exportCount(t, dbPath, exportDiff("aws_s3serveraccess", lakeRel)); n != 0 {
			t.Errorf("%s: %d rows differ between the table and the lake", s.name, n)
		}
		if n := exportCount(t, dbPath, perDay); n != 0 {
			t.Errorf("%s: %d days with different counts", s.name, n)
		}
	}
	if n := exportCount(t, dbPath, "SELECT count(*) FROM "+lakeRel); n != 5500-exportCount(t, dbPath, "SELECT count(*) FROM aws_s3serveraccess_rejects") {
		t.Errorf("lake holds %d rows, want the 5500 lines less the rejects", n)
	}
}

func TestExportCommand(t *testing.T) {
	dir := exportEnv(t)
	dbPath := filepath.Join(dir, "t.duckdb")
	exportLoadGenerated(t, dbPath, 600, 3, time.Time{}, 0)
	srv := httptest.NewServer(gofakes3.New(exportFakeBucket(t, "exports")).Server())
	defer srv.Close()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	out := func(name string) string { return filepath.Join(dir, name) }

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
		check  string // query whose result must be 0 after the run
	}{
		{"table", []string{"--table", "--out", out("all.parquet")}, 0, "exported 600 rows to " + out("all.parquet"),
			exportDiff("aws_s3serveraccess", "read_parquet("+schema.Literal(out("all.parquet"))+")")},
		{"existing refused", []string{"--table", "--out", out("all.parquet")}, 1, "already exists; use --force", ""},
		{"existing forced", []string{"--table", "--force", "--compression", "gzip", "--out", out("all.parquet")}, 0, "exported 600 rows", ""},
		{"query with a macro", []string{"--query", "SELECT * FROM panther_logs.public.aws_s3serveraccess WHERE p_occurs_between('2026-01-15 06:00:00', '2026-01-15 12:00:00')", "--out", out("q.parquet")}, 0, "exported",
			"SELECT (" + exportDiff("(SELECT * FROM aws_s3serveraccess WHERE p_event_time BETWEEN '2026-01-15 06:00:00+00' AND '2026-01-15 12:00:00+00')", "read_parquet("+schema.Literal(out("q.parquet"))+")") +
				") + (SELECT (count(*) < 100)::INT FROM read_parquet(" + schema.Literal(out("q.parquet")) + "))"},
		{"csv by extension", []string{"--query", "SELECT p_row_id, httpstatus FROM aws_s3serveraccess", "--out", out("q.csv")}, 0, "exported 600 rows",
			exportDiff("(SELECT p_row_id, httpstatus FROM aws_s3serveraccess)", "read_csv("+schema.Literal(out("q.csv"))+", header = true, compression = 'none')")},
		{"saved with a param", []string{"--saved", "top_ips", "--param", "limit=3", "--out", out("ips.parquet")}, 0, "exported 3 rows", ""},
		{"to S3", []string{"--table", "--out", "s3://exports/x/", "--endpoint-url", srv.URL, "--no-sign-request", "--region", "us-east-1"}, 0,
			"exported 600 rows to s3://exports/x/aws_s3serveraccess.parquet", ""},
		{"lake to S3", []string{"--table", "--partition-by", "hour", "--out", "s3://exports/lake", "--endpoint-url", srv.URL, "--no-sign-request", "--region", "us-east-1"}, 0,
			"exported 600 rows in 24 partitions (24 files) to s3://exports/lake/; 0 partitions unchanged", ""},
		{"to S3 again refused", []string{"--table", "--out", "s3://exports/x/", "--endpoint-url", srv.URL, "--no-sign-request", "--region", "us-east-1"}, 1,
			"export s3://exports/x/aws_s3serveraccess.parquet: already exists", ""},
		{"bad query", []string{"--query", "SELECT * FROM nosuch", "--out", out("bad.parquet")}, 1, "export " + out("bad.parquet") + ": query failed: Catalog Error", ""},
		{"unwritable", []string{"--table", "--out", filepath.Join(file, "x.parquet")}, 1, "not a directory", ""},
		{"no output", []string{"--table"}, 2, "--out is required", ""},
		{"positional argument", []string{"--table", "out.parquet"}, 2, `unexpected argument "out.parquet"`, ""},
		{"two sources", []string{"--table", "--query", "SELECT 1", "--out", out("y")}, 2, "exactly one of", ""},
		{"param without saved", []string{"--table", "--param", "a=b", "--out", out("y")}, 2, "--param needs --saved", ""},
		{"bad param", []string{"--saved", "top_ips", "--param", "ab", "--out", out("y")}, 2, "want key=value", ""},
		{"unknown saved", []string{"--saved", "nosuch", "--out", out("y")}, 2, "no such saved query", ""},
		{"bad partition", []string{"--table", "--partition-by", "week", "--out", out("y")}, 2, `partition by "week"`, ""},
		{"bad compression", []string{"--table", "--compression", "lz4", "--out", out("y")}, 2, `compression "lz4"`, ""},
		{"bad macro", []string{"--query", "SELECT * FROM aws_s3serveraccess WHERE p_occurs_since('3 fortnights')", "--out", out("y")}, 2, "p_occurs_since", ""},
		{"help", []string{"--help"}, 0, "", ""},
	}
	stdoutWant := map[string]string{ // by test name; the others print nothing on stdout
		"lake to S3": "'storage.location.template' = 's3://exports/lake/year=${year}/month=${month}/day=${day}/hour=${hour}/'",
		"help":       "Usage: s3logs export",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"export", "--db", dbPath}, tt.args...)
			code, stdout, stderr := exportRun(t, args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) || !strings.Contains(stdout, stdoutWant[tt.name]) || (stdoutWant[tt.name] == "") != (stdout == "") {
				t.Fatalf("exit %d, stderr %q, stdout %.80q; want %d, %q and stdout with %q", code, stderr, stdout, tt.code, tt.stderr, stdoutWant[tt.name])
			}
			if tt.check != "" {
				if n := exportCount(t, dbPath, tt.check); n != 0 {
					t.Errorf("%s = %d, want 0", tt.check, n)
				}
			}
		})
	}
	if _, err := os.Stat(out("y")); !os.IsNotExist(err) {
		t.Errorf("a failed export created %s", out("y"))
	}
}

// TestExportMissingDatabase checks that exporting from a database file that
// does not exist fails with a message saying how to make one, instead of
// creating an empty database and exporting nothing with exit 0.
func TestExportMissingDatabase(t *testing.T) {
	dir := exportEnv(t)
	dbPath := filepath.Join(dir, "typo.duckdb")
	out := filepath.Join(dir, "all.parquet")
	code, stdout, stderr := exportRun(t, "export", "--db", dbPath, "--table", "--out", out)
	want := "s3logs: no database " + dbPath + ": load logs first with 's3logs load --db " + dbPath + " SOURCE...', or try 's3logs demo'\n"
	if code != 1 || stderr != want || stdout != "" {
		t.Fatalf("exit %d, stderr %q, stdout %q; want 1, %q and no stdout", code, stderr, stdout, want)
	}
	for _, p := range []string{dbPath, out} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("the failed export left %s behind (stat: %v)", p, err)
		}
	}
}

// exportFakeBucket returns an in-memory S3 backend holding an empty bucket.
func exportFakeBucket(t *testing.T, name string) *s3mem.Backend {
	t.Helper()
	b := s3mem.New()
	if err := b.CreateBucket(name); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestExportEndpointFromEnv: export takes its S3 endpoint from
// AWS_ENDPOINT_URL_S3 as load does, so a local store named there is
// addressed path-style (bucket in the path, not in the host name). Export
// had its own --endpoint-url with no environment default; the SDK then
// took the endpoint from the environment by itself, virtual-hosted.
func TestExportEndpointFromEnv(t *testing.T) {
	tests := []struct {
		env, flag, want string
	}{
		{"http://127.0.0.1:9000", "", "http://127.0.0.1:9000"},
		{"http://127.0.0.1:9000", "http://127.0.0.1:9001", "http://127.0.0.1:9001"},
	}
	for _, tt := range tests {
		exportEnv(t)
		t.Setenv("AWS_ENDPOINT_URL_S3", tt.env)
		t.Setenv("AWS_ENDPOINT_URL", "")
		fs := newFlagSet("export")
		f := defineExportFlags(fs)
		args := []string{"--table", "--out", "s3://b/p/", "--region", "us-east-1"}
		if tt.flag != "" {
			args = append(args, "--endpoint-url", tt.flag)
		}
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		opts, err := f.options(context.Background(), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		c, ok := opts.S3.(*awss3.Client)
		if !ok {
			t.Fatalf("opts.S3 is %T, want *s3.Client", opts.S3)
		}
		o := c.Options()
		if got := aws.ToString(o.BaseEndpoint); got != tt.want || !o.UsePathStyle {
			t.Errorf("env %s, flag %q: endpoint %q, path-style %v; want %s, path-style", tt.env, tt.flag, got, o.UsePathStyle, tt.want)
		}
	}
}

// TestLakeReloadMovesDays is issue 15's case: a file loaded and exported
// to a lake is changed so that its rows move to another day and loaded
// again; the next export leaves no row twice in the lake.
func TestLakeReloadMovesDays(t *testing.T) {
	lines := qcLines()
	dbPath, dir := qcSetup(t, lines)
	logPath := filepath.Join(dir, "access.log")
	lake := filepath.Join(dir, "lake")
	if code, _, stderr := qcRun(t, "export", "--db", dbPath, "--table", "--partition-by", "day", "--out", lake); code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	var b strings.Builder
	for _, l := range lines {
		l.at = l.at.Add(72 * time.Hour)
		b.WriteString(l.String() + "\n")
	}
	if err := os.WriteFile(logPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := qcRun(t, "load", "--db", dbPath, logPath); code != 0 {
		t.Fatalf("reload: %d %s", code, stderr)
	}
	code, _, stderr := qcRun(t, "export", "--db", dbPath, "--table", "--partition-by", "day", "--out", lake)
	if code != 0 || !strings.Contains(stderr, "removed") {
		t.Fatalf("re-export: %d %s", code, stderr)
	}
	q := fmt.Sprintf("SELECT count(*) AS n, count(DISTINCT p_row_id) AS ids, (SELECT count(*) FROM aws_s3serveraccess) AS tbl FROM read_parquet('%s/**/*.parquet')", lake)
	want := fmt.Sprintf("n,ids,tbl\n%d,%d,%d\n", len(lines), len(lines), len(lines))
	if code, out, stderr := qcRun(t, "query", "--db", dbPath, "--format", "csv", q); code != 0 || out != want {
		t.Errorf("lake read back: %d %q %s; want %q", code, out, stderr, want)
	}
}

// TestNumbersGrouped: counts print grouped by thousands everywhere, as the
// load summary does: export said "exported 200000 rows", the shell's
// banner "(200000 rows ...)".
func TestNumbersGrouped(t *testing.T) {
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb}
	reportExport(env, export.Result{Rows: 200000, Out: "x.parquet"}, export.Options{})
	reportExport(env, export.Result{Rows: 1234567, Partitions: 1200, Unchanged: 3000, NoTime: 4500, Out: "lake/"}, export.Options{PartitionBy: "day"})
	want := "exported 200,000 rows to x.parquet\nexported 1,234,567 rows in 1,200 partitions (0 files) to lake/; 3,000 partitions unchanged\nwarning: 4,500 rows without p_event_time are not in the lake\n"
	if errb.String() != want {
		t.Errorf("export summaries:\n%s\nwant:\n%s", errb.String(), want)
	}
	span := queries.Span{Rows: 200000, First: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Last: time.Date(2024, 6, 7, 0, 0, 0, 0, time.UTC)}
	if b := replBanner("x.duckdb", span); !strings.HasPrefix(b, "s3logs shell on x.duckdb: 200,000 rows from 2024-06-01 00:00:00 to 2024-06-07 00:00:00 UTC in aws_s3serveraccess.") {
		t.Errorf("banner %q", b)
	}
}

// TestExportOutputNames: --out - writes to standard output (no file named
// -), a name whose extension names no format is a usage error that names
// the formats, and an empty --db is a usage error for every command.
func TestExportOutputNames(t *testing.T) {
	dir := isolate(t)
	t.Chdir(dir)
	dbPath := filepath.Join(dir, "t.duckdb")
	logs := filepath.Join(dir, "a.log")
	genFile(t, logs, 5, 3)
	if code, _, stderr := cli(t, "", "load", "--db", dbPath, logs); code != 0 && code != 3 {
		t.Fatalf("load: %d %s", code, stderr)
	}
	code, out, stderr := cli(t, "", "export", "--db", dbPath, "--query", "SELECT bucket FROM aws_s3serveraccess", "--format", "csv", "--out", "-")
	if code != 0 || !strings.HasPrefix(out, "bucket\n") || strings.Count(out, "\n") != 6 || !strings.Contains(stderr, "exported 5 rows to standard output") {
		t.Errorf("--out - --format csv: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	// The count is grouped as in every other summary.
	if code, _, stderr := cli(t, "", "export", "--db", dbPath, "--query", "SELECT * FROM range(12345)", "--format", "csv", "--out", "-"); code != 0 || !strings.Contains(stderr, "exported 12,345 rows to standard output") {
		t.Errorf("--out - of 12,345 rows: exit %d, stderr %q", code, stderr)
	}
	code, out, stderr = cli(t, "", "export", "--db", dbPath, "--table", "--out", "-")
	if code != 0 || !strings.HasPrefix(out, "PAR1") {
		t.Errorf("--out - to a pipe: exit %d, stdout %.20q, stderr %q", code, out, stderr)
	}
	if _, err := os.Lstat(filepath.Join(dir, "-")); err == nil {
		t.Errorf("--out - wrote a file named -")
	}
	for _, name := range []string{"x.csv.bz2", "x.txt"} {
		code, _, stderr = cli(t, "", "export", "--db", dbPath, "--table", "--out", name)
		if code != 2 || !strings.Contains(stderr, "cannot tell the format from the name "+name+": want .parquet, or .csv, .json, .ndjson or .jsonl") {
			t.Errorf("--out %s: exit %d, stderr %q", name, code, stderr)
		}
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			t.Errorf("--out %s wrote a file", name)
		}
	}
	for _, args := range [][]string{{"load", "--db", "", logs}, {"query", "--db", "", "SELECT 1"}, {"detect", "--db", ""}, {"export", "--db", "", "--table", "--out", "y.parquet"}} {
		code, _, stderr = cli(t, "", args...)
		if code != 2 || !strings.Contains(stderr, "empty database path (an unset variable?)") {
			t.Errorf("%s --db '': exit %d, stderr %q", args[0], code, stderr)
		}
	}
}

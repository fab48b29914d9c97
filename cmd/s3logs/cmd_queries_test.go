package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// qcRun runs s3logs in process and returns its exit code and output.
func qcRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// qcLine is one S3 server access log line with the fields the tests vary.
type qcLine struct {
	at                             time.Time
	bucket, ip, requester, op, key string
	status                         int
	errcode, ua, tls               string
	bytes                          int
}

func (l qcLine) String() string {
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	uri := fmt.Sprintf("GET /%s/%s HTTP/1.1", l.bucket, l.key)
	cipher := "ECDHE-RSA-AES128-GCM-SHA256"
	if l.tls == "" {
		cipher = "-"
	}
	return fmt.Sprintf(`79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be %s [%s] %s %s 3E57427F3EXAMPLE %s %s "%s" %d %s %d - 7 - "-" "%s" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 %s AuthHeader %s.s3.amazonaws.com %s - -`,
		l.bucket, l.at.Format("02/Jan/2006:15:04:05 -0700"), dash(l.ip), dash(l.requester), l.op, dash(l.key), uri, l.status,
		dash(l.errcode), l.bytes, l.ua, cipher, l.bucket, dash(l.tls))
}

// qcSetup isolates the test from the user's configuration, writes lines to
// a log file, loads it and returns the database path and the temp dir.
func qcSetup(t *testing.T, lines []qcLine) (dbPath, dir string) {
	t.Helper()
	dir = t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("HOME", dir)
	t.Setenv("S3LOGS_DB", "")
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.String() + "\n")
	}
	logPath := filepath.Join(dir, "access.log")
	if err := os.WriteFile(logPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	dbPath = filepath.Join(dir, "t.duckdb")
	if code, _, stderr := qcRun(t, "load", "--db", dbPath, logPath); code != 0 {
		t.Fatalf("load: exit %d: %s", code, stderr)
	}
	return dbPath, dir
}

var qcBase = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// qcLines is a small story: two readers of one bucket, an outsider denied
// five times in a minute, and one download over TLS 1.0 at night.
func qcLines() []qcLine {
	alice := "arn:aws:iam::111111111111:user/alice"
	eve := "arn:aws:iam::999999999999:user/eve"
	ls := []qcLine{
		{at: qcBase, bucket: "data", ip: "10.0.0.5", requester: alice, op: "REST.GET.OBJECT", key: "a.csv", status: 200, ua: "aws-cli/2", tls: "TLSv1.2", bytes: 100},
		{at: qcBase.Add(time.Minute), bucket: "data", ip: "10.0.0.5", requester: alice, op: "REST.GET.OBJECT", key: "b.csv", status: 200, ua: "aws-cli/2", tls: "TLSv1.2", bytes: 200},
		{at: qcBase.Add(-8 * time.Hour), bucket: "data", ip: "198.51.100.7", requester: alice, op: "REST.GET.OBJECT", key: "c.csv", status: 200, ua: "aws-cli/2", tls: "TLSv1", bytes: 300},
	}
	for i := 0; i < 5; i++ {
		ls = append(ls, qcLine{at: qcBase.Add(time.Hour + time.Duration(i)*10*time.Second), bucket: "data", ip: "203.0.113.9", requester: eve,
			op: "REST.GET.OBJECT", key: fmt.Sprintf("secret/%d", i), status: 403, errcode: "AccessDenied", ua: "Mozilla/5.0", tls: "TLSv1.2", bytes: 243})
	}
	return ls
}

func TestQueriesCommand(t *testing.T) {
	dbPath, dir := qcSetup(t, qcLines())
	userDir := filepath.Join(dir, "myqueries")
	if err := os.MkdirAll(userDir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(userDir, "top_ips.sql"), []byte("-- name: top_ips\n-- title: Mine\n-- param: n int default=1\n\nSELECT remoteip FROM aws_s3serveraccess ORDER BY remoteip LIMIT $n\n"), 0o644)
	brokenDir := filepath.Join(dir, "broken")
	os.MkdirAll(brokenDir, 0o755)
	os.WriteFile(filepath.Join(brokenDir, "x.sql"), []byte("-- name: x\n-- title: X\n-- colour: red\n\nSELECT 1\n"), 0o644)

	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // exact, unless contains is set
		contains bool
		stderr   string // substring
	}{
		{"list", []string{"queries", "list"}, 0, "\nips_for_bucket              Remote IPs that accessed a bucket                    bucket! start=now-30d end=now\n", true, ""},
		{"list by tag", []string{"queries", "list", "--tag", "signature"}, 0, "NAME            TITLE                                PARAMETERS\nsigv2_requests  Requesters still signing with SigV2  start end\n", false, ""},
		{"list by unknown tag", []string{"queries", "list", "--tag", "nosuch"}, 1, "", false, `no saved query has tag "nosuch"`},
		{"show", []string{"queries", "show", "bytes_sent_to_ip"}, 0, "  --param ip=     string     required  Remote IP address\n", true, ""},
		{"run csv with params", []string{"queries", "run", "bytes_sent_to_ip", "--db", dbPath, "--format", "csv", "--param", "ip=10.0.0.5"}, 0,
			"bucket,requester,requests,bytes_sent,distinct_keys,first_seen,last_seen\ndata,arn:aws:iam::111111111111:user/alice,2,300,2,2026-03-02T09:00:00Z,2026-03-02T09:01:00Z\n", false, ""},
		{"flags before name", []string{"queries", "--db", dbPath, "--format", "csv", "run", "--param", "limit=1", "top_ips"}, 0,
			"remoteip,requests,errors,bytes_sent,principals,buckets\n203.0.113.9,5,5,1215,1,1\n", false, ""},
		{"injection is a value", []string{"queries", "run", "bytes_sent_to_ip", "--db", dbPath, "--format", "csv", "--param", "ip=x'; DROP TABLE aws_s3serveraccess; --"}, 0,
			"bucket,requester,requests,bytes_sent,distinct_keys,first_seen,last_seen\n", false, ""},
		{"table survived", []string{"queries", "run", "activity_overview", "--db", dbPath, "--format", "csv"}, 0, "\n8,3,0,5,0,1,2,0,3,8,1815,", true, ""},
		{"user override", []string{"queries", "run", "top_ips", "--db", dbPath, "--format", "csv", "--queries-dir", userDir}, 0, "remoteip\n10.0.0.5\n", false, "note: top_ips is your query from " + filepath.Join(userDir, "top_ips.sql") + ", which overrides the built-in one\n"},
		{"relative default before the data says why", []string{"queries", "run", "ips_for_bucket", "--db", dbPath, "--format", "csv", "--param", "bucket=data"}, 0,
			"remoteip,requests,principals,first_seen,last_seen\n", false,
			"which counts back from the clock, not from the data; the data holds 8 rows from 2026-03-02 01:00:00 to 2026-03-02 10:00:40 UTC: try --param start=2026-03-02 --param end=2026-03-03\n"},
		{"no note when the window was absolute", []string{"queries", "run", "ips_for_bucket", "--db", dbPath, "--format", "csv", "--param", "bucket=nope", "--param", "start=2026-03-01", "--param", "end=2026-03-03"}, 0,
			"remoteip,requests,principals,first_seen,last_seen\n", false, ""},
		{"p_occurs_since before the data says why", []string{"query", "--db", dbPath, "--format", "csv", "SELECT bucket FROM aws_s3serveraccess WHERE p_occurs_since('1 d')"}, 0,
			"bucket\n", false, "try p_occurs_between('2026-03-02', '2026-03-03')\n"},
		{"missing required", []string{"queries", "run", "bytes_sent_to_ip", "--db", dbPath}, 2, "", false, "missing required parameter ip (string): use --param ip=VALUE"},
		{"bad value", []string{"queries", "run", "top_ips", "--db", dbPath, "--param", "limit=ten"}, 2, "", false, `parameter limit: invalid int "ten"`},
		{"unknown param", []string{"queries", "run", "top_ips", "--db", dbPath, "--param", "bucket=data", "--param", "lmit=1"}, 2, "", false, "unknown parameter lmit"},
		{"duplicate param", []string{"queries", "run", "top_ips", "--param", "limit=1", "--param", "limit=2"}, 2, "", false, "parameter limit given twice"},
		{"unknown query", []string{"queries", "run", "top_ip", "--db", dbPath}, 1, "", false, `no such saved query: "top_ip" (did you mean top_ips?)`},
		{"broken user query", []string{"queries", "list", "--queries-dir", brokenDir}, 1, "", false, "x.sql:3: colour: unknown key"},
		{"missing queries dir", []string{"queries", "list", "--queries-dir", filepath.Join(dir, "nope")}, 1, "", false, "queries folder"},
		{"no subcommand", []string{"queries"}, 2, "", false, "want list, show NAME or run NAME"},
		{"bad subcommand", []string{"queries", "delete", "x"}, 2, "", false, `unknown subcommand "delete"`},
		{"show without name", []string{"queries", "show"}, 2, "", false, "show wants one query NAME"},
		{"missing database", []string{"queries", "run", "top_ips", "--db", filepath.Join(dir, "none.duckdb")}, 1, "", false, "no database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := qcRun(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			if tt.contains && !strings.Contains(out, tt.stdout) || !tt.contains && out != tt.stdout {
				t.Errorf("stdout\n%s\nwant (contains=%v)\n%s", out, tt.contains, tt.stdout)
			}
			if !strings.Contains(errOut, tt.stderr) || (tt.stderr == "" && errOut != "") {
				t.Errorf("stderr %q does not contain %q", errOut, tt.stderr)
			}
		})
	}
}

// TestDidYouMean: a mistyped command, flag, query name or rule ID gets the
// nearest real one; a rule is also found by a unique part of its ID.
func TestDidYouMean(t *testing.T) {
	dbPath, _ := qcSetup(t, qcLines())
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"lod", "x.log"}, exitUsage, `s3logs: unknown command "lod" (did you mean load?); run 's3logs help' for the list`},
		{[]string{"help", "detetc"}, exitUsage, `s3logs: unknown command "detetc" (did you mean detect?)`},
		{[]string{"load", "--sinc", "7d", "x.log"}, exitUsage, "s3logs load: unknown flag --sinc (did you mean --since?)"},
		{[]string{"load", "--workers", "abc", "x.log"}, exitUsage, `s3logs load: invalid value "abc" for flag --workers: parse error`},
		{[]string{"load", "--db"}, exitUsage, "s3logs load: flag needs an argument: --db\n"},
		{[]string{"load", "--since", `x" for flag -since: `, "x.log"}, exitUsage, `s3logs load: invalid value "x\" for flag -since: " for flag --since: invalid time`},
		{[]string{"detect", "--db", dbPath, "--rule", "volume_exfiltraton"}, exitUsage, `unknown rule "volume_exfiltraton" (did you mean s3logs.volume_exfiltration?)`},
		{[]string{"queries", "run", "--db", dbPath, "top_ipz"}, exitError, `no such saved query: "top_ipz" (did you mean top_ips?)`},
		{[]string{"detect", "--db", dbPath, "--rule", "AWS.S3.ServerAccess.Eror"}, exitUsage, `unknown rule "AWS.S3.ServerAccess.Eror" (did you mean AWS.S3.ServerAccess.Error?)`},
		{[]string{"query", "--db", dbPath, "SELECT * FROM requests"}, exitError, "s3logs' tables are aws_s3serveraccess, aws_s3serveraccess_rejects, s3logs_manifest"},
	} {
		code, _, stderr := qcRun(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", strings.Join(tc.args, " "), code, stderr, tc.code, tc.stderr)
		}
	}
	if code, out, stderr := qcRun(t, "detect", "--db", dbPath, "--rule", "access_denied", "--samples", "0"); code != 0 || !strings.Contains(out, "No alerts.") {
		t.Errorf("detect --rule by a unique part: exit %d, %s %s", code, out, stderr)
	}
}

// TestQueriesRunBounds: a negative limit is a usage error before the
// database is opened, not DuckDB's.
func TestQueriesRunBounds(t *testing.T) {
	dir := isolate(t)
	dbPath := filepath.Join(dir, "none.duckdb")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"queries", "run", "large_downloads", "--db", dbPath, "--param", "limit=-1"}, "parameter limit: -1 is below the minimum, 0"},
	} {
		code, _, stderr := cli(t, "", tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

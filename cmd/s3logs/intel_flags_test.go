package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIntelFlags runs query and detect with intelligence files on the demo
// logs: the facts reach the enriched view and the listed-IP rule, and a
// missing or malformed file is an error naming it (exit 1), a bad kind a
// usage error (exit 2).
func TestIntelFlags(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "demo.duckdb")
	if code, _, stderr := cli(t, "", "demo", "--db", dbPath); code != 0 {
		t.Fatalf("demo: %d %s", code, stderr)
	}
	ranges := filepath.Join(dir, "ip-ranges.json")
	os.WriteFile(ranges, []byte(`{"prefixes": [{"ip_prefix": "72.21.192.0/19", "region": "us-east-1", "service": "S3"}]}`), 0o644)
	list := filepath.Join(dir, "intel.txt")
	os.WriteFile(list, []byte("# test list\n192.0.2.0/24 documentation net\n"), 0o644)
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("192.0.2.0/24\nnot-an-ip\n"), 0o644)
	q := "SELECT remoteip, remoteip_class, remoteip_aws_service, array_to_string(remoteip_labels, ',') AS labels FROM aws_s3serveraccess_enriched WHERE remoteip IN ('72.21.217.31', '192.0.2.3') GROUP BY ALL ORDER BY 1"
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"without files", []string{"query", "--db", dbPath, "--format", "csv", q}, 0,
			"remoteip,remoteip_class,remoteip_aws_service,labels\n192.0.2.3,public,,\n72.21.217.31,public,,\n", ""},
		{"with files", []string{"query", "--db", dbPath, "--format", "csv", "--ip-ranges", ranges, "--ip-list", "intel=" + list, q}, 0,
			"remoteip,remoteip_class,remoteip_aws_service,labels\n192.0.2.3,public,,documentation net\n72.21.217.31,aws,S3,\n", ""},
		{"missing file", []string{"query", "--db", dbPath, "--ip-ranges", filepath.Join(dir, "nope.json"), q}, 1, "", "nope.json: no such file"},
		{"malformed list", []string{"queries", "run", "top_ips", "--db", dbPath, "--ip-list", "deny=" + bad}, 1, "", `bad.txt:2: "not-an-ip" is not an IP address or CIDR network`},
		{"bad kind", []string{"detect", "--db", dbPath, "--ip-list", "deny="}, 2, "", "no file after deny="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, "", tt.args...)
			if code != tt.code || stdout != tt.stdout && tt.stdout != "" || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d (want %d)\nstdout %q\nwant   %q\nstderr %q (want it to contain %q)", code, tt.code, stdout, tt.stdout, stderr, tt.stderr)
			}
		})
	}
}

// TestExportTimeline writes the demo's timeline with s3logs export
// --timeline and reads its first event back.
func TestExportTimeline(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "demo.duckdb")
	if code, _, stderr := cli(t, "", "demo", "--db", dbPath); code != 0 {
		t.Fatalf("demo: %d %s", code, stderr)
	}
	out := filepath.Join(dir, "case.jsonl")
	if code, _, stderr := cli(t, "", "export", "--db", dbPath, "--timeline", "--query", "SELECT * FROM aws_s3serveraccess_enriched WHERE bucket = 'awsexamplebucket1'", "--out", out); code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	for _, want := range []string{`{"message":"`, `"datetime":"`, `"timestamp_desc":"Request Received"`, `"bucket":"awsexamplebucket1"`, `"requester_type":"`} {
		if !strings.Contains(first, want) {
			t.Errorf("first event lacks %s: %s", want, first)
		}
	}
	if code, _, stderr := cli(t, "", "export", "--db", dbPath, "--timeline", "--table", "--out", filepath.Join(dir, "x.parquet")); code != 2 || !strings.Contains(stderr, "timeline is a .csv or .jsonl") {
		t.Errorf("Parquet timeline: exit %d, %s", code, stderr)
	}
}

// TestReplIntel starts the shell with an IP list: .demo's rows are looked
// up (as .load's are), .detect reports the listed addresses, and .detect
// refuses intelligence flags of its own.
func TestReplIntel(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	list := filepath.Join(t.TempDir(), "intel.txt")
	os.WriteFile(list, []byte("89.160.20.156 sample scanner\n"), 0o644)
	script := `.demo
SELECT DISTINCT remoteip, array_to_string(remoteip_labels, ',') AS labels FROM aws_s3serveraccess_enriched WHERE remoteip_lists IS NOT NULL;
.detect --rule s3logs.listed_ip --format json
.detect --ip-list other.txt
`
	code, stdout, stderr := replCLI(t, script, "--db", ":memory:", "--ip-list", list)
	if code != exitError {
		t.Errorf("exit code %d, want 1 (the last .detect fails)", code)
	}
	for _, want := range []string{"89.160.20.156 | sample scanner", "Request from intel-listed IP 89.160.20.156 (sample scanner)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "line 4: .detect uses the intelligence files the shell was started with") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

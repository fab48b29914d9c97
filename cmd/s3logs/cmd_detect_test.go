package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3logs/s3logs/queries"
)

func TestDetectCommand(t *testing.T) {
	dbPath, dir := qcSetup(t, qcLines())
	cfg := filepath.Join(dir, "detect.json")
	os.WriteFile(cfg, []byte(`{"rules": {"s3logs.access_denied_burst": {"threshold": 5}}}`), 0o644)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"allowed_netwroks": []}`), 0o644)

	t.Run("json alerts", func(t *testing.T) {
		code, out, errOut := qcRun(t, "detect", "--db", dbPath, "--format", "json", "--config", cfg)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var a struct {
				RuleID   string `json:"rule_id"`
				Severity string
				Title    string
				First    string
				Last     string
				Count    int
				Samples  []map[string]any
			}
			if err := json.Unmarshal([]byte(line), &a); err != nil {
				t.Fatalf("%v: %s", err, line)
			}
			got = append(got, strings.Join([]string{a.RuleID, a.Severity, a.Title, a.First, a.Last}, " | ")+" | "+string(rune('0'+a.Count))+" | "+string(rune('0'+len(a.Samples))))
		}
		// Most severe first, then by time.
		want := []string{
			"tailpipe.s3_object_accessed_using_insecure_tls_version | Medium | Object accessed using insecure TLS version in S3 Bucket [data] | 2026-03-02T01:00:00Z | 2026-03-02T01:00:00Z | 1 | 1",
			"s3logs.access_denied_burst | Medium | AccessDenied burst from [arn:aws:iam::999999999999:user/eve] | 2026-03-02T10:00:00Z | 2026-03-02T10:00:40Z | 5 | 3",
			"tailpipe.s3_object_accessed_outside_business_hours | Info | Object accessed outside business hours in S3 Bucket [data] | 2026-03-02T01:00:00Z | 2026-03-02T01:00:00Z | 1 | 1",
			"AWS.S3.ServerAccess.Error | Info | 403 errors found to S3 Bucket [data] | 2026-03-02T10:00:00Z | 2026-03-02T10:00:40Z | 5 | 3",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("alerts\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{"table: roll-up, alerts by severity then time, roll-up, no samples", []string{"detect", "--db", dbPath}, 0, "SEVERITY ALERTS EVENTS RULE Medium 1 1 tailpipe.s3_object_accessed_using_insecure_tls_version Info 1 1 tailpipe.s3_object_accessed_outside_business_hours Info 1 5 AWS.S3.ServerAccess.Error 3 alerts: 1 Medium, 2 Info. # SEVERITY RULE FIRST (UTC) LAST (UTC) COUNT TITLE 1 Medium tailpipe.s3_object_accessed_using_insecure_tls_version 2026-03-02 01:00:00 2026-03-02 01:00:00 1 Object accessed using insecure TLS version in S3 Bucket [data] 2 Info tailpipe.s3_object_accessed_outside_business_hours 2026-03-02 01:00:00 2026-03-02 01:00:00 1 Object accessed outside business hours in S3 Bucket [data] 3 Info AWS.S3.ServerAccess.Error 2026-03-02 10:00:00 2026-03-02 10:00:40 5 403 errors found to S3 Bucket [data] SEVERITY ALERTS EVENTS RULE Medium 1 1 tailpipe.s3_object_accessed_using_insecure_tls_version Info 1 1 tailpipe.s3_object_accessed_outside_business_hours Info 1 5 AWS.S3.ServerAccess.Error 3 alerts: 1 Medium, 2 Info. Sample events: --samples N for each alert, or --alert # for one.\n", ""},
		{"samples on request", []string{"detect", "--db", dbPath, "--samples", "2"}, 0, "3 alerts: 1 Medium, 2 Info.\n\nSample events:\n\n#1 Object accessed using insecure TLS version in S3 Bucket [data]\n  2026-03-02 01:00:00 198.51.100.7", ""},
		{"one alert by number", []string{"detect", "--db", dbPath, "--alert", "3"}, 0, "#3 Info AWS.S3.ServerAccess.Error\n403 errors found to S3 Bucket [data]\n2026-03-02 10:00:00 to 2026-03-02 10:00:40 UTC, 5 events (threshold 5, dedup 180m)\n\nSample events:\n  2026-03-02 10:00:00 203.0.113.9", ""},
		{"alert number out of range", []string{"detect", "--db", dbPath, "--alert", "4"}, 1, "", "--alert 4: there are 3 alerts (numbered 1 to 3 in the table)"},
		{"one rule by id, off by default", []string{"detect", "--db", dbPath, "--rule", "AWS.S3.ServerAccess.IPWhitelist", "--allow-cidr", "10.0.0.0/8,203.0.113.0/24"}, 0, "1 Medium AWS.S3.ServerAccess.IPWhitelist 2026-03-02 01:00:00 2026-03-02 01:00:00 1 Non-Approved IP access to S3 Bucket [data] SEVERITY", ""},
		{"since excludes the night", []string{"detect", "--db", dbPath, "--rule", "tailpipe.s3_object_accessed_using_insecure_tls_version", "--since", "2026-03-02T05:00:00Z"}, 0, "No alerts.\n", ""},
		{"relative window before the data says why", []string{"detect", "--db", dbPath, "--since", "7d"}, 0, "No alerts.\n",
			"which counts back from the clock, not from the data; the data holds 8 rows from 2026-03-02 01:00:00 to 2026-03-02 10:00:40 UTC: try --since 2026-03-02\n"},
		{"IPv6 allowed network", []string{"detect", "--db", dbPath, "--rule", "AWS.S3.ServerAccess.IPWhitelist", "--allow-cidr", "10.0.0.0/8,203.0.113.0/24,2001:db8::/32"}, 0, "1 alert: 1 Medium.", ""},
		{"list", []string{"detect", "--list"}, 0, "s3logs.mass_deletion", ""},
		{"unknown rule", []string{"detect", "--db", dbPath, "--rule", "nope"}, 2, "", `unknown rule "nope"`},
		{"bad format", []string{"detect", "--db", dbPath, "--format", "xml"}, 2, "", "want table or json"},
		{"bad since", []string{"detect", "--db", dbPath, "--since", "yesterday"}, 2, "", `invalid value "yesterday" for flag --since: invalid time "yesterday"`},
		{"until not after since", []string{"detect", "--db", dbPath, "--since", "2026-03-02", "--until", "2026-03-01"}, 2, "", "--until must be after --since"},
		{"bad cidr flag", []string{"detect", "--db", dbPath, "--allow-cidr", "10.0.0.0/40"}, 2, "", `"10.0.0.0/40" is not a CIDR network`},
		{"bad config", []string{"detect", "--db", dbPath, "--config", bad}, 1, "", `bad.json: json: unknown field "allowed_netwroks"`},
		{"missing database", []string{"detect", "--db", filepath.Join(dir, "none.duckdb")}, 1, "", "no database"},
	}
	t.Run("samples 0 prints no sample header", func(t *testing.T) {
		code, out, errOut := qcRun(t, "detect", "--db", dbPath, "--samples", "0")
		if code != 0 || strings.Contains(out, "Sample") || !strings.HasSuffix(out, "3 alerts: 1 Medium, 2 Info.\n") {
			t.Errorf("exit %d, %s\n%s", code, errOut, out)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := qcRun(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			// Table columns are padded to the widest cell: compare with
			// runs of spaces collapsed.
			if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(tt.stdout), " ")) {
				t.Errorf("stdout\n%s\ndoes not contain\n%s", out, tt.stdout)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.stderr)
			}
		})
	}
}

// TestAlertsTableControls: an alert's title and its sample events carry log
// values (user agents, requesters, keys), which an attacker writes; printed
// to a terminal, an escape sequence in them would set its title, its colours
// or its clipboard. They are shown escaped, as query results are.
func TestAlertsTableControls(t *testing.T) {
	hostile := "curl/7 \x1b]2;PWNED\x07\x1b[31mRED\x1b[0m \u202e \u009b2J"
	a := queries.Alert{RuleID: "s3logs.volume_exfiltration", Severity: queries.High, Title: "High volume of data sent to [" + hostile + "]",
		First: time.Unix(0, 0).UTC(), Last: time.Unix(60, 0).UTC(), Count: 1, Threshold: 1, DedupMin: 60,
		Samples: []queries.Event{{Time: time.Unix(0, 0).UTC(), RowID: "r1", Bucket: "b", Key: "k\x1b[2J", Requester: hostile, UserAgent: hostile}}}
	for name, write := range map[string]func(w io.Writer) error{
		"table":        func(w io.Writer) error { return writeAlertsTable(w, []queries.Alert{a}, true, false) },
		"one alert":    func(w io.Writer) error { return writeAlert(w, 1, a) },
		"table, hints": func(w io.Writer) error { return writeAlertsTable(w, []queries.Alert{a}, false, true) },
	} {
		var b strings.Builder
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if strings.ContainsAny(out, "\x1b\x07\u202e\u009b") {
			t.Errorf("%s: control characters reach the terminal: %q", name, out)
		}
		if !strings.Contains(out, `curl/7 \x1B]2;PWNED`) {
			t.Errorf("%s: the title is not shown escaped: %q", name, out)
		}
	}
}

// TestAlertsJSONEscapesControls: detect --format json writes the C1
// controls, DEL and bidi overrides of a log field as \u escapes (encoding/json
// leaves them raw, and a terminal obeys U+009B as CSI); the JSON decodes to
// the same title.
func TestAlertsJSONEscapesControls(t *testing.T) {
	for _, title := range []string{
		"ua \x1b[2J\u009b31m\u202eevil\x7f \u2066x\u2069 é",
		"plain ascii",
		"",
	} {
		var b bytes.Buffer
		if err := writeAlertsJSON(&b, []queries.Alert{{RuleID: "r", Title: title}}); err != nil {
			t.Fatal(err)
		}
		for _, raw := range []string{"\x1b", "\u009b", "\u202e", "\x7f", "\u2066"} {
			if strings.Contains(b.String(), raw) {
				t.Errorf("title %q: output holds %q raw: %q", title, raw, b.String())
			}
		}
		var got queries.Alert
		if err := json.Unmarshal(b.Bytes(), &got); err != nil || got.Title != title {
			t.Errorf("title %q: decoded %q, %v", title, got.Title, err)
		}
		if !strings.HasSuffix(b.String(), "}\n") {
			t.Errorf("title %q: %q, want one object and a newline", title, b.String())
		}
	}
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCommand(t *testing.T) {
	dir := isolate(t)
	dbPath := filepath.Join(dir, "demo.duckdb")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--db", dbPath}, nil, &out, &errb); code != 0 {
		t.Fatalf("demo: %d %s", code, errb.String())
	}
	html := filepath.Join(dir, "case.html")
	for _, tc := range []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no --out", []string{"report", "--db", dbPath}, exitUsage, "--out FILE is required"},
		{"bad --since", []string{"report", "--db", dbPath, "--out", html, "--since", "yesterday-ish"}, exitUsage, `invalid value "yesterday-ish" for flag --since`},
		{"argument", []string{"report", "--db", dbPath, "--out", html, "extra"}, exitUsage, `unexpected argument "extra"`},
		{"no database", []string{"report", "--db", filepath.Join(dir, "none.duckdb"), "--out", html}, exitError, "no database"},
		{"unwritable", []string{"report", "--db", dbPath, "--out", filepath.Join(dir, "no", "such", "x.html")}, exitError, "report " + filepath.Join(dir, "no", "such", "x.html")},
		{"ok", []string{"report", "--db", dbPath, "--out", html, "--title", "Incident <42>", "--since", "2026-01-12"}, exitOK, "wrote the report to " + html},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, nil, &out, &errb)
			if code != tc.code || !strings.Contains(errb.String(), tc.err) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errb.String(), tc.code, tc.err)
			}
		})
	}
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<title>Incident &lt;42&gt;</title>", "Events from 2026-01-12 00:00:00", "<svg", "Alerts ("} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".s3logs-report-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestReplReport(t *testing.T) {
	isolate(t)
	html := filepath.Join(t.TempDir(), "shell.html")
	code, stdout, stderr := replCLI(t, ".demo\n.report --out "+html+" --title Shell\n.report\n.report --db x.duckdb --out "+html+"\n", "--db", ":memory:")
	if code != exitError {
		t.Errorf("exit %d, want 1 (two .report lines fail)", code)
	}
	if !strings.Contains(stdout+stderr, "wrote the report to "+html) {
		t.Errorf("no report written:\n%s\n%s", stdout, stderr)
	}
	for _, want := range []string{"line 3: --out FILE is required", "line 4: unknown flag --db"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if b, err := os.ReadFile(html); err != nil || !strings.Contains(string(b), "<title>Shell</title>") {
		t.Errorf("report: %v", err)
	}
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// timeForms are the forms of internal/when's grammar (its TestParse has
// them with their values), one of each kind.
var timeForms = []string{
	"2026-03-02", "2026-03-02T09:00", "2026-03-02 09:00", "2026-03-02T09:00:05", "2026-03-02 09:00:05",
	"2026-03-02T09:00:05.5Z", "2026-03-02T11:00:00+02:00",
	"now", "NOW",
	"30s", "90m", "24h", "7d", "2w", "1d12h", "1h30m", "7 d",
	"now-7d", "now - 7d", "now-1d12h", "-24h", "-3d", "now+2h", "+1d12h",
}

// TestTimeFormsEveryCommand gives every time form to every command that
// takes a time: load and detect (--since, --until), queries run and export
// --saved (a timestamp --param), and the shell's .detect and .run. Each
// takes each form; before one grammar, load refused now-7d and queries
// refused 1d12h.
func TestTimeFormsEveryCommand(t *testing.T) {
	dbPath, dir := qcSetup(t, qcLines())
	logPath := filepath.Join(dir, "access.log")
	var script strings.Builder
	for i, form := range timeForms {
		t.Run(form, func(t *testing.T) {
			for _, args := range [][]string{
				{"load", "--db", ":memory:", "--since", form, logPath},
				{"load", "--db", ":memory:", "--until", form, logPath},
				{"detect", "--db", dbPath, "--since", form},
				{"detect", "--db", dbPath, "--until", form},
				{"queries", "run", "acl_required_requests", "--db", dbPath, "--param", "start=" + form},
				{"export", "--db", dbPath, "--saved", "acl_required_requests", "--param", "end=" + form, "--out", filepath.Join(dir, fmt.Sprintf("x%d.csv", i))},
			} {
				if code, _, stderr := cli(t, "", args...); code != 0 {
					t.Errorf("%s: exit %d: %s", strings.Join(args, " "), code, stderr)
				}
			}
		})
		fmt.Fprintf(&script, ".detect --since %q\n.run acl_required_requests start=%q\n", form, form)
	}
	code, _, stderr := replCLI(t, script.String(), "--db", dbPath)
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if l != "" && !strings.HasPrefix(l, "Note: no rows in the window ") && !strings.HasPrefix(l, "s3logs: no rows in the window ") {
			code = -1
		}
	}
	if code != 0 {
		t.Errorf("shell: exit %d:\n%s", code, stderr)
	}
	for _, args := range [][]string{
		{"load", "--db", ":memory:", "--since", "yesterday", logPath},
		{"detect", "--db", dbPath, "--until", "1h1d"},
		{"queries", "run", "acl_required_requests", "--db", dbPath, "--param", "start=200000d"},
	} {
		if code, _, stderr := cli(t, "", args...); code != exitUsage || !strings.Contains(stderr, "time") {
			t.Errorf("%s: exit %d, want %d and an error about the time: %s", strings.Join(args, " "), code, exitUsage, stderr)
		}
	}
}

// TestExportSavedQueriesDir: export --saved finds a query of --queries-dir,
// as queries run and the shell do; it used to read only the default folder.
func TestExportSavedQueriesDir(t *testing.T) {
	dbPath, dir := qcSetup(t, qcLines())
	userDir := filepath.Join(dir, "myqueries")
	if err := os.MkdirAll(userDir, 0o755); err != nil {
		t.Fatal(err)
	}
	sql := "-- name: mine\n-- title: Mine\n-- param: status int default=403\n\nSELECT count(*) AS n FROM aws_s3serveraccess WHERE httpstatus = $status\n"
	if err := os.WriteFile(filepath.Join(userDir, "mine.sql"), []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "mine.csv")
	if code, _, stderr := cli(t, "", "export", "--db", dbPath, "--saved", "mine", "--queries-dir", userDir, "--out", out); code != 0 {
		t.Fatalf("export --saved mine --queries-dir: exit %d: %s", code, stderr)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != "n\n5\n" {
		t.Errorf("export of mine = %q, %v; want n\\n5\\n", b, err)
	}
	if code, _, stderr := cli(t, "", "export", "--db", dbPath, "--saved", "mine", "--out", out+"2"); code != exitUsage || !strings.Contains(stderr, "mine") {
		t.Errorf("export --saved mine without --queries-dir: exit %d, want %d: %s", code, exitUsage, stderr)
	}
}

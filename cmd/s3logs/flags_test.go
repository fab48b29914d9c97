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

// TestParseInterleaved: flags are read wherever they are among the
// arguments (load s3://b/p/ --endpoint-url URL used to take the flag for a
// file name), "--" ends them, and no flag is dropped.
func TestParseInterleaved(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		words []string
		db    string
		param string
		quiet bool
	}{
		{"before", []string{"--db", "x.duckdb", "a.log"}, []string{"a.log"}, "x.duckdb", "", false},
		{"after", []string{"a.log", "--db", "x.duckdb"}, []string{"a.log"}, "x.duckdb", "", false},
		{"between", []string{"a.log", "--quiet", "b.log", "--db=x.duckdb", "c.log"}, []string{"a.log", "b.log", "c.log"}, "x.duckdb", "", true},
		{"dash is a word", []string{"-", "--db", "x.duckdb"}, []string{"-"}, "x.duckdb", "", false},
		{"double dash ends flags", []string{"a.log", "--", "--db", "-b.log"}, []string{"a.log", "--db", "-b.log"}, "s3logs.duckdb", "", false},
		{"double dash first", []string{"--", "--quiet"}, []string{"--quiet"}, "s3logs.duckdb", "", false},
		{"double dash after bool", []string{"--quiet", "--", "--db"}, []string{"--db"}, "s3logs.duckdb", "", true},
		{"double dash as a value", []string{"--param", "--", "a.log", "--db", "x.duckdb"}, []string{"a.log"}, "x.duckdb", "--", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFlagSet("test")
			db := fs.String("db", "s3logs.duckdb", "")
			param := fs.String("param", "", "")
			quiet := fs.Bool("quiet", false, "")
			env := &Env{Stdout: &strings.Builder{}}
			if err := env.Parse(fs, tc.args); err != nil {
				t.Fatal(err)
			}
			if got := fs.Args(); strings.Join(got, "|") != strings.Join(tc.words, "|") || len(got) != len(tc.words) {
				t.Errorf("words = %q, want %q", got, tc.words)
			}
			if *db != tc.db || *param != tc.param || *quiet != tc.quiet {
				t.Errorf("db=%q param=%q quiet=%v, want %q %q %v", *db, *param, *quiet, tc.db, tc.param, tc.quiet)
			}
		})
	}
	fs := newFlagSet("test")
	env := &Env{Stdout: &strings.Builder{}}
	if err := env.Parse(fs, []string{"a.log", "--endpoint-url", "http://x"}); err == nil || !strings.Contains(err.Error(), "endpoint-url") {
		t.Errorf("an unknown flag after an argument: err = %v, want a usage error naming it", err)
	}
}

// TestFlagsAfterSource: load SOURCE --db PATH loads into PATH, and the
// help flag after an argument prints the help.
func TestFlagsAfterSource(t *testing.T) {
	dir := isolate(t)
	logPath := filepath.Join(dir, "access.log")
	genFile(t, logPath, 20, 1)
	dbPath := filepath.Join(dir, "after.duckdb")
	if code, _, stderr := cli(t, "", "load", logPath, "--db", dbPath); code != 0 {
		t.Fatalf("load SOURCE --db: exit %d: %s", code, stderr)
	}
	if code, out, stderr := cli(t, "", "query", "SELECT count(*) AS n FROM aws_s3serveraccess", "--db", dbPath, "--format", "csv"); code != 0 || out != "n\n20\n" {
		t.Errorf("query SQL --db --format csv: exit %d, out %q: %s", code, out, stderr)
	}
	if code, out, _ := cli(t, "", "load", logPath, "--help"); code != 0 || !strings.Contains(out, "Usage: s3logs load") {
		t.Errorf("load SOURCE --help: exit %d, out %q", code, out)
	}
}

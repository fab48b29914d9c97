package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// TestQueryStatements checks that s3logs query runs every statement of its
// SQL in order, on one connection, prints each result in every format, and
// stops at the first failure naming it.
func TestQueryStatements(t *testing.T) {
	const script = "CREATE TEMP TABLE t AS SELECT 1 AS a; SELECT * FROM t; SET threads = 1; SELECT 'x;' AS b, NULL AS c -- ; not the end\n"
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string
		stderr string // the first line of stderr, exactly
	}{
		{"table", "", []string{"--format", "table", script}, 0,
			" a\n--\n 1\n(1 row)\n\n b  |    c\n----+-----\n x; | NULL\n(1 row)\n", ""},
		{"csv", "", []string{"--format", "csv", script}, 0, "a\n1\n\nb,c\nx;,\n", ""},
		{"markdown", "", []string{"--format", "markdown", script}, 0,
			"| a |\n| ---: |\n| 1 |\n\n| b | c |\n| --- | ---: |\n| x; | NULL |\n", ""},
		{"line", "", []string{"--format", "line", script}, 0, "a = 1\n\nb = x;\nc = NULL\n", ""},
		{"json: one array per statement", "", []string{"--format", "json", script}, 0,
			"[\n{\"a\":1}\n]\n[\n{\"b\":\"x;\",\"c\":null}\n]\n", ""},
		{"ndjson: the rows of all statements", "", []string{"--format", "ndjson", script}, 0,
			"{\"a\":1}\n{\"b\":\"x;\",\"c\":null}\n", ""},
		{"dollar-quoting and Panther macros", "", []string{"--format", "csv",
			"SELECT $q$a;b$q$ AS s; SELECT count(*) AS n FROM panther_logs.aws_s3serveraccess WHERE p_occurs_since('1 d')"}, 0,
			"s\na;b\n\nn\n0\n", ""},
		{"a failure stops the run and names the statement", "", []string{"--format", "csv", "SELECT 1 AS a;\nSELECT nope;\nSELECT 3 AS c"}, 1,
			"a\n1\n", `s3logs: statement 2 of 3, line 2: Binder Error: Referenced column "nope" was not found because the FROM clause is missing`},
		{"a macro error names the statement", "", []string{"--format", "csv", "SELECT 1 AS a; SELECT 2 WHERE p_occurs_since('soon')"}, 1,
			"a\n1\n", "s3logs: statement 2 of 2, line 1: 1:16: p_occurs_since: offset must be a number of seconds or a string such as '6 d', '2 weeks', '96 hrs', '30 min'; got 'soon'"},
		{"statements from standard input", "SELECT 1 AS a;\n\n-- two\nSELECT 2 AS b;\nSELECT x;\n", []string{"--format", "csv", "-"}, 1,
			"a\n1\n\nb\n2\n", `s3logs: statement 3 of 3, line 5: Binder Error: Referenced column "x" was not found because the FROM clause is missing`},
		{"a meta-command is refused", "", []string{"SELECT 1 AS a;\n.tables"}, 1,
			" a\n--\n 1\n(1 row)\n", "s3logs: statement 2 of 2, line 2: .tables: meta-commands work only in the shell (s3logs repl)"},
		{"only separators", "", []string{" ; ;"}, 2, "", "s3logs query: no SQL given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.stdin, append([]string{"query", "--db", ":memory:"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if stdout != tt.stdout {
				t.Errorf("stdout:\n%q\nwant:\n%q", stdout, tt.stdout)
			}
			first, _, _ := strings.Cut(stderr, "\n")
			if first != tt.stderr {
				t.Errorf("stderr line %q, want %q", first, tt.stderr)
			}
		})
	}
}

// TestQueryNullOnTerminal checks that a table printed to a terminal shows
// NULL dimmed, as the shell does, so that it differs from the string 'NULL',
// and that a table printed elsewhere has no escape codes: for s3logs query
// and for s3logs queries run, which print through the same runner.
func TestQueryNullOnTerminal(t *testing.T) {
	const q = "SELECT NULL AS a, 'NULL' AS b" // a is an INTEGER, right-aligned
	dir := t.TempDir()
	saved := "-- name: zz_null\n-- title: NULL and 'NULL'\n\n" + q + "\n"
	if err := os.WriteFile(filepath.Join(dir, "zz_null.sql"), []byte(saved), 0o644); err != nil {
		t.Fatal(err)
	}
	const (
		dimmed = "    \x1b[1ma\x1b[0m | \x1b[1mb\x1b[0m\n------+-----\n \x1b[2mNULL\x1b[0m | NULL\n(1 row)\n"
		plain  = "    a | b\n------+-----\n NULL | NULL\n(1 row)\n"
	)
	for _, args := range [][]string{
		{"query", "--db", ":memory:", q},
		{"queries", "run", "zz_null", "--db", ":memory:", "--queries-dir", dir},
	} {
		t.Run(args[0], func(t *testing.T) {
			got, code, stderr := runOnTerminal(t, args)
			if got != dimmed || code != 0 {
				t.Errorf("on a terminal: exit %d, stdout\n%q\nwant\n%q\nstderr: %s", code, got, dimmed, stderr)
			}
			if _, got, _ := cli(t, "", args...); got != plain {
				t.Errorf("not on a terminal: stdout\n%q\nwant\n%q", got, plain)
			}
		})
	}
}

// runOnTerminal runs s3logs in process with a pseudo-terminal as stdout and
// returns what it wrote there, its exit code and its stderr.
func runOnTerminal(t *testing.T, args []string) (stdout string, code int, stderr string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	pty.Setsize(ptmx, &pty.Winsize{Rows: 30, Cols: 100})
	// The terminal turns "\n" into "\r\n"; raw mode keeps the bytes as written.
	if _, err := term.MakeRaw(int(tty.Fd())); err != nil {
		t.Fatal(err)
	}
	read := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(ptmx) // until tty is closed
		read <- string(b)
	}()
	var errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), tty, &errb)
	tty.Close()
	select {
	case stdout = <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("no output from the terminal")
	}
	return stdout, code, errb.String()
}

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// onTerminal runs s3logs args in a child process whose standard output is
// a terminal cols wide, and returns what the terminal showed.
func onTerminal(t *testing.T, cols uint16, args ...string) string {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	cmd := subprocess(t, args...)
	cmd.Stdout, cmd.Stderr = tty, tty
	var screen bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&screen, ptmx); close(done) }()
	err = cmd.Run()
	tty.Close()
	<-done
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, screen.String())
	}
	return strings.ReplaceAll(screen.String(), "\r\n", "\n")
}

// TestTerminalOutput: on a terminal, s3logs query names the columns a
// table leaves out with the command line's hint, keeps a timestamp whole,
// and escapes a log field's control characters in --format line; box is
// the table.
func TestTerminalOutput(t *testing.T) {
	isolate(t)
	const q = `SELECT TIMESTAMPTZ '2024-03-05 10:00:00+00' AS time, repeat('k', 80) AS key, repeat('u', 80) AS useragent, 'x' || chr(27) || '[2J' AS evil`
	got := onTerminal(t, 60, "query", "--db", ":memory:", "--format", "box", q)
	if !strings.Contains(got, "2024-03-05 10:00:00+00") || !strings.Contains(got, "not shown: useragent, evil; --format line shows every column") {
		t.Errorf("table on a 60-column terminal:\n%s", got)
	}
	got = onTerminal(t, 60, "query", "--db", ":memory:", "--format", "line", q)
	if !strings.Contains(got, `evil = x\x1B[2J`) || strings.Contains(got, "\x1b[2J") {
		t.Errorf("--format line on a terminal: %q", got)
	}
}

// TestExportStdoutEscapesOnTerminal: export --out - in CSV or JSON shows a
// log field's control characters (ESC, C1 CSI, BEL) and bidi overrides
// escaped on a terminal, and writes the exact bytes to a pipe.
func TestExportStdoutEscapesOnTerminal(t *testing.T) {
	isolate(t)
	const evil = "x\x1b]0;title\x07\x1b[2J\u009b31m\u202eend"
	const q = `SELECT 'x' || chr(27) || ']0;title' || chr(7) || chr(27) || '[2J' || chr(155) || '31m' || chr(8238) || 'end' AS evil`
	for _, format := range []string{"csv", "json"} {
		got := onTerminal(t, 100, "export", "--db", ":memory:", "--query", q, "--format", format, "--out", "-")
		for _, raw := range []string{"\x1b", "\x07", "\u009b", "\u202e"} {
			if strings.Contains(got, raw) {
				t.Errorf("--format %s on a terminal shows %q raw:\n%q", format, raw, got)
			}
		}
		if !strings.Contains(got, `x\x1B]0;title`) && !strings.Contains(strings.ToLower(got), `x\u001b]0;title`) {
			t.Errorf("--format %s on a terminal: %q, want the escape shown", format, got)
		}
	}
	if got := onTerminal(t, 100, "export", "--db", ":memory:", "--query", q, "--format", "json", "--out", "-"); !json.Valid([]byte(strings.SplitN(got, "\n", 2)[0])) {
		t.Errorf("--format json on a terminal is no longer JSON: %q", got)
	}
	code, out, errb := cli(t, "", "export", "--db", ":memory:", "--query", q, "--format", "csv", "--out", "-")
	if code != 0 || !strings.Contains(out, evil) {
		t.Errorf("export to a pipe: exit %d, %q (stderr %s), want the bytes of %q", code, out, errb, evil)
	}
}

// TestLoadMessagesEscapeNamesOnTerminal: load's messages name files, whose
// names may hold escape sequences; on a terminal they are shown escaped.
func TestLoadMessagesEscapeNamesOnTerminal(t *testing.T) {
	dir := isolate(t)
	logs := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(logs, "x\x1b]0;title\x07\x1b[2J.log")
	if err := os.WriteFile(name, []byte("not a log line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	cmd := subprocess(t, "load", "--db", ":memory:", logs)
	cmd.Stdout, cmd.Stderr = tty, tty
	var screen bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&screen, ptmx); close(done) }()
	cmd.Run() // exit 1: the file is not a log
	tty.Close()
	<-done
	got := screen.String()
	if strings.Contains(got, "\x1b]0;") || strings.Contains(got, "\x07") || strings.Contains(got, "\x1b[2J") {
		t.Errorf("a file name's escape sequence reached the terminal: %q", got)
	}
	if !strings.Contains(got, `x\x1B]0;title\x07\x1B[2J.log`) {
		t.Errorf("the file is not named escaped: %q", got)
	}
}

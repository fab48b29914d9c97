package repl

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// TestModeLineEscapesOnTerminal runs a script whose output is a terminal:
// a log field holding escape sequences must reach it escaped, in .mode
// line as in the table, while the same script into a pipe gets the bytes.
func TestModeLineEscapesOnTerminal(t *testing.T) {
	const script = ".mode line\nSELECT 'k' || chr(27) || ']0;pwned' || chr(7) || chr(27) || '[2J' AS key;\n"
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	var screen bytes.Buffer
	read := make(chan struct{})
	go func() { io.Copy(&screen, ptmx); close(read) }()
	err = New(testDB(t), Options{Stdin: strings.NewReader(script), Stdout: tty, Stderr: io.Discard}).Run(context.Background())
	tty.Close()
	<-read
	if err != nil {
		t.Fatal(err)
	}
	got := screen.String()
	if !strings.Contains(got, `key = k\x1B]0;pwned\x07\x1B[2J`) || strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("terminal got %q, want the escapes made visible", got)
	}

	var pipe bytes.Buffer
	if err := New(testDB(t), Options{Stdin: strings.NewReader(script), Stdout: &pipe, Stderr: io.Discard}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := "key = k\x1b]0;pwned\x07\x1b[2J\n"; pipe.String() != want {
		t.Errorf("pipe got %q, want %q", pipe.String(), want)
	}
}

// TestTableHintOnTerminal: a table too wide for the terminal names the
// columns it leaves out and says how to see them in the shell's syntax.
func TestTableHintOnTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 50}); err != nil {
		t.Fatal(err)
	}
	var screen bytes.Buffer
	read := make(chan struct{})
	go func() { io.Copy(&screen, ptmx); close(read) }()
	script := ".mode duckbox\nSELECT repeat('k', 80) AS key, repeat('u', 80) AS useragent, 200 AS httpstatus;\n"
	err = New(testDB(t), Options{Stdin: strings.NewReader(script), Stdout: tty, Stderr: io.Discard}).Run(context.Background())
	tty.Close()
	<-read
	if err != nil {
		t.Fatal(err)
	}
	if got := screen.String(); !strings.Contains(got, "not shown: httpstatus; .mode line shows every column") {
		t.Errorf("terminal got %q", got)
	}
}

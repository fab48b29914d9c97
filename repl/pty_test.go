//go:build linux

package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/s3logs/s3logs/internal/db"
)

// The end-to-end tests run the shell in a child process (this test binary
// again, see TestMain) whose controlling terminal is a real pseudo-terminal,
// type into it as a person would, and read the screen output.

const helperEnv = "S3LOGS_REPL_PTY_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

// helperMain is the child: a shell on the fixture database, on the
// terminal it was given as stdin and stdout.
func helperMain() int {
	ctx := context.Background()
	d, err := db.Open(ctx, db.Memory)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer d.Close()
	if _, err := d.Exec(fixture); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	err = New(d, Options{HistoryFile: os.Getenv("S3LOGS_REPL_HISTORY"), Banner: "pty test shell"}).Run(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// session is a shell running in a pseudo-terminal.
type session struct {
	t    *testing.T
	ptmx *os.File // the terminal's controller side: what we type and read
	tty  *os.File // the shell's side, kept open to read its settings
	cmd  *exec.Cmd
	done chan error

	mu  sync.Mutex
	out bytes.Buffer
	pos int // how far waitFor has consumed out, with escapes removed
}

func startSession(t *testing.T, history string) *session {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "S3LOGS_REPL_HISTORY="+history, "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, ptmx: ptmx, tty: tty, cmd: cmd, done: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-s.done
		}
		ptmx.Close()
		tty.Close()
	})
	return s
}

// ansi matches the escape sequences go-prompt draws with.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Za-z0-9]|\x1b[=>]`)

// waitFor waits until the output (with escape sequences removed) after
// the previous match contains want, and returns it up to the end of want.
func (s *session) waitFor(want string, timeout time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		text := ansi.ReplaceAllString(s.out.String(), "")[s.pos:]
		if i := strings.Index(text, want); i >= 0 {
			s.pos += i + len(want)
			s.mu.Unlock()
			return text[:i+len(want)]
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			s.t.Fatalf("waited %v for %q; the screen showed:\n%s", timeout, want, text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// typeText writes keys to the terminal, one write per call.
func (s *session) typeText(keys string) {
	s.t.Helper()
	if _, err := s.ptmx.Write([]byte(keys)); err != nil {
		s.t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // go-prompt polls its input every 10 ms
}

// wait waits for the shell to exit and returns its exit code.
func (s *session) wait(timeout time.Duration) int {
	s.t.Helper()
	select {
	case err := <-s.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			s.t.Fatal(err)
		}
		return 0
	case <-time.After(timeout):
		s.t.Fatalf("the shell did not exit within %v", timeout)
		return -1
	}
}

func getTermios(t *testing.T, f *os.File) unix.Termios {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return *tio
}

// checkTermios compares the terminal settings that raw mode changes.
func checkTermios(t *testing.T, before, after unix.Termios) {
	t.Helper()
	if before.Iflag != after.Iflag || before.Oflag != after.Oflag || before.Cflag != after.Cflag ||
		before.Lflag != after.Lflag || before.Cc != after.Cc {
		t.Errorf("terminal settings changed:\nbefore %+v\nafter  %+v", before, after)
	}
	if after.Lflag&(unix.ICANON|unix.ECHO|unix.ISIG) != unix.ICANON|unix.ECHO|unix.ISIG {
		t.Errorf("terminal left without ICANON, ECHO or ISIG: lflag %#x", after.Lflag)
	}
}

func TestPTYSession(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a shell in a pseudo-terminal")
	}
	history := filepath.Join(t.TempDir(), "history")
	s := startSession(t, history)
	before := getTermios(t, s.tty)
	s.waitFor("s3logs> ", 20*time.Second)

	// Tab completes a column of the table the statement names: the query
	// only works if "httpst" became httpstatus.
	s.typeText("SELECT max(httpst")
	s.waitFor("httpstatus", 5*time.Second) // the completion menu offers it
	s.typeText("\t")
	s.typeText(") AS top FROM aws_s3serveraccess;")
	s.typeText("\r")
	out := s.waitFor("(1 row)", 10*time.Second)
	if !strings.Contains(out, "max(httpstatus) AS top") || !strings.Contains(out, "403") || strings.Contains(out, "Error") {
		t.Errorf("completed query: screen shows\n%s", out)
	}
	s.waitFor("s3logs> ", 5*time.Second)

	// Tab twice picks the second suggestion: bucketowner, then bucket.
	s.typeText("SELECT count(*) AS tabbed FROM aws_s3serveraccess WHERE buck")
	s.typeText("\t")
	s.typeText("\t")
	s.typeText(" = 'logs';\r")
	out = s.waitFor("(1 row)", 10*time.Second)
	if !strings.Contains(out, "WHERE bucket = 'logs'") || !regexp.MustCompile(`tabbed\s*\r\n-+\r\n\s*2\r\n`).MatchString(out) {
		t.Errorf("Tab Tab: screen shows\n%q", out)
	}

	// A statement typed over several lines runs when its ; is entered.
	s.typeText("SELECT count(*) AS n\r")
	s.typeText("FROM aws_s3serveraccess\r")
	s.typeText("WHERE bucket = 'logs';\r")
	out = s.waitFor("(1 row)", 10*time.Second)
	if !regexp.MustCompile(`(?s)\bn\s*\r\n-+\r\n\s*2\r\n\(1 row\)`).MatchString(out) {
		t.Errorf("multi-line statement: screen shows\n%q", out)
	}

	// Pasted text with two statements runs both.
	s.typeText("SELECT 'pasted' AS a;\rSELECT 41 + 1 AS b;\r")
	out = s.waitFor("42", 10*time.Second)
	if !strings.Contains(out, "pasted") {
		t.Errorf("paste: screen shows\n%s", out)
	}
	s.waitFor("s3logs> ", 5*time.Second)

	// Ctrl-C cancels a long query and the shell carries on.
	s.typeText("SELECT count(*) FROM range(10000000000) a, range(10) b;\r")
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	s.typeText("\x03")
	s.waitFor("Cancelled.", 10*time.Second)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancelling took %v", d)
	}
	s.waitFor("s3logs> ", 5*time.Second)

	// Ctrl-C at the prompt clears the line.
	s.typeText("SELECT this is not run")
	s.typeText("\x03")
	s.typeText("SELECT 'after' AS cleared;\r")
	out = s.waitFor("(1 row)", 10*time.Second)
	if strings.Contains(out, "Error") || !strings.Contains(out, "after") {
		t.Errorf("after Ctrl-C at the prompt: screen shows\n%s", out)
	}

	// An error is one line and the shell carries on.
	s.typeText("SELECT nope FROM aws_s3serveraccess;\r")
	out = s.waitFor("FROM clause!", 10*time.Second)
	if !strings.Contains(out, `Error: Binder Error: Referenced column "nope" not found in FROM clause!`) {
		t.Errorf("error: screen shows\n%s", out)
	}

	// Ctrl-D on an empty line leaves, with the terminal as it was.
	s.typeText("\x04")
	if code := s.wait(10 * time.Second); code != 0 {
		t.Errorf("exit code %d after Ctrl-D, want 0", code)
	}
	checkTermios(t, before, getTermios(t, s.tty))

	raw, err := os.ReadFile(history)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SELECT max(httpstatus) AS top FROM aws_s3serveraccess;", `SELECT count(*) AS n\nFROM aws_s3serveraccess\nWHERE bucket = 'logs';`} {
		if !strings.Contains(string(raw), want+"\n") {
			t.Errorf("history file lacks %q:\n%s", want, raw)
		}
	}
}

// TestPTYCompleteBeforeFrom types a statement as a new user does, the
// column list before the table: with no table named yet, Tab completes the
// columns of aws_s3serveraccess, and "co" completes count first.
func TestPTYCompleteBeforeFrom(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a shell in a pseudo-terminal")
	}
	s := startSession(t, "")
	s.waitFor("s3logs> ", 20*time.Second)
	for _, key := range "SELECT remote" { // one key at a time, as typed
		s.typeText(string(key))
	}
	s.waitFor("remoteip", 5*time.Second) // the menu offers it
	s.typeText("\t")
	s.typeText(", co")
	s.waitFor("count", 5*time.Second)
	s.typeText("\t")
	s.typeText("(*) AS n FROM aws_s3serveraccess GROUP BY ALL ORDER BY 1;\r")
	out := s.waitFor("(2 rows)", 10*time.Second)
	if !strings.Contains(out, "SELECT remoteip, count(*) AS n FROM") ||
		!regexp.MustCompile(`192\.0\.2\.3\s*\|\s*2\r\n\s*198\.51\.100\.7\s*\|\s*1\r\n`).MatchString(out) {
		t.Errorf("completed query: screen shows\n%q", out)
	}
}

// TestPTYExits checks the terminal is restored on the other ways out:
// .quit, exit and \q (which used to open a continuation prompt), SIGTERM
// at the prompt and SIGTERM while a query runs.
func TestPTYExits(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a shell in a pseudo-terminal")
	}
	for _, tc := range []struct {
		name     string
		leave    func(s *session)
		wantCode int
	}{
		{".quit", func(s *session) { s.typeText(".quit\r") }, 0},
		{"exit, as psql users type it", func(s *session) { s.typeText("exit\r") }, 0},
		{"\\q after \\dt", func(s *session) {
			s.typeText("\\dt\r")
			s.waitFor("aws_s3serveraccess_rejects", 10*time.Second) // \dt ran at once, no continuation prompt
			s.typeText("\\q\r")
		}, 0},
		{"SIGTERM at the prompt", func(s *session) { s.cmd.Process.Signal(syscall.SIGTERM) }, 1},
		{"SIGTERM during a query", func(s *session) {
			s.typeText("SELECT count(*) FROM range(10000000000) a, range(10) b;\r")
			time.Sleep(500 * time.Millisecond)
			s.cmd.Process.Signal(syscall.SIGTERM)
		}, 1},
		{"SIGHUP", func(s *session) { s.cmd.Process.Signal(syscall.SIGHUP) }, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startSession(t, "")
			before := getTermios(t, s.tty)
			s.waitFor("s3logs> ", 20*time.Second)
			s.typeText("SELECT 1 AS one;\r") // the prompt has put the terminal in raw mode and back
			s.waitFor("s3logs> ", 10*time.Second)
			tc.leave(s)
			if code := s.wait(10 * time.Second); code != tc.wantCode {
				t.Errorf("exit code %d, want %d", code, tc.wantCode)
			}
			checkTermios(t, before, getTermios(t, s.tty))
		})
	}
}

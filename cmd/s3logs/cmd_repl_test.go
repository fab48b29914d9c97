package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// replLines are two real log lines (from AWS's documentation) and one
// broken line.
const replLines = `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /awsexamplebucket?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV2 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket.s3.amazonaws.com TLSV1.1
79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 891CE47D2EXAMPLE REST.GET.LOGGING_STATUS - "GET /awsexamplebucket?logging HTTP/1.1" 200 - 242 - 11 - "-" "S3Console/0.4" - 9vKBE6vMhrNiWHZmb2L0mXOcqPGzQOI5XLnCtZNPxev+Hf+7tpT6sxDwDty4LHBUOZJG96N1234= SigV2 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket.s3.amazonaws.com TLSV1.1
this is not a log line
`

// replCLI runs "s3logs repl args..." in process with a script on stdin.
func replCLI(t *testing.T, script string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"repl"}, args...), strings.NewReader(script), &out, &errb)
	return code, out.String(), errb.String()
}

func TestReplScript(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	logPath := filepath.Join(dir, "access.log")
	if err := os.WriteFile(logPath, []byte(replLines), 0o644); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "s.duckdb")
	parquet := filepath.Join(dir, "out.parquet")

	// Load through the argument, then query, export and read the export back.
	script := `.mode csv
SELECT operation, httpstatus FROM aws_s3serveraccess ORDER BY operation;
.rejects
.export ` + parquet + `
SELECT count(*) AS n FROM read_parquet('` + parquet + `');
SELECT count(*) AS n FROM panther_logs.public.aws_s3serveraccess WHERE p_occurs_between('2019-02-06', '2019-02-07');
.run top_ips limit=1
`
	code, stdout, stderr := replCLI(t, script, "--db", dbPath, logPath)
	if code != exitRejected {
		t.Errorf("exit code %d, want %d (a line was rejected); stderr:\n%s", code, exitRejected, stderr)
	}
	want := "operation,httpstatus\nREST.GET.LOGGING_STATUS,200\nREST.GET.VERSIONING,200\n" +
		"source,line,column,field,reason,raw\n"
	if !strings.HasPrefix(stdout, want) {
		t.Fatalf("stdout:\n%s\nwant it to start with:\n%s", stdout, want)
	}
	rest := stdout[len(want):]
	for _, w := range []string{",3,", "this is not a log line\n", "Wrote " + parquet + "\n", "n\n2\nn\n2\n",
		"remoteip,requests,errors,bytes_sent,principals,buckets\n192.0.2.3,2,0,355,1,1\n"} {
		if !strings.Contains(rest, w) {
			t.Errorf("stdout lacks %q:\n%s", w, rest)
		}
	}
	if !strings.Contains(stderr, "3 lines, 2 rows, 1 rejected") {
		t.Errorf("stderr should summarize the load with its rejected line:\n%s", stderr)
	}

	// The same file again through .load adds nothing; a failing statement
	// makes the exit code 1 and the script carries on.
	code, stdout, stderr = replCLI(t, ".load "+logPath+"\nSELECT nope FROM aws_s3serveraccess;\n.mode csv\nSELECT count(*) AS n FROM aws_s3serveraccess;\n", "--db", dbPath)
	if code != exitError {
		t.Errorf("exit code %d, want %d", code, exitError)
	}
	if !strings.HasSuffix(stdout, "n\n2\n") {
		t.Errorf("stdout after reload:\n%s", stdout)
	}
	if !strings.Contains(stderr, `line 2, column 8: Binder Error: Referenced column "nope" not found in FROM clause!`) {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// TestReplSourceLoad checks the exit status and output of a script run
// after loading SOURCE arguments: a failed load stops it before any
// statement runs (exit 1), rejected lines give exit 3 as s3logs load does,
// unless a statement fails.
func TestReplSourceLoad(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.log", replLines[:strings.LastIndex(replLines[:len(replLines)-1], "\n")+1])
	withReject := write("reject.log", replLines)
	bad := write("bad.log", "hello\nworld\n")
	missing := filepath.Join(dir, "nope.log")
	const notRun = "s3logs: 1 of the sources could not be loaded in full (see the messages above); no statement was run"
	tests := []struct {
		name    string
		script  string
		sources []string
		code    int
		stdout  string
		stderr  []string // lines stderr must have
	}{
		{"loaded", ".mode csv\nSELECT count(*) AS n FROM aws_s3serveraccess;\n", []string{good}, exitOK, "n\n2\n", nil},
		{"missing file", ".mode csv\nSELECT 1 AS x;\n", []string{missing}, exitError, "",
			[]string{"s3logs: " + missing + ": no such file or directory", notRun}},
		{"not a log", ".mode csv\nSELECT 1 AS x;\n", []string{bad}, exitError, "",
			[]string{"s3logs: " + bad + ": not an S3 server access log: none of its 2 lines is one (2 rejected, 0 blank), so none of it was loaded; " +
				"line 1: not an S3 server access log line: no [dd/Mon/yyyy:hh:mm:ss +hhmm] time as the third field", notRun}},
		{"one good source, one missing", ".mode csv\nSELECT 1 AS x;\n", []string{good, missing}, exitError, "", []string{notRun}},
		{"rejected lines", ".mode csv\nSELECT count(*) AS n FROM aws_s3serveraccess;\n", []string{withReject}, exitRejected, "n\n2\n",
			[]string{"s3logs: 1 line could not be parsed; see them with: .rejects"}},
		{"rejected lines and a failed statement", ".mode csv\nSELECT nope;\nSELECT 1 AS x;\n", []string{withReject}, exitError, "x\n1\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--db", ":memory:"}, tt.sources...)
			code, stdout, stderr := replCLI(t, tt.script, args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", stdout, tt.stdout)
			}
			for _, line := range tt.stderr {
				if !strings.Contains("\n"+stderr, "\n"+line+"\n") {
					t.Errorf("stderr lacks the line %q:\n%s", line, stderr)
				}
			}
		})
	}
}

func TestReplDemoAndDetect(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	script := `.demo
.detect --rule AWS.S3.ServerAccess.Insecure --format json --samples 0
.detect --db x.duckdb
.detect --list
.detect --format xml --samples -1
.detect --rule Nope
`
	code, stdout, stderr := replCLI(t, script, "--db", ":memory:")
	if code != exitError {
		t.Errorf("exit code %d, want 1 (the --db line fails)", code)
	}
	for _, want := range []string{ // s3logs detect's own checks, not a table in another format
		`line 5: --format: want table or json, got "xml"`,
		`line 6: --rule: unknown rule "Nope"`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !regexp.MustCompile(`(?m)^demo logs: loaded \d+ files: [\d,]+ lines`).MatchString(stdout) {
		t.Errorf("no demo summary in:\n%s", stdout)
	}
	if !strings.Contains(stdout, `"rule_id":"AWS.S3.ServerAccess.Insecure"`) {
		t.Errorf("no JSON alert of the Insecure rule in:\n%s", stdout)
	}
	if !strings.Contains(stdout, "AWS.S3.ServerAccess.UnknownRequester") {
		t.Errorf(".detect --list did not list the rules:\n%s", stdout)
	}
	if !strings.Contains(stderr, "line 3: .detect runs on the shell's database; --db does not apply") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// TestReplTerminal runs the real s3logs (this test binary as main, see
// TestMain) in a pseudo-terminal: on a terminal Ctrl-C must cancel the
// query through the command's interrupt routing, not end the program, and
// Ctrl-D must leave the terminal as it was. A SOURCE that cannot be loaded
// is reported and the session opens anyway, ending with status 0.
func TestReplTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs s3logs in a pseudo-terminal")
	}
	dir := t.TempDir()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	pty.Setsize(ptmx, &pty.Winsize{Rows: 30, Cols: 100})
	before, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope.log") // reported, and the session opens anyway
	cmd := subprocess(t, "repl", "--db", filepath.Join(dir, "t.duckdb"), missing)
	cmd.Env = append(cmd.Env, "XDG_STATE_HOME="+dir, "XDG_CONFIG_HOME="+dir, "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-done
		}
	}()
	var mu sync.Mutex
	var out bytes.Buffer
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	waitFor := func(want string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			mu.Lock()
			s := out.String()
			mu.Unlock()
			if strings.Contains(s, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("waited for %q; the screen showed:\n%s", want, s)
			}
		}
	}
	typeText := func(s string) {
		ptmx.Write([]byte(s))
		time.Sleep(100 * time.Millisecond)
	}
	waitFor(missing + ": no such file or directory")
	waitFor("1 of the sources could not be loaded in full")
	waitFor("The database is empty: .load PATH")
	waitFor("s3logs> ")
	typeText("SELECT count(*) FROM range(10000000000) a, range(10) b;\r")
	time.Sleep(500 * time.Millisecond)
	typeText("\x03")
	waitFor("Cancelled.")
	typeText("SELECT 6 * 7 AS answer;\r")
	waitFor("42")
	typeText("\x04")
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("s3logs repl exited with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("s3logs repl did not exit after Ctrl-D")
	}
	after, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if before.Iflag != after.Iflag || before.Oflag != after.Oflag || before.Lflag != after.Lflag || before.Cflag != after.Cflag || before.Cc != after.Cc {
		t.Errorf("terminal settings changed:\nbefore %+v\nafter  %+v", before, after)
	}
	if _, err := os.Stat(filepath.Join(dir, "s3logs", "history")); err != nil {
		t.Errorf("no history file: %v", err)
	}
}

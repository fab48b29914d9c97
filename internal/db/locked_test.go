package db

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
)

// TestMain lets the test binary hold a database open in a child process:
// with S3LOGS_TEST_HOLD_DB set it opens that file, says "open" on stdout,
// and keeps it until its stdin closes.
func TestMain(m *testing.M) {
	if path := os.Getenv("S3LOGS_TEST_HOLD_DB"); path != "" {
		d, err := Open(context.Background(), path)
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("open")
		bufio.NewReader(os.Stdin).ReadString('\n')
		d.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestOpenLocked: a file another process holds is a *LockedError that
// names the file and the holder's PID, matches ErrLocked, and keeps
// DuckDB's error; another failure to open is not one.
func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "held.duckdb")
	holder := exec.Command(os.Args[0], "-test.run=^$")
	holder.Env = append(os.Environ(), "S3LOGS_TEST_HOLD_DB="+path)
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); holder.Wait() }()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "open\n" {
		t.Fatalf("holder: %q", line)
	}

	_, err = Open(context.Background(), path)
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("Open of a held file: %v (%T), want a *LockedError", err, err)
	}
	var de *duckdb.Error
	pid := fmt.Sprintf("(PID %d)", holder.Process.Pid)
	if le.Path != path || !strings.HasSuffix(le.Holder, pid) || !errors.As(err, &de) {
		t.Errorf("LockedError = %+v, want Path %s, a Holder ending in %s, and DuckDB's error", le, path, pid)
	}
	if want := "database " + path + " is locked by " + le.Holder; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}

	notDB := filepath.Join(t.TempDir(), "not.duckdb")
	if err := os.WriteFile(notDB, []byte("not a database, long enough to be read as a header, and then some more bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), notDB); err == nil || errors.As(err, &le) || errors.Is(err, ErrLocked) {
		t.Errorf("Open of a file that is no database: %v, want an error that is not a LockedError", err)
	}
}

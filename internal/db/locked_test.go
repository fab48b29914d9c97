package db

import (
	"bufio"
	"context"
	"database/sql"
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
// with S3LOGS_TEST_HOLD_DB set it opens that file (read-only when
// S3LOGS_TEST_HOLD_RO is set too), says "open" on stdout, and keeps it
// until its stdin closes.
func TestMain(m *testing.M) {
	if path := os.Getenv("S3LOGS_TEST_HOLD_DB"); path != "" {
		d, err := OpenWith(context.Background(), path, Options{ReadOnly: os.Getenv("S3LOGS_TEST_HOLD_RO") != ""})
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
	holder := hold(t, path, false)

	_, err := Open(context.Background(), path)
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

	// A reader is refused while the writer holds the file, and told so.
	_, err = OpenReadOnly(context.Background(), path)
	if !errors.As(err, &le) || !le.ReadOnly || !strings.Contains(err.Error(), "is being written by") || !strings.Contains(err.Error(), pid) {
		t.Errorf("read-only Open of a file held for writing: %v, want a *LockedError saying it is being written by %s", err, pid)
	}

	notDB := filepath.Join(t.TempDir(), "not.duckdb")
	if err := os.WriteFile(notDB, []byte("not a database, long enough to be read as a header, and then some more bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), notDB); err == nil || errors.As(err, &le) || errors.Is(err, ErrLocked) {
		t.Errorf("Open of a file that is no database: %v, want an error that is not a LockedError", err)
	}
}

// hold starts a child process that opens path (read-only if ro) and holds
// it until the test ends.
func hold(t *testing.T, path string, ro bool) *exec.Cmd {
	t.Helper()
	holder := exec.Command(os.Args[0], "-test.run=^$")
	holder.Env = append(os.Environ(), "S3LOGS_TEST_HOLD_DB="+path)
	if ro {
		holder.Env = append(holder.Env, "S3LOGS_TEST_HOLD_RO=1")
	}
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
	t.Cleanup(func() { stdin.Close(); holder.Wait() })
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "open\n" {
		t.Fatalf("holder: %q", line)
	}
	return holder
}

// TestReadersSideBySide: two other processes and this one read the same
// file at once; a writer is refused while they do, with a message saying
// readers hold it and what to do.
func TestReadersSideBySide(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.duckdb")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.ExecContext(ctx, "INSERT INTO aws_s3serveraccess (bucket) VALUES ('b')"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	hold(t, path, true)
	second := hold(t, path, true)

	r, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatalf("a third reader: %v", err)
	}
	var n int
	if err := r.QueryRowContext(ctx, "SELECT count(*) FROM panther_logs.public.aws_s3serveraccess JOIN aws_s3serveraccess_enriched USING (bucket)").Scan(&n); err != nil || n != 1 {
		t.Errorf("reading on a read-only open: %d, %v", n, err)
	}
	if err := r.UseIntel(ctx, true); err != nil {
		t.Errorf("UseIntel on a read-only open: %v", err)
	}
	if _, err := r.ExecContext(ctx, "INSERT INTO aws_s3serveraccess (bucket) VALUES ('c')"); err == nil {
		t.Errorf("a read-only open wrote to the file")
	}
	r.Close()

	_, err = Open(ctx, path)
	var le *LockedError
	if !errors.As(err, &le) || !le.Readers || !strings.Contains(err.Error(), "open for reading by") ||
		!strings.Contains(err.Error(), "close those, or wait") {
		t.Fatalf("a writer beside readers: %v, want a *LockedError saying readers hold it", err)
	}
	if !strings.Contains(err.Error(), "(PID ") {
		t.Errorf("%v: does not name a holder (second reader is PID %d)", err, second.Process.Pid)
	}
}

// TestOpenReadOnlyNoDatabase: a read-only open of a missing file, or of a
// file with no s3logs tables, is ErrNoDatabase and creates nothing.
func TestOpenReadOnlyNoDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.duckdb")
	if _, err := OpenReadOnly(ctx, missing); !errors.Is(err, ErrNoDatabase) {
		t.Errorf("missing file: %v, want ErrNoDatabase", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a read-only open created %s", missing)
	}
	empty := filepath.Join(dir, "empty.duckdb")
	c, err := duckdb.NewConnector(empty, nil)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB := sql.OpenDB(c)
	if _, err := sqlDB.Exec("CREATE TABLE other (x INT)"); err != nil {
		t.Fatal(err)
	}
	sqlDB.Close()
	c.Close()
	if _, err := OpenReadOnly(ctx, empty); !errors.Is(err, ErrNoDatabase) {
		t.Errorf("file without s3logs tables: %v, want ErrNoDatabase", err)
	}
}

// TestReopen: the shell's open switches between read-only and read-write in
// place.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.duckdb")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Reopen(ctx, Options{ReadOnly: true}); err != nil || !d.ReadOnly {
		t.Fatalf("Reopen read-only: %v (ReadOnly %v)", err, d.ReadOnly)
	}
	if _, err := d.ExecContext(ctx, "INSERT INTO aws_s3serveraccess (bucket) VALUES ('b')"); err == nil {
		t.Errorf("wrote on the read-only reopen")
	}
	if err := d.Reopen(ctx, Options{}); err != nil || d.ReadOnly {
		t.Fatalf("Reopen read-write: %v", err)
	}
	if _, err := d.ExecContext(ctx, "INSERT INTO aws_s3serveraccess (bucket) VALUES ('b')"); err != nil {
		t.Errorf("write on the read-write reopen: %v", err)
	}
	d.Close()
}

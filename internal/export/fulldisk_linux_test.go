package export

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestFullDisk runs an export in a child process whose file size limit
// (RLIMIT_FSIZE) is 64 KiB, so that DuckDB's writes fail as they would on a
// full disk: the export must fail with one ErrWrite naming the output, and
// leave nothing behind.
func TestFullDisk(t *testing.T) {
	if dir := os.Getenv("S3LOGS_EXPORT_FULLDISK_DIR"); dir != "" {
		fullDiskChild(t, dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFullDisk$", "-test.v")
	cmd.Env = append(os.Environ(), "S3LOGS_EXPORT_FULLDISK_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "full disk: export "+filepath.Join(dir, "x.parquet")+": cannot write") {
		t.Errorf("child output lacks the expected error:\n%s", out)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a failed export left %d entries in %s", len(ents), dir)
	}
}

func fullDiskChild(t *testing.T, dir string) {
	d := newDB(t, 20000)
	signal.Ignore(syscall.SIGXFSZ)
	lim := unix.Rlimit{Cur: 64 << 10, Max: 64 << 10}
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "x.parquet")
	_, err := Run(context.Background(), d, Options{Table: true, Out: out, Compression: "none"})
	if !errors.Is(err, ErrWrite) {
		t.Fatalf("err = %v, want ErrWrite", err)
	}
	t.Logf("full disk: %v", err)
}

package benchproc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for a measured child: with
// BENCHPROC_CHILD set it allocates and touches that many MiB, sleeps
// 100 ms and exits with the code in BENCHPROC_EXIT.
func TestMain(m *testing.M) {
	if v := os.Getenv("BENCHPROC_CHILD"); v != "" {
		mib, err := strconv.Atoi(v)
		if err != nil {
			panic(err)
		}
		b := make([]byte, mib<<20)
		for i := range b {
			b[i] = byte(i)
		}
		time.Sleep(100 * time.Millisecond)
		runtime.KeepAlive(b)
		code, _ := strconv.Atoi(os.Getenv("BENCHPROC_EXIT"))
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func child(t *testing.T, mib, exit string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run", "^$")
	cmd.Env = append(os.Environ(), "BENCHPROC_CHILD="+mib, "BENCHPROC_EXIT="+exit)
	return cmd
}

func TestMeasure(t *testing.T) {
	tests := []struct {
		mib      string
		exit     string
		minRSS   int64
		wantCode int
	}{
		{"1", "0", 1 << 20, 0},
		{"64", "0", 64 << 20, 0},
		{"8", "3", 8 << 20, 3}, // a non-zero exit still reports the process's usage
	}
	for _, tc := range tests {
		wall, rss, err := Measure(child(t, tc.mib, tc.exit))
		var exit *exec.ExitError
		switch {
		case tc.wantCode == 0 && err != nil:
			t.Errorf("%s MiB: %v", tc.mib, err)
		case tc.wantCode != 0 && (!errors.As(err, &exit) || exit.ExitCode() != tc.wantCode):
			t.Errorf("%s MiB: err %v, want exit code %d", tc.mib, err, tc.wantCode)
		}
		if wall < 100*time.Millisecond {
			t.Errorf("%s MiB: wall %v, less than the child's 100 ms sleep", tc.mib, wall)
		}
		if rss < tc.minRSS || rss > tc.minRSS+200<<20 {
			t.Errorf("%s MiB: peak RSS %d bytes, want between %d and %d", tc.mib, rss, tc.minRSS, tc.minRSS+200<<20)
		}
	}
}

func TestMeasureNotStarted(t *testing.T) {
	wall, rss, err := Measure(exec.Command("/nonexistent/benchproc-no-such-binary"))
	if err == nil || wall != 0 || rss != 0 {
		t.Errorf("Measure of a missing binary = %v, %d, %v; want 0, 0 and an error", wall, rss, err)
	}
}

func TestS3logsBinaryGiven(t *testing.T) {
	var stderr bytes.Buffer
	got, err := S3logsBinary(context.Background(), "/opt/s3logs", t.TempDir(), &stderr)
	if err != nil || got != "/opt/s3logs" || stderr.Len() != 0 {
		t.Errorf("S3logsBinary with a path = %q, %v, stderr %q; want the path unchanged and nothing built", got, err, stderr.String())
	}
}

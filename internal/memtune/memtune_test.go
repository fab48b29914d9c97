package memtune

import (
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestForLoadGCPercent: a load sets the GC target, and it is put back
// when the last of overlapping loads is restored (a restore called twice
// counts once).
func TestForLoadGCPercent(t *testing.T) {
	t.Setenv("GOGC", "")
	old := debug.SetGCPercent(120)
	defer debug.SetGCPercent(old)
	want := func(when string, pct int) {
		t.Helper()
		if got := debug.SetGCPercent(pct); got != pct {
			t.Errorf("GC percent %s = %d, want %d", when, got, pct)
		}
	}
	first := ForLoad()
	want("during a load", LoadGCPercent)
	second := ForLoad()
	first()
	first()
	want("with one of two loads still running", LoadGCPercent)
	second()
	want("after both loads", 120)
}

func TestForLoadKeepsGOGC(t *testing.T) {
	t.Setenv("GOGC", "80")
	old := debug.SetGCPercent(80)
	defer debug.SetGCPercent(old)
	ForLoad()()
	if got := debug.SetGCPercent(old); got != 80 {
		t.Errorf("GC percent = %d, want the user's GOGC=80 kept", got)
	}
}

// TestForLoadMapsLargeBlocks: once a mapped block has been freed, glibc
// raises its threshold and serves the next block of that size from its
// heap; after ForLoad every such block is mapped, and so returned when
// freed. It runs in a child process: glibc's threshold, once set, stays
// set for the process.
func TestForLoadMapsLargeBlocks(t *testing.T) {
	if os.Getenv("S3LOGS_MEMTUNE_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestForLoadMapsLargeBlocks$", "-test.v")
		cmd.Env = append(os.Environ(), "S3LOGS_MEMTUNE_CHILD=1")
		out, err := cmd.CombinedOutput()
		t.Logf("child:\n%s", out)
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if runtime.GOOS != "linux" || !mapsAlloc(32<<20, 0) {
		t.Skip("not glibc's malloc")
	}
	if os.Getenv("MALLOC_MMAP_THRESHOLD_") != "" || os.Getenv("GLIBC_TUNABLES") != "" {
		t.Skip("the environment sets malloc's tunables")
	}
	const n = 512 << 10
	mapsAlloc(n, 0) // mapped, and raises the threshold when freed
	if mapsAlloc(n, n) {
		t.Fatalf("a second block of %d bytes was mapped before ForLoad: glibc's threshold did not rise, so this test shows nothing", n)
	}
	ForLoad()()
	// The block freed into the heap is used first (held), then blocks of
	// that size are mapped again.
	for range 3 {
		if !mapsAlloc(n, n) {
			t.Fatalf("a block of %d bytes was not mapped after ForLoad", n)
		}
	}
}

// Package memtune tunes the process's two memory allocators, Go's and the
// C library's, for a long load, so that its peak memory does not grow with
// how long it runs (see ForLoad).
package memtune

import (
	"os"
	"runtime/debug"
	"strings"
	"sync"
)

// LoadGCPercent is the Go garbage collector's target during a load: the
// heap may grow to 1.5 times what was live at the last collection, not 2
// times (GOGC=100). A load of small S3 objects allocates about 100 MB a
// second (SDK requests, Arrow batches) over 10 to 20 MB live; the longer
// it runs, the likelier a collection finds a burst of batches in flight,
// and the peak of the Go heap grew with the number of objects.
const LoadGCPercent = 50

// MmapThreshold is the size from which the C library's malloc serves an
// allocation with its own mapping, returned to the system when freed.
const MmapThreshold = 128 << 10

var (
	once sync.Once

	mu    sync.Mutex
	loads int // ForLoad calls not yet restored
	gcWas int // the GC target before the first of them
)

// ForLoad tunes the allocators for a load and returns a function that
// restores the garbage collector's target. The load's measured growth
// (cmd/s3logs-s3bench, peak RSS of 100,000 objects against 10,000) came
// as much from DuckDB's memory outside its buffer pool as from Go's heap:
//
//   - the Go garbage collector's target is set to LoadGCPercent, unless
//     $GOGC says otherwise;
//   - glibc's malloc is told to map every allocation of MmapThreshold or
//     more on its own, unless $MALLOC_MMAP_THRESHOLD_ or $GLIBC_TUNABLES
//     sets it. glibc starts at that threshold but raises it to the size of
//     each mapped block freed (up to 32 MB), after which such blocks come
//     from its heaps and stay there, fragmented, once freed: over a long
//     load DuckDB's vectors, row groups and the like ratchet the heaps up.
//     Setting the threshold turns the raising off. This lasts for the
//     process (it cannot be undone), and is a no-op off glibc.
//
// Loads may overlap (the shell's and the web UI's): the target is put back
// when the last of them is restored. Each restore runs once.
func ForLoad() (restore func()) {
	once.Do(func() {
		if os.Getenv("MALLOC_MMAP_THRESHOLD_") == "" && !strings.Contains(os.Getenv("GLIBC_TUNABLES"), "mmap_threshold") {
			setMmapThreshold(MmapThreshold)
		}
	})
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	mu.Lock()
	if loads == 0 {
		gcWas = debug.SetGCPercent(LoadGCPercent)
	}
	loads++
	mu.Unlock()
	var done sync.Once
	return func() {
		done.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			if loads--; loads == 0 {
				debug.SetGCPercent(gcWas)
			}
		})
	}
}

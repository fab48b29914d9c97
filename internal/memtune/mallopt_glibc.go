//go:build linux && cgo

package memtune

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
static int s3logs_set_mmap_threshold(int n) { return mallopt(M_MMAP_THRESHOLD, n); }
static size_t s3logs_mmapped(void) { return mallinfo2().hblkhd; }
static size_t s3logs_inuse(void) { struct mallinfo2 m = mallinfo2(); return m.uordblks + m.hblkhd; }
static int s3logs_glibc(void) { return 1; }
#else
static size_t s3logs_inuse(void) { return 0; }
static int s3logs_glibc(void) { return 0; }
static int s3logs_set_mmap_threshold(int n) { return 0; }
static size_t s3logs_mmapped(void) { return 0; }
#endif
*/
import "C"

// CHeapInUse returns the bytes allocated with the C library's malloc and
// not freed (DuckDB's objects outside its buffer pool, the C copies of
// exported Arrow schemas...), as glibc's mallinfo2 counts them; ok is
// false off glibc.
func CHeapInUse() (bytes uint64, ok bool) {
	return uint64(C.s3logs_inuse()), C.s3logs_glibc() == 1
}

// setMmapThreshold sets glibc's M_MMAP_THRESHOLD to n bytes, and reports
// whether it could (not off glibc).
func setMmapThreshold(n int) bool { return C.s3logs_set_mmap_threshold(C.int(n)) == 1 }

// mapsAlloc reports whether an allocation of n bytes, made while the one
// of hold bytes (none when 0) is held, gets a mapping of its own: glibc's
// count of mapped bytes grows by at least n while it is held.
func mapsAlloc(n, hold int) bool {
	if hold > 0 {
		h := C.malloc(C.size_t(hold))
		defer C.free(h)
	}
	before := C.s3logs_mmapped()
	p := C.malloc(C.size_t(n))
	defer C.free(p)
	return C.s3logs_mmapped() >= before+C.size_t(n)
}

//go:build !(linux && cgo)

package memtune

func setMmapThreshold(n int) bool { return false }

func mapsAlloc(n, hold int) bool { return false }

// CHeapInUse is not known off glibc.
func CHeapInUse() (bytes uint64, ok bool) { return 0, false }

package loader

// Recycling the Arrow buffers of record batches. Every batch needs about
// forty fresh buffers (2 to 3 MB at 4096 typical rows), and the batch is
// handed to the consumer (DuckDB) and released later, so the Reader cannot
// simply reuse its own. Getting them from Go's allocator each time costs a
// large allocation, its zeroing and the garbage collection behind it; the
// recycler keeps released buffers in size-classed free lists and hands
// them back as they are, not zeroed. That is only right because the
// loader writes every byte of a buffer that a batch exposes (values,
// offsets and whole validity bytes).

import (
	"math/bits"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

const (
	// minClassShift is log2 of the smallest size class (64 bytes, Arrow's
	// alignment).
	minClassShift = 6
	// numClasses size classes of powers of two: 64 B to 64<<(numClasses-1).
	numClasses = 40
	// maxKeepPerClass bounds the buffers kept in one class.
	maxKeepPerClass = 64
	// sharedKeepBytes and readerKeepBytes bound the bytes a recycler keeps:
	// the shared one over Go's allocator, and one of a single Reader over a
	// caller's allocator.
	sharedKeepBytes = 256 << 20
	readerKeepBytes = 64 << 20
)

// recycler is a memory.Allocator that gets its buffers from a parent
// allocator in power-of-two size classes and keeps the ones freed in
// per-class free lists, bounded, to hand them back (not zeroed) on the
// next Allocate of their class. It is safe for concurrent use: batches are
// released by the consumer's goroutines.
type recycler struct {
	parent memory.Allocator

	mu     sync.Mutex
	free   [numClasses][][]byte // each of its class's full size
	kept   int                  // bytes in free
	limit  int                  // most bytes kept
	closed bool                 // Free passes everything to the parent
}

// sharedRecycler recycles for every Reader whose allocator is Go's own
// (Options.Allocator nil, memory.DefaultAllocator or a GoAllocator): Go's
// Free does nothing, so buffers can go from Reader to Reader for the life
// of the process, within sharedKeepBytes.
var sharedRecycler = &recycler{parent: memory.DefaultAllocator, limit: sharedKeepBytes}

// recyclerFor returns the allocator a Reader gets its buffers from, given
// Options.Allocator, and whether the Reader owns it (and must close it on
// Release, so that a caller's allocator sees every byte freed).
func recyclerFor(mem memory.Allocator) (*recycler, bool) {
	if _, goAlloc := mem.(*memory.GoAllocator); mem == nil || mem == memory.DefaultAllocator || goAlloc {
		return sharedRecycler, false
	}
	return &recycler{parent: mem, limit: readerKeepBytes}, true
}

// sizeClass returns the class of a buffer of size bytes and the class's
// size.
func sizeClass(size int) (int, int) {
	k := 0
	if size > 1<<minClassShift {
		k = bits.Len(uint(size-1)) - minClassShift
	}
	return k, 1 << (k + minClassShift)
}

// Allocate returns a buffer of size bytes whose contents are undefined.
func (a *recycler) Allocate(size int) []byte {
	k, cls := sizeClass(size)
	if k < numClasses {
		a.mu.Lock()
		if l := a.free[k]; len(l) > 0 {
			b := l[len(l)-1]
			l[len(l)-1] = nil
			a.free[k] = l[:len(l)-1]
			a.kept -= cls
			a.mu.Unlock()
			return b[:size]
		}
		a.mu.Unlock()
	}
	return a.parent.Allocate(cls)[:size:cls]
}

// Reallocate returns a buffer of size bytes starting with the contents of
// b, which it frees if it cannot grow it in place.
func (a *recycler) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		return b[:size]
	}
	nb := a.Allocate(size)
	copy(nb, b)
	a.Free(b)
	return nb
}

// Free takes back a buffer that Allocate or Reallocate returned (any
// length of it), keeping it for reuse when there is room.
func (a *recycler) Free(b []byte) {
	b = b[:cap(b)]
	k, cls := sizeClass(len(b))
	a.mu.Lock()
	if !a.closed && k < numClasses && cls == len(b) && len(a.free[k]) < maxKeepPerClass && a.kept+cls <= a.limit {
		a.free[k] = append(a.free[k], b)
		a.kept += cls
		a.mu.Unlock()
		return
	}
	a.mu.Unlock()
	a.parent.Free(b)
}

// close frees every kept buffer to the parent, which from then on gets
// every buffer freed.
func (a *recycler) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	for k, l := range a.free {
		for i, b := range l {
			a.parent.Free(b)
			l[i] = nil
		}
		a.free[k] = l[:0]
	}
	a.kept = 0
}

// newBuffer returns an Arrow buffer of size bytes from a, its contents
// undefined: the caller writes all of them.
func newBuffer(a *recycler, size int) *memory.Buffer {
	return memory.NewBufferWithAllocator(a.Allocate(size), a)
}

var _ memory.Allocator = (*recycler)(nil)

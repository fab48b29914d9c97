//go:build !purego

package loader

// indexSSE2 is indexBlocks in assembly (index_amd64.s): 16 bytes per
// compare instead of 8 per few SWAR operations.
//
//go:noescape
func indexSSE2(p *byte, n int, spaces, quotes *uint64) (hi, nul uint64)

// indexBlocks writes the bitmaps of the spaces and quotes of the 64-byte
// blocks of b to spaces and quotes (one word per block; len(b) must be
// 64*len(spaces) and len(quotes) at least len(spaces)), and reports
// whether b holds a byte that is not ASCII (hi) or a NUL byte (nul).
func indexBlocks(b []byte, spaces, quotes []uint64) (hi, nul bool) {
	n := len(spaces)
	if n == 0 {
		return false, false
	}
	_, _ = b[64*n-1], quotes[n-1] // the assembly trusts these bounds
	h, z := indexSSE2(&b[0], n, &spaces[0], &quotes[0])
	return h != 0, z != 0
}

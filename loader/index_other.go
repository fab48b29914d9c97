//go:build !amd64 || purego

package loader

// indexBlocks writes the bitmaps of the spaces and quotes of the 64-byte
// blocks of b to spaces and quotes (one word per block; len(b) must be
// 64*len(spaces) and len(quotes) at least len(spaces)), and reports
// whether b holds a byte that is not ASCII (hi) or a NUL byte (nul).
// This portable version also builds on amd64 with the purego tag, so that
// the tests can run it there: go test -tags duckdb_arrow,purego ./loader.
func indexBlocks(b []byte, spaces, quotes []uint64) (hi, nul bool) {
	return indexBlocksGo(b, spaces, quotes)
}

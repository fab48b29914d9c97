package ingest

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// A copy of a file already loaded (same bytes under another name) would
// double every count. An object is taken for a copy when its size and
// checksum (of its first and last 4 KiB, see checksum) match those of an
// object loaded before or earlier in this load under another id, and, when
// both are local files that still exist, their bytes are equal.
// Options.AllowDuplicates loads copies anyway.

// dupKey identifies an object's bytes for the copy check.
type dupKey struct {
	size     int64
	checksum string
}

// dupIndex maps the size and checksum of the objects loaded to their ids
// (several when their bytes differ between the first and last 4 KiB).
type dupIndex struct {
	mu    sync.Mutex
	byKey map[dupKey][]string
}

// newDupIndex returns an empty index; readManifestIndex adds the
// manifest's rows to it.
func newDupIndex() *dupIndex { return &dupIndex{byKey: map[dupKey][]string{}} }

// add indexes the manifest row r when it is a loaded local file whose
// checksum covers its stored bytes. Only local files are indexed (and
// checked, see read): a copy is a file copied on disk, and a load of a
// million S3 objects should not hold their ids (see manifestIndex).
func (x *dupIndex) add(r manifestRow) {
	if r.Status == StatusLoaded && r.Size > 0 && r.Checksum != "" && filepath.IsAbs(r.ID) {
		k := dupKey{r.Size, r.Checksum}
		x.byKey[k] = append(x.byKey[k], r.ID)
	}
}

// claim records the object id of size bytes read through ra, and returns
// the id of an object loaded with the same bytes, or "".
func (x *dupIndex) claim(id string, size int64, ra io.Reader) string {
	if size <= 0 {
		return ""
	}
	cs := checksum(ra, size)
	if cs == "" {
		return ""
	}
	k := dupKey{size, cs}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, other := range x.byKey[k] {
		if other != id && sameBytes(id, other, size) {
			return other
		}
	}
	x.byKey[k] = append(x.byKey[k], id)
	return ""
}

// sameBytes reports whether the local files a and b (absolute paths) hold
// the same size bytes; true when either is not a local file that can be
// read, as size and checksum then stand for the bytes.
func sameBytes(a, b string, size int64) bool {
	if !filepath.IsAbs(a) || !filepath.IsAbs(b) {
		return true
	}
	fa, err := os.Open(a)
	if err != nil {
		return true
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return true
	}
	defer fb.Close()
	ba, bb := make([]byte, 1<<20), make([]byte, 1<<20)
	for off := int64(0); off < size; {
		na, ea := io.ReadFull(fa, ba)
		nb, _ := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false
		}
		off += int64(na)
		if ea != nil {
			return off == size
		}
	}
	return true
}

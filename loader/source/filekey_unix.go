//go:build unix

package source

import (
	"fmt"
	"io/fs"
	"syscall"
)

// fileKey identifies the file behind st (device and inode), so that one
// file reached by two paths (a link, a linked folder) is read once and a
// linked folder that leads back to its parent is walked once; "" when
// unknown.
func fileKey(st fs.FileInfo) string {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%d:%d", s.Dev, s.Ino)
	}
	return ""
}

//go:build linux

package export

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange atomically swaps the directories a and b (renameat2 with
// RENAME_EXCHANGE), so that readers of b see the old partition or the new
// one, never neither or both. File systems without it fall back to two
// renames.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return exchangeByRenames(a, b)
	}
	return err
}

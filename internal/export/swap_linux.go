//go:build linux

package export

import (
	"errors"
	"fmt"
	"os"

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

// lockDir takes an exclusive flock on the directory dir, failing at once
// with ErrBusy when another process (or run) holds it. The lock goes with
// the process, so a crashed export never leaves the lake locked.
func lockDir(dir string) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWrite, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("%w: lock %s: %v", ErrWrite, dir, err)
	}
	return func() { f.Close() }, nil
}

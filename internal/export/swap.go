package export

import "os"

// exchangeByRenames swaps directories a and b with three renames through a
// third name beside a. If it fails midway, b is put back.
func exchangeByRenames(a, b string) error {
	old := a + ".old"
	if err := os.Rename(b, old); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		os.Rename(old, b)
		return err
	}
	return os.Rename(old, a)
}

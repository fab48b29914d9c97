//go:build !linux

package export

// exchange swaps the directories a and b with two renames: readers of b may
// briefly find it missing, never doubled.
func exchange(a, b string) error { return exchangeByRenames(a, b) }

//go:build !unix

package source

import "io/fs"

// fileKey is unknown here: links to folders are not followed (see walk).
func fileKey(fs.FileInfo) string { return "" }

// Package source finds the inputs of a load and opens them: local files,
// folders, glob patterns and standard input (S3 is in loader/s3) are listed
// as Objects, and Decode turns an object's stored bytes into the text the
// parser reads, sniffing its first bytes once: gzip is undone, other
// compression and binary data are refused with an error that says so.
//
// What the bytes mean is the parser's business (package loader); this
// package never looks past an input's first few KB.
package source

import (
	"context"
	"errors"
	"io"
	"time"
)

// Object is one input of a load: a local file, an S3 object or standard
// input. Listers make Objects; the load pipeline opens, decodes, parses
// and records each in the manifest.
type Object struct {
	// Name is what a person is shown: the path as given, s3://bucket/key, or "-".
	Name string
	// ID is the stable identity of the object: the absolute path,
	// s3://bucket/key, or, for standard input and pipes, whose names are
	// not stable, "stdin:" and a hash of the bytes, or the pipe's path (see
	// Unstable). It becomes p_source_id, keys the
	// manifest and seeds p_row_id.
	ID string
	// FileKey identifies a local file (its device and inode), so that a
	// load reads once a file reached by two paths (a link to it, a linked
	// folder); "" when unknown or not a local file.
	FileKey string
	// Unstable marks a named pipe, a process substitution (<(...), whose
	// path /dev/fd/63 is the same for every command) or a device: its path
	// names a stream, not its bytes, which are read as they come. The load
	// gives it an ID of its own unless the path's earlier load was
	// interrupted, so that a second load through the same path is added
	// beside the first one's rows, never replacing them.
	Unstable bool
	// Size is the size in bytes as stored (compressed when gzipped), or -1
	// when unknown.
	Size int64
	// ModTime is the modification time, or zero when unknown.
	ModTime time.Time
	// ETag is the S3 entity tag; empty for local files.
	ETag string
	// Open returns the bytes as stored (gzip not undone: see Decode). The
	// caller closes the ReadCloser.
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// A Lister finds the Objects of one source argument (a path, folder, glob,
// "-", or s3:// URL) and calls fn for each, in a stable order. It stops at
// the first error fn returns and returns it. Problems with one object that
// do not stop the listing are reported through fn's caller, not returned.
type Lister interface {
	List(ctx context.Context, fn func(Object) error) error
}

// ErrNoLogs is wrapped by a Lister that found nothing to load: a folder
// without files, a glob that matches nothing, an empty standard input or
// S3 prefix.
var ErrNoLogs = errors.New("no log files found")

package db

import (
	"errors"
	"fmt"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// ErrLocked is the kind of a *LockedError, for errors.Is.
var ErrLocked = errors.New("database is locked by another process")

// LockedError is the error of Open when another process holds the
// database file: DuckDB lets one process at a time open a file for
// writing. Find it with errors.As; it matches ErrLocked with errors.Is.
type LockedError struct {
	Path   string // the database file, as given to Open
	Holder string // the process holding it as DuckDB names it, e.g. "/usr/bin/duckdb (PID 4242)", or ""
	Err    error  // DuckDB's error
	// ReadOnly is set when the refused open was read-only: the holder is
	// then writing to the file (read-only opens share it).
	ReadOnly bool
	// Readers is set when the refused open was read-write and the file is
	// held by readers only (read-only opens: queries, detections, the shell).
	Readers bool
}

// Error names the file, the process holding it when DuckDB said, which
// kind of open holds it when that is known, and what to do.
func (e *LockedError) Error() string {
	holder := "another process"
	if e.Holder != "" {
		holder = e.Holder
	}
	switch {
	case e.ReadOnly:
		return fmt.Sprintf("database %s is being written by %s (a load, or a shell loading); reading it needs that to finish: wait for it, or close that process", e.Path, holder)
	case e.Readers:
		return fmt.Sprintf("database %s is open for reading by %s (a query, detect, export, report or shell; any number may read at once, but writing needs the file alone): close those, or wait for them to finish", e.Path, holder)
	}
	return fmt.Sprintf("database %s is locked by %s", e.Path, holder)
}

// Is reports whether target is ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Unwrap returns DuckDB's error.
func (e *LockedError) Unwrap() error { return e.Err }

// lockedError returns a *LockedError for path when err is DuckDB's
// refusal to lock the file, and nil otherwise. DuckDB gives no error type
// of its own for a lock: it is an IO error whose message reads
//
//	IO Error: Could not set lock on file "t.duckdb": Conflicting lock is
//	held in /usr/bin/duckdb (PID 4242) by user ann. See also https://...
//
// so this is the one place that reads the message.
func lockedError(path string, err error) *LockedError {
	var de *duckdb.Error
	if !errors.As(err, &de) || de.Type != duckdb.ErrorTypeIO || !strings.Contains(de.Msg, "Could not set lock") {
		return nil
	}
	e := &LockedError{Path: path, Err: err}
	if _, rest, ok := strings.Cut(de.Msg, "Conflicting lock is held in "); ok {
		if i := strings.Index(rest, ")"); i >= 0 {
			e.Holder = rest[:i+1]
		}
	}
	return e
}

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
}

// Error names the file and, when DuckDB said, the process holding it.
func (e *LockedError) Error() string {
	if e.Holder != "" {
		return fmt.Sprintf("database %s is locked by %s", e.Path, e.Holder)
	}
	return fmt.Sprintf("database %s is locked by another process", e.Path)
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
func lockedError(path string, err error) error {
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

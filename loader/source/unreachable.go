package source

import (
	"errors"
	"fmt"
)

// ErrUnreachable is wrapped by the error of an object, or of a listing,
// that was not read because its source could not be reached at all: an S3
// endpoint that stopped accepting connections. A load reports the objects
// of such a source once, with their count, not one message each.
var ErrUnreachable = errors.New("source cannot be reached")

// UnreachableError is the error of a source that went away: every object
// of it not yet read fails with it at once, without another request. It
// wraps ErrUnreachable and the failure that decided it.
type UnreachableError struct {
	Source   string // the source as given, e.g. s3://bucket/prefix/
	Endpoint string // what could not be reached, e.g. "S3 at https://s3.us-east-1.amazonaws.com"
	Err      error  // the last failure
}

// Error names the source, what could not be reached and why.
func (e *UnreachableError) Error() string {
	return fmt.Sprintf("%s: cannot reach %s: %v", e.Source, e.Endpoint, e.Err)
}

// Unwrap returns ErrUnreachable and the failure.
func (e *UnreachableError) Unwrap() []error { return []error{ErrUnreachable, e.Err} }

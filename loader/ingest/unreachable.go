package ingest

import (
	"errors"
	"fmt"

	"github.com/s3logs/s3logs/loader/source"
)

// UnreachableError is what a load says, once, about a source that went
// away while it was read (an S3 endpoint that stopped accepting
// connections): how many of its objects were not loaded, instead of one
// message per object. The objects loaded before are in the manifest, so
// the same load run again reads only the others.
type UnreachableError struct {
	Err     *source.UnreachableError
	Objects int  // objects of the source that failed with it
	Listing bool // its listing stopped too: objects past them were not listed
}

// Error names the source, what could not be reached, the count, and what
// to do.
func (e *UnreachableError) Error() string {
	rest := ""
	if e.Listing {
		rest = ", nor the rest of its listing"
	}
	return fmt.Sprintf("%v; stopped reading it: %s not loaded%s; what was loaded is kept: run the same load again to read the rest",
		e.Err, plural(e.Objects, "object"), rest)
}

// Unwrap returns the source's error.
func (e *UnreachableError) Unwrap() error { return e.Err }

// holdUnreachable keeps back err when it is an object or a listing of a
// source that could not be reached, counting it for reportUnreachable, and
// reports whether it did. l.errMu is held.
func (l *Loader) holdUnreachable(err error) bool {
	var ue *source.UnreachableError
	if !errors.As(err, &ue) {
		return false
	}
	var u *UnreachableError
	for _, h := range l.unreachable {
		if h.Err.Source == ue.Source {
			u = h
		}
	}
	if u == nil {
		u = &UnreachableError{Err: ue}
		l.unreachable = append(l.unreachable, u)
	}
	var oe *ObjectError
	if errors.As(err, &oe) {
		u.Objects++
		l.failed.Add(1)
	} else {
		u.Listing = true
	}
	return true
}

// reportUnreachable reports each source that could not be reached, once.
func (l *Loader) reportUnreachable() {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	for _, u := range l.unreachable {
		if u.Objects == 0 {
			l.failed.Add(1) // only its listing failed
		}
		l.errs = append(l.errs, u)
		if l.opts.OnError != nil {
			l.opts.OnError(u)
		}
	}
	l.unreachable = nil
}

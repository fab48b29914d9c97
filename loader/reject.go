package loader

import (
	"bytes"
	"fmt"

	"github.com/s3logs/s3logs/schema"
)

// Reject is a line the Reader could not turn into a row: where it came
// from, why it was rejected, and the line itself (a copy owned by the
// Reject, without its line ending). Like encoding/csv's ParseError, it is
// an error that carries its position and wraps the sentinel saying what
// went wrong: errors.Is(rej, schema.RejectInteger) is true for a line
// whose number field is not a number.
type Reject struct {
	Source string            // p_source_id of the reader
	Line   int64             // 1-based line number in the source
	Column int               // 1-based byte column where the problem starts; 0 when it concerns the whole line
	Field  string            // column name the problem is in (e.g. httpstatus); empty when it concerns the whole line
	Kind   schema.RejectKind // why, as a value to branch on; never zero
	Reason string            // why, in words, with the detail (the reason column of the rejects table)
	Raw    []byte            // the line as read, without its line ending
}

// Error formats the reject as "src:line:col: field: reason", leaving out
// the column and field when they are unknown.
func (e *Reject) Error() string {
	s := fmt.Sprintf("%s:%d:", e.Source, e.Line)
	if e.Column > 0 {
		s += fmt.Sprintf("%d:", e.Column)
	}
	if e.Field != "" {
		s += " " + e.Field + ":"
	}
	return s + " " + e.Reason
}

// Unwrap returns the reject's kind, so that errors.Is and errors.As see it.
func (e *Reject) Unwrap() error { return e.Kind }

// TooLong is the Reject of line number line of source, of length bytes
// (its ending included), longer than limit: raw is the start of it that is
// kept (copied), at most 64 KiB. The loader reads such a line to its end
// without buffering it.
func TooLong(source string, line, length int64, limit int, raw []byte) Reject {
	raw = bytes.Clone(raw[:min(len(raw), rawKeepBytes)])
	return Reject{
		Source: source, Line: line, Kind: schema.RejectTooLong, Raw: raw,
		Reason: fmt.Sprintf("line of %d bytes is longer than the limit of %d bytes (--max-line-bytes); raw holds only its first %d bytes", length, limit, len(raw)),
	}
}

// Cut is the Reject of line number line of source, the last line of an
// input whose read failed before the line's end (a truncated gzip member,
// an S3 body cut mid-stream): raw (copied, without a line ending) is what
// was read of it. A line cut short may read as a valid row with its last
// fields missing, so it is never one.
func Cut(source string, line int64, raw []byte) Reject {
	raw = bytes.Clone(trimEOL(raw[:min(len(raw), MaxLineBytes)]))
	return Reject{
		Source: source, Line: line, Kind: schema.RejectCut, Raw: raw,
		Reason: fmt.Sprintf("the input ended with a read error %d bytes into this line, before its line end: the line may be cut", len(raw)),
	}
}

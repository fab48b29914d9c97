package loader

import (
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

package loader

import "fmt"

// Reject is a line the Reader could not turn into a row: where it came
// from, what was wrong, and the line itself (a copy owned by the Reject,
// without its line ending).
type Reject struct {
	Source string // p_source_id of the reader
	Line   int64  // 1-based line number in the source
	Column int    // 1-based byte column where the problem starts; 0 when it concerns the whole line
	Field  string // column name the problem is in (e.g. httpstatus); empty when it concerns the whole line
	Reason string // what was wrong
	Raw    []byte // the line as read, without its line ending
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

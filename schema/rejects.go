package schema

import "fmt"

// RejectsTableName is the table that keeps the lines the loader could not
// parse, so that nothing read is ever lost without a trace.
const RejectsTableName = "aws_s3serveraccess_rejects"

// Column positions in Rejects.
const (
	RejSource = iota
	RejLine
	RejColumn
	RejField
	RejReason
	RejRaw
	RejLoadedAt
)

// Rejects declares the table of rejected lines: where each came from, what
// was wrong and the line itself.
var Rejects = &Table{
	Name:        RejectsTableName,
	Description: "Lines s3logs could not parse as AWS.S3ServerAccess, with where they came from and why.",
	Columns: []Column{
		{Name: "source", Type: String, Description: "The object the line was read from: a file path, s3://bucket/key, or stdin."},
		{Name: "line", Type: BigInt, Description: "The 1-based line number within the source."},
		{Name: "column", Type: BigInt, Description: "The 1-based byte column where the problem starts, or NULL when it concerns the whole line."},
		{Name: "field", Type: String, Description: "The column the problem is in (for example httpstatus), or NULL when it concerns the whole line."},
		{Name: "reason", Type: String, Description: "What was wrong, in words a person can act on."},
		{Name: "raw", Type: String, Description: "The line as read, without its line ending; bytes that are not valid UTF-8 are written as \\xNN."},
		{Name: "loaded_at", Type: Timestamp, Description: "When the line was read, in UTC."},
	},
}

// RejectKind says why a line was rejected, as a value to branch on; the
// reason column says it in words, with the detail (which value, which
// field). A RejectKind is an error, the sentinel a loader.Reject wraps, so
// that errors.Is(err, schema.RejectInteger) tells a reject of a bad
// number, as errors.Is(err, fs.ErrNotExist) tells a missing file.
//
// The kinds live here rather than in the loader, beside the table whose
// rows they classify, so that what makes rejects (the loader) and what
// predicts them (the test-data generator, which the loader's own tests
// import) share one definition.
type RejectKind uint8

// The kinds of rejected lines. The zero value is no kind: every reject has
// one of the others.
const (
	RejectBinary    RejectKind = iota + 1 // the line holds a NUL byte
	RejectNotLog                          // no bracketed time as the third field: a line of another format
	RejectTooLong                         // longer than the longest line the loader reads (--max-line-bytes)
	RejectTruncated                       // the line ends before the fields a line must have, or inside a quote
	RejectRequired                        // a required field (bucketowner) is -
	RejectTime                            // the time is malformed or impossible (31/Feb, hour 25)
	RejectRequester                       // no requester or request id before the operation
	RejectOperation                       // no operation-shaped field where one must be
	RejectInteger                         // a number field is neither a non-negative integer nor -
	RejectQuoting                         // no reading of the quoted fields fits the fields around them
	RejectAmbiguous                       // the quoted fields can be read more than one way
	RejectJSON                            // a JSON record that is not well-formed (truncated, trailing data, a key twice, nested too deep)
	RejectType                            // a value of the wrong type for its field (a string for http_status, a number for bucket_name)
	RejectNoTime                          // a JSON or Parquet record without request_time
	RejectCut                             // the last line, without its line end, of an input whose read failed
	numRejectKinds
)

// rejectKinds are the kinds' names (String) and what each means (Error).
var rejectKinds = [numRejectKinds]struct{ name, text string }{
	RejectBinary:    {"binary", "binary data"},
	RejectNotLog:    {"not-log", "not an S3 server access log line"},
	RejectTooLong:   {"too-long", "line too long"},
	RejectTruncated: {"truncated", "truncated line"},
	RejectRequired:  {"required", "required field is -"},
	RejectTime:      {"time", "invalid time"},
	RejectRequester: {"requester", "missing requester or request id"},
	RejectOperation: {"operation", "no operation"},
	RejectInteger:   {"integer", "invalid integer"},
	RejectQuoting:   {"quoting", "cannot tell where the quoted fields end"},
	RejectAmbiguous: {"ambiguous", "ambiguous quoting"},
	RejectJSON:      {"json", "malformed JSON record"},
	RejectType:      {"type", "value of the wrong type"},
	RejectNoTime:    {"no-time", "record without a time"},
	RejectCut:       {"cut", "last line cut by a read error"},
}

// RejectKinds returns every kind, in order.
func RejectKinds() []RejectKind {
	ks := make([]RejectKind, 0, numRejectKinds-1)
	for k := RejectBinary; k < numRejectKinds; k++ {
		ks = append(ks, k)
	}
	return ks
}

// String returns the kind's short name, such as "integer".
func (k RejectKind) String() string {
	if k > 0 && k < numRejectKinds {
		return rejectKinds[k].name
	}
	return fmt.Sprintf("RejectKind(%d)", int(k))
}

// Error says what the kind means, such as "invalid integer"; a reject's
// reason says it with the detail.
func (k RejectKind) Error() string {
	if k > 0 && k < numRejectKinds {
		return rejectKinds[k].text
	}
	return k.String()
}

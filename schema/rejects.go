package schema

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

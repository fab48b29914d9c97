package schema

// ReplacedTableName is the table that marks the values in which the loader
// wrote bytes that are not valid UTF-8 as U+FFFD. It sits beside
// aws_s3serveraccess, whose columns are Panther's (a mark there would
// break that schema), and is joined to it on p_row_id.
const ReplacedTableName = "s3logs_replaced"

// Column positions in Replaced.
const (
	RepPRowID = iota
	RepPSourceID
	RepField
)

// Replaced declares the marks of changed values: one row per value of a
// row of aws_s3serveraccess that held bytes that are not valid UTF-8.
var Replaced = &Table{
	Name: ReplacedTableName,
	Description: "Values of aws_s3serveraccess in which bytes that are not valid UTF-8 were written as U+FFFD: one row per row and column changed. " +
		"Join on p_row_id; a U+FFFD in a row not listed here was in the log itself.",
	Columns: []Column{
		{Name: "p_row_id", Type: String, Description: "The p_row_id of the row in aws_s3serveraccess."},
		{Name: "p_source_id", Type: String, Description: "The p_source_id of the row: the object it was read from."},
		{Name: "field", Type: String, Description: "The column whose value changed (for example useragent or key; additionalFields for an element of it)."},
	},
}

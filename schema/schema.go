// Package schema owns what a row of s3logs is: the AWS.S3ServerAccess log
// type as Panther defines it (column names, order, types, descriptions and
// the required flag), Panther's standard p_ columns, and the table of
// rejected lines. The Arrow schema, the DuckDB table definitions and the
// column help text shown by the shell are all derived from the declarations
// in this package, so they cannot drift apart.
//
// Column names are exactly Panther's: all lowercase except tlsVersion and
// additionalFields. Timestamps are UTC (DuckDB TIMESTAMP WITH TIME ZONE,
// Arrow timestamp[us, tz=UTC]).
package schema

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Type is the logical type of a column, in Panther's vocabulary.
type Type int

// The column types Panther uses for AWS.S3ServerAccess.
const (
	String     Type = iota // Panther string; DuckDB VARCHAR; Arrow utf8
	Timestamp              // Panther timestamp; DuckDB TIMESTAMPTZ; Arrow timestamp[us, UTC]
	BigInt                 // Panther bigint; DuckDB BIGINT; Arrow int64
	StringList             // Panther array of string; DuckDB VARCHAR[]; Arrow list<utf8>
)

// String returns Panther's name of the type.
func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Timestamp:
		return "timestamp"
	case BigInt:
		return "bigint"
	case StringList:
		return "array<string>"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// DuckDB returns the DuckDB SQL type of the column type.
func (t Type) DuckDB() string {
	switch t {
	case Timestamp:
		return "TIMESTAMPTZ"
	case BigInt:
		return "BIGINT"
	case StringList:
		return "VARCHAR[]"
	}
	return "VARCHAR"
}

// TimestampType is the Arrow type of every timestamp column: microseconds, UTC.
var TimestampType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// Arrow returns the Arrow data type of the column type.
func (t Type) Arrow() arrow.DataType {
	switch t {
	case Timestamp:
		return TimestampType
	case BigInt:
		return arrow.PrimitiveTypes.Int64
	case StringList:
		return arrow.ListOf(arrow.BinaryTypes.String)
	}
	return arrow.BinaryTypes.String
}

// Column is one column of a table.
type Column struct {
	Name        string
	Type        Type
	Required    bool   // Panther's required flag: a row without it is rejected
	Description string // Panther's description, shown as help in the shell
}

// Table is an ordered set of columns with a name.
type Table struct {
	Name        string
	Description string
	Columns     []Column
}

// Index returns the position of the column called name, or -1.
func (t *Table) Index(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Column returns the column called name; ok is false when there is none.
func (t *Table) Column(name string) (c Column, ok bool) {
	if i := t.Index(name); i >= 0 {
		return t.Columns[i], true
	}
	return Column{}, false
}

// Names returns the column names in order.
func (t *Table) Names() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// ArrowSchema returns a new Arrow schema with one nullable field per column,
// in order. Each field carries the column description as metadata
// "description".
func (t *Table) ArrowSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		fields[i] = arrow.Field{
			Name:     c.Name,
			Type:     c.Type.Arrow(),
			Nullable: true,
			Metadata: arrow.NewMetadata([]string{"description"}, []string{c.Description}),
		}
	}
	return arrow.NewSchema(fields, nil)
}

// CreateSQL returns the DuckDB statement that creates the table if it does
// not exist, with every column commented by its description.
func (t *Table) CreateSQL() string {
	return t.CreateSQLAs(Quote(t.Name))
}

// CreateSQLAs is CreateSQL for the table under another (qualified, quoted)
// name, such as a table of IntelCatalog.
func (t *Table) CreateSQLAs(name string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (\n", name)
	for i, c := range t.Columns {
		sep := ","
		if i == len(t.Columns)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  %s %s%s\n", Quote(c.Name), c.Type.DuckDB(), sep)
	}
	b.WriteString(")")
	return b.String()
}

// CommentSQL returns the DuckDB statements that attach the table's and
// columns' descriptions as comments, so that they show in duckdb_columns().
func (t *Table) CommentSQL() []string {
	out := []string{fmt.Sprintf("COMMENT ON TABLE %s IS %s", Quote(t.Name), Literal(t.Description))}
	for _, c := range t.Columns {
		out = append(out, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", Quote(t.Name), Quote(c.Name), Literal(c.Description)))
	}
	return out
}

// Quote returns name as a DuckDB quoted identifier.
func Quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// Literal returns s as a DuckDB string literal.
func Literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

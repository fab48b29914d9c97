// Package render writes the rows of a database/sql result, as DuckDB returns
// them through duckdb-go, in the output formats s3logs offers: an aligned
// table that fits the terminal, CSV, JSON, NDJSON, Markdown and one
// "column = value" line per field. Runner runs one statement and prints its
// result; the shell, s3logs query and s3logs queries run all use it, and
// every command that prints query results uses Write.
//
// Values are formatted per column, from the column's DuckDB type, by
// converters built once before the row loop: TIMESTAMPTZ values are UTC
// (RFC 3339 in CSV and JSON, DuckDB's "2019-02-06 00:00:38+00" in the text
// formats), lists are JSON arrays in JSON and "[a, b]" in text, structs keep
// their field order, and NULL is JSON null or a distinct marker in text.
package render

import (
	"database/sql"
	"fmt"
	"io"
	"strings"
)

// Format is an output format of Write.
type Format int

// The output formats. Table is the zero value.
const (
	Table    Format = iota // aligned columns fitted to Options.Width, then "(N rows)"
	CSV                    // header line, then RFC 4180 records
	JSON                   // one JSON array of objects
	NDJSON                 // one JSON object per line
	Markdown               // a GitHub pipe table
	Line                   // "column = value" per field, a blank line between rows
)

var formatNames = [...]string{Table: "table", CSV: "csv", JSON: "json", NDJSON: "ndjson", Markdown: "markdown", Line: "line"}

// Formats lists the names ParseFormat accepts, in order.
func Formats() []string { return append([]string(nil), formatNames[:]...) }

// String returns the name of the format, as ParseFormat accepts it.
func (f Format) String() string {
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// formatAliases are other names ParseFormat accepts: the duckdb shell's
// names of its table.
var formatAliases = map[string]Format{"box": Table, "duckbox": Table}

// ParseFormat returns the format called name (case-insensitive); "box"
// and "duckbox", the duckdb shell's names, are the table.
func ParseFormat(name string) (Format, error) {
	if f, ok := formatAliases[strings.ToLower(name)]; ok {
		return f, nil
	}
	for i, n := range formatNames {
		if strings.EqualFold(name, n) {
			return Format(i), nil
		}
	}
	return 0, fmt.Errorf("unknown format %q: want one of %s", name, strings.Join(formatNames[:], ", "))
}

// Options says how Write renders rows.
type Options struct {
	Format Format
	// Width is the terminal width a Table must fit in; 0 means no limit.
	Width int
	// MaxCell cuts Table and Markdown cells wider than this many columns
	// with "…"; 0 means no limit.
	MaxCell int
	// MaxRows makes a Table show only its first MaxRows rows (the rest are
	// read and counted); 0 means all.
	MaxRows int
	// Null is the text of NULL in the text formats; "" means "NULL" in
	// Table, Markdown and Line and an empty field in CSV.
	Null string
	// Color dims NULL and the table rules with ANSI escapes (Table only).
	Color bool
	// ShowAll is how the reader asks for every column, in the syntax of
	// where the table is printed ("--format line" on the command line,
	// ".mode line" in the shell); a Table that leaves columns out names
	// them and says this. "" says nothing.
	ShowAll string
	// Escape makes control characters in values and column names visible
	// (see Visible) in every format, for output to a terminal: log fields
	// are attacker-controlled, and an escape sequence in one must not
	// drive the terminal. Line and CSV keep line breaks and tabs (CSV
	// quotes them); JSON escapes control characters always. Leave it off
	// for a file or a pipe, which get the bytes exactly.
	Escape bool
}

// Write reads rows to the end and writes them to w in opts.Format. It
// returns the number of rows read from the result (all of them, including
// those a Table with MaxRows does not show). It does not close rows; the
// caller does. The error is the first of the scan, rows.Err and write errors.
func Write(w io.Writer, rows *sql.Rows, opts Options) (n int, err error) {
	cols, err := newColumns(rows)
	if err != nil {
		return 0, err
	}
	return write(w, cols, rows, opts)
}

// write is Write over any source of rows with these columns. Every format
// writes as the rows come (a Table after its first tableWindow rows), so
// that memory does not grow with the result.
func write(w io.Writer, cols []column, rows rowSource, opts Options) (n int, err error) {
	if opts.Escape {
		for i := range cols {
			cols[i].name = Visible(cols[i].name)
		}
	}
	var out writer
	switch opts.Format {
	case Table:
		out = &tableWriter{w: w, opts: opts, cols: cols}
	case CSV:
		out = newCSVWriter(w, opts, cols)
	case JSON, NDJSON:
		out = &jsonWriter{w: w, cols: cols, array: opts.Format == JSON}
	case Markdown:
		out = &markdownWriter{w: w, opts: opts, cols: cols}
	case Line:
		out = &lineWriter{w: w, opts: opts, cols: cols}
	default:
		return 0, fmt.Errorf("render: unknown format %v", opts.Format)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		if err := out.row(vals); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, out.finish(w, n)
}

// writer is one output format: row is called for each row (vals is reused
// by the caller), then finish once with the number of rows.
type writer interface {
	row(vals []any) error
	finish(w io.Writer, n int) error
}

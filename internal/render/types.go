package render

import (
	"database/sql"
	"strings"
)

// dtype is a DuckDB type as duckdb-go names it (ColumnTypeDatabaseTypeName),
// parsed into a tree so that nested values can be formatted by type: the
// order of struct fields (which duckdb-go returns as a Go map) and whether
// 16 bytes are a UUID or a BLOB are only known from the type.
type dtype struct {
	name   string  // base name: VARCHAR, TIMESTAMPTZ, LIST, STRUCT, MAP, DECIMAL, ...
	elem   *dtype  // LIST and ARRAY element
	key    *dtype  // MAP key
	val    *dtype  // MAP value
	fields []field // STRUCT and UNION members, in declaration order
}

type field struct {
	name string
	t    *dtype
}

// column is one result column and how its values are formatted.
type column struct {
	name    string
	t       *dtype
	numeric bool // right-aligned in tables
}

func newColumns(rows *sql.Rows) ([]column, error) {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	cols := make([]column, len(cts))
	for i, ct := range cts {
		t := parseType(ct.DatabaseTypeName())
		cols[i] = column{name: ct.Name(), t: t, numeric: t.isNumeric()}
	}
	return cols, nil
}

// isNumeric says whether values of t are right-aligned. SQLNULL is the
// type of an untyped NULL column (SELECT NULL AS c): DuckDB 1.x reported
// it as INTEGER, DuckDB 2.0 by its name; it stays right-aligned as before.
func (t *dtype) isNumeric() bool {
	switch t.name {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
		"UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "BIGNUM", "SQLNULL":
		return true
	}
	return false
}

// isWhole reports whether values of the type are cut nowhere in a table:
// numbers, times, booleans, UUIDs and addresses read wrong when cut.
func (t *dtype) isWhole() bool {
	if t.isNumeric() {
		return true
	}
	switch t.name {
	case "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS",
		"DATE", "TIME", "TIME WITH TIME ZONE", "TIMETZ", "INTERVAL", "BOOLEAN", "UUID", "INET":
		return true
	}
	return false
}

// parseType parses a type name such as `STRUCT("a" INTEGER, "b" VARCHAR[])[]`.
// Anything it does not understand becomes a type with only a name, which
// formats values by their Go type.
func parseType(s string) *dtype {
	t, _ := parseTypeAt(s, 0)
	return t
}

func parseTypeAt(s string, i int) (*dtype, int) {
	start := i
	for i < len(s) && s[i] != '(' && s[i] != '[' && s[i] != ',' && s[i] != ')' {
		i++
	}
	t := &dtype{name: strings.TrimSpace(s[start:i])}
	if i < len(s) && s[i] == '(' {
		i = t.parseArgs(s, i+1)
	}
	// Suffixes: T[] is a LIST of T, T[3] an ARRAY of T; they nest left to right.
	for i < len(s) && s[i] == '[' {
		j := strings.IndexByte(s[i:], ']')
		if j < 0 {
			return t, len(s)
		}
		name := "LIST"
		if j > 1 {
			name = "ARRAY"
		}
		t = &dtype{name: name, elem: t}
		i += j + 1
	}
	return t, i
}

// parseArgs parses the parenthesised part of STRUCT, UNION, MAP or DECIMAL
// starting after "(" and returns the index after the closing ")".
func (t *dtype) parseArgs(s string, i int) int {
	switch t.name {
	case "STRUCT", "UNION":
		for i < len(s) && s[i] != ')' {
			var name string
			name, i = parseFieldName(s, i)
			var ft *dtype
			ft, i = parseTypeAt(s, i)
			t.fields = append(t.fields, field{name: name, t: ft})
			i = skipSep(s, i)
		}
	case "MAP":
		t.key, i = parseTypeAt(s, i)
		i = skipSep(s, i)
		t.val, i = parseTypeAt(s, i)
	default: // DECIMAL(18,3), ENUM(...): only the name matters
		depth := 1
		for ; i < len(s) && depth > 0; i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth--
			}
		}
		return i
	}
	if i < len(s) && s[i] == ')' {
		i++
	}
	return i
}

// parseFieldName reads a struct field name, "quoted" with doubled quotes as
// duckdb-go writes it, or bare, and the space after it.
func parseFieldName(s string, i int) (string, int) {
	if i < len(s) && s[i] == '"' {
		var b strings.Builder
		for i++; i < len(s); i++ {
			if s[i] == '"' {
				if i+1 < len(s) && s[i+1] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				i++
				break
			}
			b.WriteByte(s[i])
		}
		return b.String(), skipSpace(s, i)
	}
	start := i
	for i < len(s) && s[i] != ' ' {
		i++
	}
	return s[start:i], skipSpace(s, i)
}

func skipSpace(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

func skipSep(s string, i int) int {
	if i < len(s) && s[i] == ',' {
		i++
	}
	return skipSpace(s, i)
}

// String shows the parsed tree, for tests and debugging.
func (t *dtype) String() string {
	switch {
	case t.elem != nil:
		return t.name + "<" + t.elem.String() + ">"
	case t.key != nil:
		return t.name + "<" + t.key.String() + ", " + t.val.String() + ">"
	case t.fields != nil:
		parts := make([]string, len(t.fields))
		for i, f := range t.fields {
			parts[i] = f.name + " " + f.t.String()
		}
		return t.name + "{" + strings.Join(parts, ", ") + "}"
	}
	return t.name
}

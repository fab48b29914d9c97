package queries

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// A saved query comes from a file anyone can hand a user (a pack of
// investigations in --queries-dir or the config folder), so it may only
// read: exactly one query (SELECT, WITH, FROM, VALUES, TABLE, SUMMARIZE,
// DESCRIBE, SHOW), reading tables and views of the database and no file,
// URL or other database. CheckReadOnly holds a statement to that with
// DuckDB's own parser; cmd/s3logs also runs saved queries on a sandboxed
// instance (internal/db.OpenSandbox) where it can.

// ErrNotReadOnly is wrapped by the error of CheckReadOnly when a statement
// does more than read the database.
var ErrNotReadOnly = errors.New("a saved query may only read the database")

// ReadOnlyError says why a statement is not a read-only query.
type ReadOnlyError struct {
	Reason string // "holds 2 statements", "reads the table function read_text"...
}

// Error reads "a saved query may only read the database: " and the reason.
func (e *ReadOnlyError) Error() string { return fmt.Sprintf("%v: it %s", ErrNotReadOnly, e.Reason) }

// Unwrap returns ErrNotReadOnly.
func (e *ReadOnlyError) Unwrap() error { return ErrNotReadOnly }

// RowQuerier is what CheckReadOnly and DataSpan need of a database: *sql.DB, *sql.Conn
// and *sql.Tx have it.
type RowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readOnlyTableFunctions are the table functions a saved query may read
// from: they make rows from their arguments or show the catalog, and
// touch no file (read_text, read_csv, glob, query and the like are not
// here).
var readOnlyTableFunctions = map[string]bool{
	"range": true, "generate_series": true, "unnest": true, "json_each": true, "json_tree": true,
	"duckdb_tables": true, "duckdb_columns": true, "duckdb_views": true, "duckdb_schemas": true,
	"duckdb_types": true, "duckdb_functions": true, "duckdb_constraints": true, "duckdb_indexes": true,
}

// plainName is a table, schema or catalog name that cannot be a file: a
// quoted 'logs.csv' or "/etc/passwd" in FROM is read by DuckDB's
// replacement scans.
var plainName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// CheckReadOnly returns nil when text (macros expanded, $name parameters
// allowed) is one query that only reads the tables and views of db, a
// *ReadOnlyError when it is anything else, or DuckDB's syntax error. It
// parses text with DuckDB's json_serialize_sql, which accepts only SELECT
// statements (DuckDB turns FROM-first, VALUES, SUMMARIZE, DESCRIBE and SHOW
// into SELECTs), and walks the tree for table functions and quoted table
// names that would read files.
func CheckReadOnly(ctx context.Context, db RowQuerier, text string) error {
	var out string
	if err := db.QueryRowContext(ctx, "SELECT CAST(json_serialize_sql(?::VARCHAR) AS VARCHAR)", text).Scan(&out); err != nil {
		return fmt.Errorf("checking the query: %w", err)
	}
	var tree struct {
		Error      bool   `json:"error"`
		ErrorType  string `json:"error_type"`
		Message    string `json:"error_message"`
		Statements []any  `json:"statements"`
	}
	if err := json.Unmarshal([]byte(out), &tree); err != nil {
		return fmt.Errorf("checking the query: %w", err)
	}
	switch {
	case tree.Error && tree.ErrorType == "not implemented":
		return &ReadOnlyError{Reason: "is not a query (SELECT, WITH, FROM, VALUES, SUMMARIZE, DESCRIBE or SHOW)"}
	case tree.Error:
		return errors.New(tree.Message)
	case len(tree.Statements) != 1:
		return &ReadOnlyError{Reason: fmt.Sprintf("holds %d statements, not one query", len(tree.Statements))}
	}
	return checkNode(tree.Statements[0])
}

// checkNode walks a parsed statement (JSON objects and arrays) for the
// table references that could leave the database.
func checkNode(n any) error {
	switch x := n.(type) {
	case []any:
		for _, e := range x {
			if err := checkNode(e); err != nil {
				return err
			}
		}
	case map[string]any:
		if err := checkRef(x); err != nil {
			return err
		}
		for _, v := range x {
			if err := checkNode(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRef checks one node that is a table reference.
func checkRef(m map[string]any) error {
	switch m["type"] {
	case "TABLE_FUNCTION":
		f, _ := m["function"].(map[string]any)
		name, _ := f["function_name"].(string)
		if !readOnlyTableFunctions[strings.ToLower(name)] {
			return &ReadOnlyError{Reason: fmt.Sprintf("reads the table function %s()", name)}
		}
	case "BASE_TABLE":
		for _, k := range []string{"catalog_name", "schema_name", "table_name"} {
			if s, _ := m[k].(string); s != "" && !plainName.MatchString(s) {
				return &ReadOnlyError{Reason: fmt.Sprintf("reads %q, which is not a table of the database", s)}
			}
		}
	}
	return nil
}

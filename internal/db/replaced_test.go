package db

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/s3logs/s3logs/schema"
)

// TestReplacedTable: opening a database creates the table of replacement
// marks beside the rows and rejects, with its column comments; a database
// made before it existed opens read-only without it and gets it at its next
// read-write open (the loader no longer creates it on its own).
func TestReplacedTable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.duckdb")
	count := func(d *DB) (tables, comments int) {
		t.Helper()
		if err := d.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", schema.ReplacedTableName).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRowContext(ctx, "SELECT count(comment) FROM duckdb_columns() WHERE table_name = ?", schema.ReplacedTableName).Scan(&comments); err != nil {
			t.Fatal(err)
		}
		return tables, comments
	}
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if n, c := count(d); n != 1 || c != len(schema.Replaced.Columns) {
		t.Fatalf("new database: %d %s tables with %d column comments, want 1 with %d", n, schema.ReplacedTableName, c, len(schema.Replaced.Columns))
	}
	if _, err := d.ExecContext(ctx, "DROP TABLE "+schema.ReplacedTableName); err != nil { // as an older s3logs made it
		t.Fatal(err)
	}
	d.Close()
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatalf("read-only open of a database without %s: %v", schema.ReplacedTableName, err)
	}
	if n, _ := count(ro); n != 0 {
		t.Errorf("a read-only open created %s", schema.ReplacedTableName)
	}
	ro.Close()
	d, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if n, _ := count(d); n != 1 {
		t.Errorf("read-write open of an older database: %d %s tables, want 1", n, schema.ReplacedTableName)
	}
}

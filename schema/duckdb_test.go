package schema_test

import (
	"database/sql"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/s3logs/s3logs/schema"
)

// arrowToDuckDB is how DuckDB stores each Arrow type of the schema, written
// out here rather than taken from schema's Type methods, so that a wrong
// pair there cannot agree with itself: the type DuckDB's information_schema
// names for a column, for the String() of the Arrow type of its field.
var arrowToDuckDB = map[string]string{
	"utf8":                       "VARCHAR",
	"int64":                      "BIGINT",
	"timestamp[us, tz=UTC]":      "TIMESTAMP WITH TIME ZONE",
	"list<item: utf8, nullable>": "VARCHAR[]",
}

// TestArrowAndSQLAgree creates each table in DuckDB from its DDL, reads
// back the columns DuckDB made (information_schema), and holds the Arrow
// schema to them field by field through arrowToDuckDB: the same names in
// the same order, and types that DuckDB stores as the Arrow batches carry
// them.
func TestArrowAndSQLAgree(t *testing.T) {
	d, err := sql.Open("duckdb", "?autoinstall_known_extensions=false&autoload_known_extensions=false")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, tab := range []*schema.Table{schema.S3ServerAccess, schema.Rejects} {
		if _, err := d.Exec(tab.CreateSQL()); err != nil {
			t.Fatalf("%s: %v\n%s", tab.Name, err, tab.CreateSQL())
		}
		rows, err := d.Query("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", tab.Name)
		if err != nil {
			t.Fatal(err)
		}
		var got [][2]string
		for rows.Next() {
			var name, typ string
			if err := rows.Scan(&name, &typ); err != nil {
				t.Fatal(err)
			}
			got = append(got, [2]string{name, typ})
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		sc := tab.ArrowSchema()
		if len(got) != sc.NumFields() || len(got) < 3 {
			t.Fatalf("%s: DuckDB made %d columns, the Arrow schema has %d fields", tab.Name, len(got), sc.NumFields())
		}
		for i, f := range sc.Fields() {
			want, ok := arrowToDuckDB[f.Type.String()]
			if !ok {
				t.Errorf("%s.%s: Arrow type %s has no DuckDB type in arrowToDuckDB", tab.Name, f.Name, f.Type)
			}
			if got[i][0] != f.Name || got[i][1] != want {
				t.Errorf("%s column %d: DuckDB has %s %s, the Arrow field is %s %s (stored as %s)", tab.Name, i, got[i][0], got[i][1], f.Name, f.Type, want)
			}
		}
	}
}

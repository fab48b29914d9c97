package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/s3logs/s3logs/schema"
)

// versionMacro returns the hash of the enriched view's definition, so that
// opening a database rewrites the view and its macros only when their
// definition changed.
const versionMacro = "s3logs_enriched_version"

// prepareEnriched attaches the in-memory catalog of intelligence facts
// (empty until a command fills it) and creates the enriched view, its
// macros and the views of the intelligence tables. They are written to the
// database file only when their definition changed (versionMacro holds the
// hash of the last one written).
func (d *DB) prepareEnriched(ctx context.Context) error {
	if err := AttachIntel(ctx, d.DB); err != nil {
		return err
	}
	ddl, sum := enrichedDDL(false)
	var have string
	if err := d.QueryRowContext(ctx, "SELECT "+versionMacro+"()").Scan(&have); err == nil && have == sum {
		return nil
	}
	for _, s := range d.forThisOpen(ddl) {
		if _, err := d.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create %s: %w", schema.EnrichedViewName, err)
		}
	}
	return nil
}

// AttachIntel attaches the in-memory catalog of intelligence facts
// (schema.IntelCatalog) to the database behind ex and creates its empty
// tables, with their comments, when they are missing: the enriched view's
// join and the rules that read IP lists name them whether or not a file
// was given. The catalog is attached read-write so that it works on a
// database opened read-only too (the web explorer's).
func AttachIntel(ctx context.Context, ex interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	intel := schema.Quote(schema.IntelCatalog)
	stmts := []string{fmt.Sprintf("ATTACH IF NOT EXISTS ':memory:' AS %s (READ_WRITE)", intel)}
	for _, t := range []*schema.Table{schema.IPInfo, schema.IPList} {
		qualified := intel + ".main." + schema.Quote(t.Name)
		stmts = append(stmts, t.CreateSQLAs(qualified),
			fmt.Sprintf("COMMENT ON TABLE %s IS %s", qualified, schema.Literal(t.Description)))
		for _, c := range t.Columns {
			stmts = append(stmts, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", qualified, schema.Quote(c.Name), schema.Literal(c.Description)))
		}
	}
	for _, s := range stmts {
		if _, err := ex.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("intelligence tables: %w", err)
		}
	}
	return nil
}

// retiredMacros are macros an older s3logs defined for the enriched view
// (the pieces its layers passed down), dropped from a database file when
// it is opened read-write, so that they no longer show among its functions.
var retiredMacros = []string{"s3logs_uri_method", "s3logs_uri_target", "s3logs_target_path", "s3logs_target_query",
	"s3logs_principal_of", "s3logs_session_of", "s3logs_after", "s3logs_before", "s3logs_last_segment"}

// enrichedDDL returns the statements that define the enriched view and
// what it needs, and the hash of their text that marks the view's comment.
func enrichedDDL(intel bool) (stmts []string, sum string) {
	for _, m := range schema.Macros {
		stmts = append(stmts, m.SQL())
	}
	for _, name := range retiredMacros {
		stmts = append(stmts, "DROP MACRO IF EXISTS "+name)
	}
	stmts = append(stmts, schema.Enriched.CreateSQL(intel))
	stmts = append(stmts, schema.Enriched.CommentSQL()...)
	h := sha256.Sum256([]byte(strings.Join(stmts, ";\n")))
	sum = hex.EncodeToString(h[:8])
	stmts = append(stmts, fmt.Sprintf("CREATE OR REPLACE MACRO %s() AS %s", versionMacro, schema.Literal(sum)))
	return stmts, sum
}

// UseIntel redefines the enriched view with its join to the address facts
// of IntelCatalog (after a command filled them from intelligence files), or
// without it. The next Open of the database puts back the plain view.
func (d *DB) UseIntel(ctx context.Context, on bool) error {
	ddl, _ := enrichedDDL(on)
	for _, s := range d.forThisOpen(ddl) {
		if strings.HasPrefix(s, "CREATE OR REPLACE ") && strings.Contains(s, " MACRO ") && !strings.Contains(s, versionMacro) && !d.ReadOnly {
			continue
		}
		if _, err := d.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s with intelligence: %w", schema.EnrichedViewName, err)
		}
	}
	return nil
}

// forThisOpen returns the statements of enrichedDDL as a read-only open
// runs them: the view and macros are temporary (they live in this open's
// temp catalog, which DuckDB searches first, and shadow the file's own), and
// the comments, which cannot be put on temporary objects, are left out. A
// read-write open runs them as they are.
func (d *DB) forThisOpen(ddl []string) []string {
	if !d.ReadOnly {
		return ddl
	}
	var out []string
	for _, s := range ddl {
		switch {
		case strings.HasPrefix(s, "COMMENT ON"), strings.HasPrefix(s, "DROP MACRO"):
		case strings.HasPrefix(s, "CREATE OR REPLACE MACRO"):
			out = append(out, "CREATE OR REPLACE TEMP MACRO"+strings.TrimPrefix(s, "CREATE OR REPLACE MACRO"))
		case strings.HasPrefix(s, "CREATE OR REPLACE VIEW"):
			out = append(out, "CREATE OR REPLACE TEMP VIEW"+strings.TrimPrefix(s, "CREATE OR REPLACE VIEW"))
		default:
			out = append(out, s)
		}
	}
	return out
}

// Package db opens DuckDB databases the way every part of s3logs needs them:
// no extension is installed or loaded from the network (the bundled parquet,
// json, icu and autocomplete are statically linked), every connection shows
// timestamps in UTC, the tables of package schema exist, and queries written
// for Panther's Data Explorer resolve: panther_logs.aws_s3serveraccess and
// panther_logs.public.aws_s3serveraccess are views of the local table.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/s3logs/s3logs/schema"
)

// Memory is the path that opens an in-memory database.
const Memory = ":memory:"

// DB is an open DuckDB database. It is safe for concurrent use; Close
// releases it. Connector gives raw connections (for the Arrow interface) that
// share the same database and settings.
type DB struct {
	*sql.DB
	Connector *duckdb.Connector
	Path      string // as given to Open; Memory for an in-memory database
	ReadOnly  bool   // opened with Options.ReadOnly (never for Memory)
}

// Options say how OpenWith opens a database.
type Options struct {
	// ReadOnly opens the file for reading only. Any number of processes
	// may hold read-only opens of a file at once, while a read-write open
	// needs it alone (each is refused while the other kind holds it, with a
	// *LockedError). Nothing is written to the file: the tables must exist
	// already (else the error is ErrNoDatabase), and the enriched view and
	// its macros, when the file's are of another version, are defined for
	// this open only. Ignored for an in-memory database.
	ReadOnly bool
}

// ErrNoDatabase is the error of a read-only open of a file that does not
// exist or holds no s3logs tables yet.
var ErrNoDatabase = errors.New("no s3logs database there yet; load logs into it first")

// Open opens (creating if needed) the DuckDB database at path, or an
// in-memory one for "" or Memory, and prepares it: settings, tables,
// Panther's names. The caller must Close it. When another process holds
// the file, the error is a *LockedError.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenReadOnly opens the database file at path for reading only (see
// Options.ReadOnly), for the commands that only read it.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	return OpenWith(ctx, path, Options{ReadOnly: true})
}

// OpenWith opens the database at path as opts say; Open and OpenReadOnly
// are its two uses.
func OpenWith(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		path = Memory
	}
	ro := opts.ReadOnly && path != Memory
	dsn := "?autoinstall_known_extensions=false&autoload_known_extensions=false"
	if ro {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open %s: %w", path, ErrNoDatabase)
		}
		dsn += "&access_mode=read_only"
	}
	if path != Memory {
		dsn = path + dsn
	}
	conn, err := duckdb.NewConnector(dsn, initConn)
	if err != nil {
		if le := lockedError(path, err); le != nil {
			le.ReadOnly = ro
			if !ro {
				le.Readers = heldByReaders(path)
			}
			return nil, le
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	d := &DB{DB: sql.OpenDB(conn), Connector: conn, Path: path, ReadOnly: ro}
	if err := d.prepare(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return d, nil
}

// heldByReaders reports whether the processes holding path (which refused
// a read-write open) are readers only: then a read-only open succeeds.
func heldByReaders(path string) bool {
	conn, err := duckdb.NewConnector(path+"?access_mode=read_only&autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// Reopen closes d and opens its file again as opts say, in place: every
// holder of d uses the new open from then on. The shell reads with a
// read-only open and takes a read-write one only while it loads. An
// in-memory database is left as it is (reopening would empty it). When the
// new open fails, d is opened again as it was, and the error is the new
// open's (with the other if that fails too: then d is closed).
func (d *DB) Reopen(ctx context.Context, opts Options) error {
	if d.Path == Memory || d.ReadOnly == opts.ReadOnly {
		return nil
	}
	was := Options{ReadOnly: d.ReadOnly}
	if err := d.Close(); err != nil {
		return err
	}
	nd, err := OpenWith(ctx, d.Path, opts)
	if err != nil {
		back, berr := OpenWith(ctx, d.Path, was)
		if berr != nil {
			return errors.Join(err, berr)
		}
		*d = *back
		return err
	}
	*d = *nd
	return nil
}

// connSettings are the settings every connection runs with: UTC, and the
// in-memory catalog of intelligence facts on the search path after main,
// so that its tables (s3logs_iplist, s3logs_ipinfo) are named unqualified.
var connSettings = [][2]string{
	{"TimeZone", "UTC"},
	{"search_path", "main," + schema.IntelCatalog + ".main"},
}

// initConn runs on every new connection: it attaches the intelligence
// catalog and sets connSettings where the connection does not have them
// already. A sandbox sets them globally before it locks its configuration
// (lockDown), so that a connection the pool opens afterwards, which may
// not SET anything, finds them in place.
func initConn(ex driver.ExecerContext) error {
	ctx := context.Background()
	if _, err := ex.ExecContext(ctx, "ATTACH IF NOT EXISTS ':memory:' AS "+schema.Quote(schema.IntelCatalog)+" (READ_WRITE)", nil); err != nil {
		return err
	}
	for _, kv := range connSettings {
		if q, ok := ex.(driver.QueryerContext); ok && currentSetting(ctx, q, kv[0]) == kv[1] {
			continue
		}
		if _, err := ex.ExecContext(ctx, "SET "+kv[0]+" = "+schema.Literal(kv[1]), nil); err != nil {
			return err
		}
	}
	return nil
}

// currentSetting returns the value of a setting on the connection, or ""
// when it cannot be read.
func currentSetting(ctx context.Context, q driver.QueryerContext, name string) string {
	rows, err := q.QueryContext(ctx, "SELECT current_setting("+schema.Literal(name)+")::VARCHAR", nil)
	if err != nil {
		return ""
	}
	defer rows.Close()
	v := make([]driver.Value, 1)
	if rows.Next(v) != nil {
		return ""
	}
	s, _ := v[0].(string)
	return s
}

// prepare creates the tables (with their column comments, the first time)
// and the panther_logs catalog of views. A read-only open creates nothing in
// the file: the rows and rejects tables must be there (a database made by
// an older s3logs may lack the table of replacement marks, which its next
// load creates).
func (d *DB) prepare(ctx context.Context) error {
	for _, t := range []*schema.Table{schema.S3ServerAccess, schema.Rejects, schema.Replaced} {
		var n int
		if err := d.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?", t.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if d.ReadOnly && t == schema.Replaced {
			continue
		}
		if d.ReadOnly {
			return ErrNoDatabase
		}
		stmts := append([]string{t.CreateSQL()}, t.CommentSQL()...)
		for _, s := range stmts {
			if _, err := d.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("create %s: %w", t.Name, err)
			}
		}
	}
	if err := d.createAWSView(ctx); err != nil {
		return err
	}
	if err := d.attachPantherNames(ctx); err != nil {
		return err
	}
	return d.prepareEnriched(ctx)
}

// createAWSView creates the view schema.AWSViewName, the table with AWS's
// snake_case names (schema.AWSFields), when the database does not have it
// as the current mapping makes it: it is written to the file only when
// missing or out of date, so that opening a database does not change it.
func (d *DB) createAWSView(ctx context.Context) error {
	var stored string
	err := d.QueryRowContext(ctx, "SELECT sql FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND view_name = ?", schema.AWSViewName).Scan(&stored)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	if err == nil && awsViewCurrent(stored) {
		return nil
	}
	if d.ReadOnly { // nothing is written to the file: a view for this open only
		var cur string
		if err := d.QueryRowContext(ctx, "SELECT current_database()").Scan(&cur); err != nil {
			return err
		}
		temp := strings.Replace(schema.AWSViewSQL(cur, "main"), "CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMP VIEW", 1)
		if _, err := d.ExecContext(ctx, temp); err != nil {
			return fmt.Errorf("create view %s: %w", schema.AWSViewName, err)
		}
		return nil
	}
	for _, q := range []string{schema.AWSViewSQL("", "main"), "COMMENT ON VIEW " + schema.Quote(schema.AWSViewName) + " IS " + schema.Literal(schema.AWSTable().Description)} {
		if _, err := d.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create view %s: %w", schema.AWSViewName, err)
		}
	}
	return nil
}

// awsViewCurrent reports whether the stored definition of the AWS view
// (as DuckDB prints it back: identifiers quoted only where needed) maps
// every key of the current schema.AWSFields as it does.
func awsViewCurrent(stored string) bool {
	for _, f := range schema.AWSFields {
		col := schema.S3ServerAccess.Columns[f.Column].Name
		as := " AS " + f.Key + ","
		switch {
		case f.Element > 0 && strings.Contains(stored, as):
		case strings.Contains(stored, " "+col+as), strings.Contains(stored, " "+schema.Quote(col)+as):
		default:
			return false
		}
	}
	return true
}

// attachPantherNames attaches an in-memory catalog panther_logs whose main
// and public schemas hold views of the local tables, so that both
// panther_logs.aws_s3serveraccess and panther_logs.public.aws_s3serveraccess
// resolve as they do in Panther's Data Explorer.
func (d *DB) attachPantherNames(ctx context.Context) error { return AttachPantherNames(ctx, d.DB) }

// Querier is what the functions that prepare a database need of it:
// *sql.DB, *sql.Conn and *sql.Tx have it.
type Querier interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// AttachPantherNames attaches the in-memory catalog panther_logs (read-write,
// so that it works on a read-only database too) with views of the tables
// of the current database under its main and public schemas. Every open
// of a database runs it: Open, OpenSandbox and the web explorer's.
func AttachPantherNames(ctx context.Context, d Querier) error {
	var cur string
	if err := d.QueryRowContext(ctx, "SELECT current_database()").Scan(&cur); err != nil {
		return err
	}
	stmts := []string{
		"ATTACH IF NOT EXISTS ':memory:' AS panther_logs (READ_WRITE)", // also in a read-only sandbox
		"CREATE SCHEMA IF NOT EXISTS panther_logs.public",
	}
	for _, sch := range []string{"main", "public"} {
		for _, t := range []*schema.Table{schema.S3ServerAccess, schema.Rejects} {
			stmts = append(stmts, fmt.Sprintf("CREATE OR REPLACE VIEW panther_logs.%s.%s AS SELECT * FROM %s.main.%s",
				sch, schema.Quote(t.Name), schema.Quote(cur), schema.Quote(t.Name)))
		}
	}
	for _, s := range stmts {
		if _, err := d.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("panther_logs names: %w", err)
		}
	}
	return nil
}

// Close closes the database and its connector.
func (d *DB) Close() error {
	err := d.DB.Close()
	if cerr := d.Connector.Close(); err == nil {
		err = cerr
	}
	return err
}

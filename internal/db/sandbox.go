package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/s3logs/s3logs/schema"
)

// OpenSandbox opens the database at path to run SQL the user did not write
// (a saved query from someone's pack): the file is opened read-only, and
// once the Panther names are in place external access is turned off (no
// file, URL, ATTACH or INSTALL; COPY TO fails) and the configuration is
// locked, so that no statement can turn either back on. An in-memory
// database is a new empty one with the tables, locked the same way. The
// caller must Close it. Another DuckDB instance of this process must not
// have the file open (DuckDB refuses a second configuration of one file).
func OpenSandbox(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		path = Memory
	}
	dsn := "?autoinstall_known_extensions=false&autoload_known_extensions=false"
	if path != Memory {
		dsn = path + dsn + "&access_mode=READ_ONLY"
	}
	conn, err := duckdb.NewConnector(dsn, initConn)
	if err != nil {
		if le := lockedError(path, err); le != nil {
			return nil, le
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	d := &DB{DB: sql.OpenDB(conn), Connector: conn, Path: path}
	if err := d.lockDown(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return d, nil
}

// lockDown prepares a sandbox (tables for an in-memory one, the Panther
// names for both) and then turns external access off for good.
func (d *DB) lockDown(ctx context.Context) error {
	var err error
	if d.Path == Memory {
		err = d.prepare(ctx)
	} else if err = d.attachPantherNames(ctx); err == nil {
		err = AttachIntel(ctx, d.DB)
	}
	if err != nil {
		return err
	}
	// memory_limit stays settable: render.Runner bounds a large result's
	// memory with it; and search_path, which cannot be set globally, so
	// that a connection the pool opens later can set its own (initConn).
	locks := []string{"SET enable_external_access = false", "SET allowed_configs = ['memory_limit', 'search_path']", "SET lock_configuration = true"}
	var global []string
	for _, kv := range connSettings {
		if kv[0] != "search_path" { // a connection's own; allowed below
			global = append(global, "SET GLOBAL "+kv[0]+" = "+schema.Literal(kv[1]))
		}
	}
	for _, s := range append(global, locks...) {
		if _, err := d.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	return nil
}

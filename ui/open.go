// Package ui serves s3logs' local web Data Explorer and writes its
// self-contained HTML report.
//
// The explorer is a net/http handler bound by cmd/s3logs to loopback: an
// overview of the loaded logs with a time brush and filters, a SQL editor
// with completion, saved queries as forms, detections with their alerts,
// rejected lines, the manifest, and export of a result. Every request needs
// the session token (a cookie after the first visit), the Host and Origin
// headers must name this server (against DNS rebinding and cross-site
// requests), and the page's SQL runs on a database opened read-only with
// DuckDB's external access off, so it cannot read or write local files or
// attach other databases. Log values are attacker-controlled: the front end
// builds its DOM with textContent only, and the report escapes them with
// html/template.
//
// The front end's sources are in ui/web; `make ui` bundles them into
// ui/assets, which is committed and embedded, so building s3logs needs no npm.
package ui

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/s3logs/s3logs/internal/db"
)

// DB is a database opened for the explorer: read-only, with external
// access (files, ATTACH, extensions) off and its configuration locked, so
// that SQL typed in the page cannot change the settings back. Close
// releases it.
type DB struct {
	*sql.DB
	Connector *duckdb.Connector
}

// ErrNoFile is returned by Open for a path that does not exist.
var ErrNoFile = errors.New("no such database file")

// Open opens the DuckDB file at path read-only for the explorer. Timestamps
// show in UTC. The tables must exist already (s3logs load creates them).
// Panther's names (panther_logs.aws_s3serveraccess and
// panther_logs.public.aws_s3serveraccess) resolve, as internal/db makes
// them: views in an in-memory catalog, attached read-write since the
// database's read-only mode would apply to it too.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("open %q: the explorer needs a database file", path)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, ErrNoFile)
	}
	q := url.Values{}
	for k, v := range map[string]string{
		"access_mode":                  "read_only",
		"enable_external_access":       "false",
		"autoinstall_known_extensions": "false",
		"autoload_known_extensions":    "false",
	} {
		q.Set(k, v)
	}
	conn, err := duckdb.NewConnector(path+"?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	d := &DB{DB: sql.OpenDB(conn), Connector: conn}
	if err := d.lock(ctx); err == nil {
		if err = db.AttachPantherNames(ctx, d.DB); err == nil {
			err = db.AttachIntel(ctx, d.DB)
		}
	} else {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return d, nil
}

// Close closes the database and its connector.
func (d *DB) Close() error {
	err := d.DB.Close()
	if cerr := d.Connector.Close(); err == nil {
		err = cerr
	}
	return err
}

// lock sets the global settings, then locks the configuration so that no
// statement can change them, and checks the result: DuckDB shares one
// instance per file within a process, which an earlier Open may have
// locked already.
func (d *DB) lock(ctx context.Context) error {
	var locked bool
	if err := d.QueryRowContext(ctx, "SELECT current_setting('lock_configuration')").Scan(&locked); err != nil {
		return err
	}
	if !locked {
		for _, q := range []string{"SET GLOBAL TimeZone = 'UTC'", "SET GLOBAL lock_configuration = true"} {
			if _, err := d.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
	}
	var tz, access, mode string
	err := d.QueryRowContext(ctx, `SELECT current_setting('TimeZone'), current_setting('enable_external_access')::VARCHAR,
		current_setting('access_mode')::VARCHAR`).Scan(&tz, &access, &mode)
	if err != nil {
		return err
	}
	if tz != "UTC" || access != "false" || !strings.EqualFold(mode, "read_only") {
		return fmt.Errorf("%w: TimeZone %s, enable_external_access %s, access_mode %s", ErrUnsafe, tz, access, mode)
	}
	return nil
}

// ErrUnsafe is wrapped by Open when the database is not in the state the
// explorer needs: read-only, external access off, UTC.
var ErrUnsafe = errors.New("database settings are not those of the explorer")

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/schema"
)

// The two phase measurements split s3logs' end-to-end time in two, each in
// its own process like the loads: what parsing costs without DuckDB, and what
// DuckDB alone costs to store the same rows. When the second is more than an
// eighth of the DIY load, no parser can make s3logs 8x faster than it.

// runParseOnly parses file with loader.Reader into Arrow record batches on
// one goroutine and drops them: the parse and Arrow cost, without DuckDB.
func runParseOnly(file string, w io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	rd := loader.NewReader(f, file, loader.Options{})
	defer rd.Release()
	for rd.Next() {
	}
	if err := rd.Err(); err != nil {
		return fmt.Errorf("parse %s: %w", file, err)
	}
	st := rd.Stats()
	return json.NewEncoder(w).Encode(childStats{Rows: st.Rows, Rejected: st.Rejected})
}

// runIngestFloor copies the rows s3logs loaded into src into a new database
// at dbPath, opened by db.Open like s3logs does (same table definition and
// settings), with one INSERT ... SELECT and a checkpoint: DuckDB's cost to
// store the table, with no parsing at all (plus reading src, so a slight
// overestimate).
func runIngestFloor(ctx context.Context, dbPath, src string, w io.Writer) error {
	d, err := db.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	conn, err := d.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	stmts := []string{
		fmt.Sprintf("ATTACH %s AS src (READ_ONLY)", sqlString(src)),
		fmt.Sprintf("INSERT INTO %s SELECT * FROM src.%s", schema.Quote(schema.TableName), schema.Quote(schema.TableName)),
		"DETACH src",
		"CHECKPOINT",
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("ingest floor: %s: %w", s, err)
		}
	}
	var st childStats
	q := "SELECT count(*) FROM " + schema.Quote(schema.TableName)
	if err := conn.QueryRowContext(ctx, q).Scan(&st.Rows); err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(st)
}

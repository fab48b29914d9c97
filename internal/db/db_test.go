package db

import (
	"context"
	"path/filepath"
	"testing"
)

func TestOpenPreparesTablesAndPantherNames(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.duckdb")
	for i := 0; i < 2; i++ { // a second open must find everything in place
		d, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, "INSERT INTO aws_s3serveraccess (bucketowner, bucket) VALUES ('o', 'b')"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			"SELECT count(*) FROM aws_s3serveraccess",
			"SELECT count(*) FROM panther_logs.aws_s3serveraccess",
			"SELECT count(*) FROM panther_logs.public.aws_s3serveraccess",
		} {
			var n int
			if err := d.QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if n != i+1 {
				t.Errorf("%s = %d, want %d", q, n, i+1)
			}
		}
		var tz, desc string
		if err := d.QueryRowContext(ctx, "SELECT current_setting('TimeZone')").Scan(&tz); err != nil || tz != "Etc/UTC" && tz != "UTC" {
			t.Errorf("TimeZone = %q, %v", tz, err)
		}
		if err := d.QueryRowContext(ctx, "SELECT comment FROM duckdb_columns() WHERE database_name = current_database() AND table_name = 'aws_s3serveraccess' AND column_name = 'httpstatus'").Scan(&desc); err != nil || desc != "The numeric HTTP status code of the response." {
			t.Errorf("httpstatus comment = %q, %v", desc, err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenMemory(t *testing.T) {
	d, err := Open(context.Background(), Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow("SELECT count(*) FROM panther_logs.public.aws_s3serveraccess_rejects").Scan(&n); err != nil || n != 0 {
		t.Errorf("rejects view: %d, %v", n, err)
	}
}

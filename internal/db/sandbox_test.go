package db

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSandbox: on a sandbox a statement can read the tables (and Panther's
// names) but neither write them, nor reach a file, another database or an
// extension, nor undo the lock; the file is unchanged afterwards.
func TestSandbox(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "s.duckdb")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec("INSERT INTO aws_s3serveraccess (bucket) VALUES ('a'), ('b')"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	secret := filepath.Join(dir, "secret.txt")
	os.WriteFile(secret, []byte("s3cr3t"), 0o600)

	for _, path := range []string{path, Memory} {
		t.Run(path, func(t *testing.T) {
			s, err := OpenSandbox(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			want := 2
			if path == Memory {
				want = 0
			}
			for _, q := range []string{"SELECT count(*) FROM aws_s3serveraccess", "SELECT count(*) FROM panther_logs.public.aws_s3serveraccess"} {
				var n int
				if err := s.QueryRow(q).Scan(&n); err != nil || n != want {
					t.Errorf("%s = %d, %v; want %d", q, n, err, want)
				}
			}
			// Connections opened after the lock (the pool grows) still
			// get their per-connection settings and the intel catalog.
			c1, err := s.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c1.Close()
			c2, err := s.Conn(ctx)
			if err != nil {
				t.Fatalf("a second connection after the lock: %v", err)
			}
			defer c2.Close()
			for _, c := range []interface {
				QueryRowContext(context.Context, string, ...any) *sql.Row
			}{c1, c2} {
				var tz string
				var n int
				if err := c.QueryRowContext(ctx, "SELECT current_setting('TimeZone'), (SELECT count(*) FROM s3logs_iplist)").Scan(&tz, &n); err != nil || tz != "UTC" {
					t.Errorf("connection after the lock: TimeZone %q, %v", tz, err)
				}
			}
			for _, q := range []string{
				"SELECT * FROM read_text('" + secret + "')",
				"COPY aws_s3serveraccess TO '" + filepath.Join(dir, "out.csv") + "'",
				"ATTACH '" + filepath.Join(dir, "other.duckdb") + "' AS o",
				"INSTALL httpfs",
				"SET enable_external_access = true",
				"SET lock_configuration = false",
			} {
				if _, err := s.Exec(q); err == nil {
					t.Errorf("%s: ran in the sandbox", q)
				}
			}
			if path != Memory {
				if _, err := s.Exec("DELETE FROM aws_s3serveraccess"); err == nil || !strings.Contains(err.Error(), "read-only") {
					t.Errorf("DELETE: err = %v, want read-only", err)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "out.csv")); err == nil {
		t.Error("COPY TO wrote a file")
	}
	d, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow("SELECT count(*) FROM aws_s3serveraccess").Scan(&n); err != nil || n != 2 {
		t.Errorf("after the sandbox: %d rows, %v; want 2", n, err)
	}
}

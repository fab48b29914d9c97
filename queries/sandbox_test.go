package queries

import (
	"context"
	"errors"
	"testing"

	"github.com/s3logs/s3logs/internal/db"
)

func TestCheckReadOnly(t *testing.T) {
	d, err := db.Open(context.Background(), db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, tc := range []struct {
		sql string
		ok  bool
	}{
		{"SELECT count(*) FROM aws_s3serveraccess WHERE bucket = $bucket", true},
		{"WITH x AS (SELECT bucket FROM aws_s3serveraccess) SELECT * FROM x", true},
		{"FROM panther_logs.public.aws_s3serveraccess LIMIT 1", true},
		{"VALUES (1), (2)", true},
		{"SUMMARIZE aws_s3serveraccess", true},
		{"DESCRIBE aws_s3serveraccess", true},
		{"SELECT * FROM range(3) r, (SELECT unnest([1, 2]))", true},
		{"SELECT 1 UNION ALL SELECT 2;", true},
		{"DELETE FROM aws_s3serveraccess", false},
		{"WITH x AS (SELECT 1) DELETE FROM aws_s3serveraccess", false},
		{"SELECT 1; DELETE FROM aws_s3serveraccess", false},
		{"SELECT 1; SELECT 2", false},
		{"COPY aws_s3serveraccess TO '/tmp/x.csv'", false},
		{"ATTACH '/tmp/x.duckdb' AS x", false},
		{"INSTALL httpfs", false},
		{"SET enable_external_access = true", false},
		{"SELECT * FROM read_text('/etc/passwd')", false},
		{"SELECT (SELECT content FROM main.read_text('/etc/passwd')) AS c", false},
		{"SELECT * FROM aws_s3serveraccess WHERE key IN (SELECT * FROM read_csv('/etc/hosts'))", false},
		{"SELECT * FROM '/etc/passwd'", false},
		{`SELECT * FROM "logs.csv"`, false},
		{"SELECT * FROM query('DELETE FROM aws_s3serveraccess')", false},
		{"SELECT * FROM glob('/etc/*')", false},
	} {
		err := CheckReadOnly(context.Background(), d, tc.sql)
		if tc.ok && err != nil {
			t.Errorf("%s: %v, want it allowed", tc.sql, err)
		}
		if !tc.ok && !errors.Is(err, ErrNotReadOnly) {
			t.Errorf("%s: err = %v, want ErrNotReadOnly", tc.sql, err)
		}
	}
	if err := CheckReadOnly(context.Background(), d, "SELEC 1"); err == nil || errors.Is(err, ErrNotReadOnly) {
		t.Errorf("a syntax error: err = %v, want DuckDB's syntax error", err)
	}
}

// TestBuiltinsReadOnly: every shipped query passes the check users' files
// are held to.
func TestBuiltinsReadOnly(t *testing.T) {
	d, err := db.Open(context.Background(), db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range cat.List() {
		text, err := Expand(q.SQL)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckReadOnly(context.Background(), d, text); err != nil {
			t.Errorf("%s: %v", q.Name, err)
		}
	}
}

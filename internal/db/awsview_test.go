package db

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/s3logs/s3logs/schema"
)

// TestAWSView inserts a row and reads it back through s3_access_logs with
// AWS's names, as SQL written for AWS's JSON schema would.
func TestAWSView(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v.duckdb")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.ExecContext(ctx, `INSERT INTO aws_s3serveraccess (bucketowner, bucket, "time", httpstatus, key, "tlsVersion", "additionalFields", p_row_id)
		VALUES ('o', 'b', TIMESTAMPTZ '2026-07-01 12:34:56.789+00', 403, 'k', 'TLSv1.3', ['eu-west-1', 'schema_version_id=V_2_0'], 'r1'),
		       ('o', 'c', TIMESTAMPTZ '2026-07-01 12:00:00+00', 200, NULL, NULL, ['-', 'bucket_arn=arn:aws-cn:s3:::c'], 'r2'),
		       ('o', 'd', TIMESTAMPTZ '2026-07-01 12:00:00+00', 200, NULL, NULL, NULL, 'r3')`)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	// Reopen: the view is in the file, and not rewritten.
	if d, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.QueryContext(ctx, `SELECT bucket_name, request_time, http_status, key_name, tls_version, source_region, schema_version_id, bucket_arn, p_row_id
		FROM `+schema.AWSViewName+` ORDER BY p_row_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type row struct {
		bucket              string
		at                  time.Time
		status              int64
		key, tls, region    *string
		version, arn, rowID string
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.bucket, &r.at, &r.status, &r.key, &r.tls, &r.region, &r.version, &r.arn, &r.rowID); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	str := func(p *string) string {
		if p == nil {
			return "NULL"
		}
		return *p
	}
	want := []string{
		"b 2026-07-01T12:34:56.789Z 403 k TLSv1.3 eu-west-1 V_2_0 arn:aws:s3:::b r1",
		"c 2026-07-01T12:00:00Z 200 NULL NULL NULL V_1_0 arn:aws-cn:s3:::c r2",
		"d 2026-07-01T12:00:00Z 200 NULL NULL NULL V_1_0 arn:aws:s3:::d r3",
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows", len(got))
	}
	for i, r := range got {
		s := r.bucket + " " + r.at.UTC().Format(time.RFC3339Nano) + " " + strconv.FormatInt(r.status, 10) + " " + str(r.key) + " " + str(r.tls) + " " + str(r.region) + " " + r.version + " " + r.arn + " " + r.rowID
		if s != want[i] {
			t.Errorf("row %d = %s, want %s", i, s, want[i])
		}
	}
	var stored string
	if err := d.QueryRowContext(ctx, "SELECT sql FROM duckdb_views() WHERE view_name = ?", schema.AWSViewName).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !awsViewCurrent(stored) {
		t.Errorf("the stored view is not recognised as current, so every open rewrites it:\n%s", stored)
	}
	if awsViewCurrent(strings.Replace(stored, " AS key_name,", " AS object_key,", 1)) {
		t.Error("a view with another name for key_name is taken as current")
	}
	var cols string
	if err := d.QueryRowContext(ctx, "SELECT string_agg(column_name, ',' ORDER BY column_index) FROM duckdb_columns() WHERE table_name = ?", schema.AWSViewName).Scan(&cols); err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(schema.AWSTable().Names(), ","); cols != want {
		t.Errorf("view columns\n%s\nwant schema.AWSTable's\n%s", cols, want)
	}
}

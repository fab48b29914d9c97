package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/loader/s3/s3test"
)

// TestLoadS3Formats loads the same requests as a text object, a gzipped
// JSON-lines object and a Parquet object from S3, detected by content,
// and queries them through s3_access_logs with AWS's names.
func TestLoadS3Formats(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	srv := s3test.Start()
	t.Cleanup(srv.Close)
	if err := srv.CreateBucket("cw"); err != nil {
		t.Fatal(err)
	}
	g := gen.New(gen.Options{Seed: 31, TrapRate: 0.05, Traps: gen.AllTraps &^ gen.TrapExtraFields})
	recs := make([]gen.Record, 300)
	var text, js []byte
	for i := range recs {
		recs[i] = g.Next()
		text = append(recs[i].AppendLine(text), '\n')
		js = append(recs[i].AppendJSON(js), '\n')
	}
	var pq bytes.Buffer
	if err := gen.WriteParquet(&pq, recs, 128); err != nil {
		t.Fatal(err)
	}
	for k, b := range map[string][]byte{"text/2026-07-01-00-00-00-A": text, "json/part-0001.gz": s3test.Gzip(js), "parquet/part-0001": pq.Bytes()} {
		if err := srv.Put("cw", k, b); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "f.duckdb")
	code, stderr := s3Run(context.Background(), "load", "--db", path, "--endpoint-url", srv.URL, "--no-sign-request", "s3://cw/")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := s3Query(t, path, "SELECT count(*) FROM aws_s3serveraccess"); got != 900 {
		t.Errorf("%d rows, want 900", got)
	}
	const cols = "* EXCLUDE (p_row_id, p_source_id, p_source_label, p_parse_time)"
	for _, k := range []string{"json/part-0001.gz", "parquet/part-0001"} {
		q := "SELECT count(*) FROM (SELECT " + cols + " FROM aws_s3serveraccess WHERE p_source_id = 's3://cw/text/2026-07-01-00-00-00-A' EXCEPT ALL SELECT " + cols + " FROM aws_s3serveraccess WHERE p_source_id = 's3://cw/" + k + "')"
		if n := s3Query(t, path, q); n != 0 {
			t.Errorf("%s: %d text rows without their twin", k, n)
		}
	}
	// SQL written for AWS's JSON schema runs on the view.
	q := `SELECT count(*) FROM s3_access_logs WHERE http_status >= 400 AND bucket_name IS NOT NULL AND request_time IS NOT NULL`
	want := s3Query(t, path, `SELECT count(*) FROM aws_s3serveraccess WHERE httpstatus >= 400 AND bucket IS NOT NULL`)
	if got := s3Query(t, path, q); got != want || want == 0 {
		t.Errorf("view: %d rows, table: %d", got, want)
	}
}

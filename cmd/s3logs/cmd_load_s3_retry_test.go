package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3logs/s3logs/loader/s3/s3test"
)

// rowsSum is a checksum of the rows loaded, the same for two loads of the
// same objects.
const rowsSum = "SELECT (bit_xor(hash(p_source_id, p_row_id, requestid, time, key, useragent, bytessent)) % 1000000007)::BIGINT FROM aws_s3serveraccess"

// TestLoadS3Retries drives s3logs load against a server that cuts bodies
// short and then goes away; its subtests run in order (the last one stops
// the server).
func TestLoadS3Retries(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	// The SDK sends each request once: what is tested is s3logs' own
	// retries, and the server going away is found in well under a second.
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	srv, keys := s3Bucket(t)
	ctx := context.Background()
	dir := t.TempDir()
	s3args := func(path string, more ...string) []string {
		return append([]string{"load", "--db", path, "--endpoint-url", srv.URL, "--no-sign-request"}, more...)
	}
	whole := filepath.Join(dir, "whole.duckdb")
	if code, stderr := s3Run(ctx, s3args(whole, "s3://logs/simple/")...); code != 0 {
		t.Fatalf("uncut load: exit %d: %s", code, stderr)
	}

	t.Run("cut bodies load exactly", func(t *testing.T) {
		srv.Reset()
		path := filepath.Join(dir, "cut.duckdb")
		plain, gz := keys[0], keys[6] // simple/ objects 0 and 3 (gzipped)
		if !strings.HasSuffix(gz, ".gz") {
			t.Fatalf("%s is not the gzipped object", gz)
		}
		srv.Fail("logs", plain, s3test.Fault{Truncate: 200, Times: 1})
		srv.Fail("logs", gz, s3test.Fault{Truncate: 100, Times: 2})
		code, stderr := s3Run(ctx, s3args(path, "s3://logs/simple/")...)
		if code != 0 || !strings.Contains(stderr, "loaded 40 files") {
			t.Fatalf("exit %d, want 0 and 40 files loaded: %s", code, stderr)
		}
		if g, w := srv.Gets("logs", plain), 2; g != w {
			t.Errorf("GETs of the object cut once = %d, want %d", g, w)
		}
		if g, w := srv.Gets("logs", gz), 3; g != w {
			t.Errorf("GETs of the object cut twice = %d, want %d", g, w)
		}
		for _, q := range []string{"SELECT count(*) FROM aws_s3serveraccess", rowsSum} {
			if got, want := s3Query(t, path, q), s3Query(t, whole, q); got != want {
				t.Errorf("%s: %d, want %d as in the uncut load", q, got, want)
			}
		}
	})

	t.Run("server gone mid-load", func(t *testing.T) {
		srv.Reset()
		path := filepath.Join(dir, "gone.duckdb")
		srv.GoAwayAfter(10)
		code, stderr := s3Run(ctx, s3args(path, "--concurrency", "4", "s3://logs/simple/")...)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		// Bodies being sent when it went away may have been cut, and
		// their resumed GETs refused: up to the 4 in flight. A cut one
		// keeps the lines read before the cut (its last line rejected as
		// cut) and counts as loaded and as failed: the next load reads
		// it again. complete counts the objects read whole.
		loaded := s3Query(t, path, "SELECT count(DISTINCT p_source_id) FROM aws_s3serveraccess")
		complete := s3Query(t, path, "SELECT count(*) FROM s3logs_manifest WHERE status = 'loaded'")
		if complete < 10-4 || loaded > 10 || loaded < complete {
			t.Errorf("objects loaded = %d, %d of them whole, want the 10 answered, less any cut then", loaded, complete)
		}
		stored := s3Query(t, path, "SELECT (SELECT count(*) FROM aws_s3serveraccess) + (SELECT count(*) FROM aws_s3serveraccess_rejects)")
		if loaded == complete && stored != loaded*s3Lines {
			t.Errorf("%d lines stored for %d objects read whole, want %d", stored, loaded, loaded*s3Lines)
		}
		want := fmt.Sprintf("s3logs: s3://logs/simple/: cannot reach S3 at %s: ", srv.URL)
		wantEnd := fmt.Sprintf("; stopped reading it: %d objects not loaded; what was loaded is kept: run the same load again to read the rest\n", 40-complete)
		var lines []string
		for _, line := range strings.SplitAfter(stderr, "\n") {
			if strings.Contains(line, "s3://") {
				lines = append(lines, line)
			}
		}
		if len(lines) != 1 || !strings.HasPrefix(lines[0], want) || !strings.HasSuffix(lines[0], wantEnd) {
			t.Errorf("stderr lines naming s3://:\n%s\nwant one: %s...%s\nstderr:\n%s", strings.Join(lines, ""), want, wantEnd, stderr)
		}
		if !strings.Contains(stderr, fmt.Sprintf("loaded %d files: %d lines", loaded, stored)) || !strings.Contains(stderr, fmt.Sprintf("; %d failed", 40-complete)) {
			t.Errorf("summary: %s", stderr)
		}

		// The same bucket served again (same keys and ETags): the load
		// run again reads the objects not loaded, and only them.
		again, _ := s3Bucket(t)
		code, stderr = s3Run(ctx, "load", "--db", path, "--endpoint-url", again.URL, "--no-sign-request", "s3://logs/simple/")
		if code != 0 || !strings.Contains(stderr, fmt.Sprintf("loaded %d files", 40-complete)) || !strings.Contains(stderr, fmt.Sprintf("%d unchanged files skipped", complete)) {
			t.Errorf("load again: exit %d: %s", code, stderr)
		}
		for _, q := range []string{"SELECT count(*) FROM aws_s3serveraccess", rowsSum} {
			if got, want := s3Query(t, path, q), s3Query(t, whole, q); got != want {
				t.Errorf("after the second load, %s: %d, want %d", q, got, want)
			}
		}
	})
}

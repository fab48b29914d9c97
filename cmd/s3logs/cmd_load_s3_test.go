package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/loader/ingest"
	"github.com/s3logs/s3logs/loader/s3/s3test"
)

// s3Run runs s3logs in process with ctx and returns its exit code and
// stderr.
func s3Run(ctx context.Context, args ...string) (int, string) {
	var out, errb bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &out, &errb)
	return code, errb.String()
}

// s3Query returns the int64 result of a one-value query on the database.
func s3Query(t *testing.T, path, sql string) int64 {
	t.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int64
	if err := d.QueryRowContext(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

const s3Lines = 5 // lines per generated object

// ingestCommitWait is longer than ingest.DefaultCommitEvery: by then the
// rows of an object read by a --watch load are committed.
const ingestCommitWait = ingest.DefaultCommitEvery + 500*time.Millisecond

// s3Bucket fills bucket "logs" with, from 2024-01-01, one object every 6
// hours for 10 days in the simple layout under simple/ (40 objects, every
// fourth gzipped) and in the partitioned layout under part/ (40 objects,
// two source buckets), each with s3Lines lines in the hour before delivery.
func s3Bucket(t *testing.T) (*s3test.Server, []string) {
	t.Helper()
	srv := s3test.Start()
	t.Cleanup(srv.Close)
	if err := srv.CreateBucket("logs"); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i := range 40 {
		at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 6 * time.Hour)
		body := s3test.LogBody(int64(i), s3Lines, at)
		k := s3test.SimpleKey("simple/", at, s3test.Unique(i))
		if i%4 == 3 {
			body, k = s3test.Gzip(body), k+".gz"
		}
		p := s3test.PartitionedKey("part/", "123456789012", "us-east-1", []string{"app", "web"}[i%2], at, at, s3test.Unique(100+i))
		for _, kv := range []struct {
			k string
			b []byte
		}{{k, body}, {p, s3test.LogBody(int64(100+i), s3Lines, at)}} {
			if err := srv.Put("logs", kv.k, kv.b); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, kv.k)
		}
	}
	srv.Reset()
	return srv, keys
}

// TestLoadS3 drives s3logs load against one bucket; its subtests run in
// order and build on each other (the reload adds an object).
func TestLoadS3(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	srv, keys := s3Bucket(t)
	ctx := context.Background()
	dir := t.TempDir()
	s3args := func(path string, more ...string) []string {
		return append([]string{"load", "--db", path, "--endpoint-url", srv.URL, "--no-sign-request"}, more...)
	}
	full := filepath.Join(dir, "full.duckdb")

	t.Run("full load of both layouts", func(t *testing.T) {
		code, stderr := s3Run(ctx, s3args(full, "s3://logs/simple/", "s3://logs/part/")...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if got, want := s3Query(t, full, "SELECT count(*) FROM aws_s3serveraccess"), int64(80*s3Lines); got != want {
			t.Errorf("rows = %d, want %d", got, want)
		}
		if got := s3Query(t, full, "SELECT count(DISTINCT p_source_id) FROM aws_s3serveraccess WHERE p_source_id LIKE 's3://logs/%'"); got != 80 {
			t.Errorf("distinct p_source_id = %d, want 80", got)
		}
		if got := s3Query(t, full, "SELECT count(*) FROM aws_s3serveraccess WHERE p_source_label = 's3://logs/part/'"); got != 40*s3Lines {
			t.Errorf("rows labelled s3://logs/part/ = %d, want %d", got, 40*s3Lines)
		}
		if c := srv.Counts(); c.Gets != 80 {
			t.Errorf("GETs = %d, want 80", c.Gets)
		}
	})

	t.Run("reload adds nothing, new objects only", func(t *testing.T) {
		srv.Reset()
		code, stderr := s3Run(ctx, s3args(full, "s3://logs/simple/", "s3://logs/part/")...)
		if code != 0 || !strings.Contains(stderr, "nothing new to load: 80 files already loaded and unchanged") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if c := srv.Counts(); c.Gets != 0 {
			t.Errorf("GETs on reload = %d, want 0", c.Gets)
		}
		at := time.Date(2024, 1, 11, 0, 0, 0, 0, time.UTC)
		newKey := s3test.SimpleKey("simple/", at, s3test.Unique(999))
		if err := srv.Put("logs", newKey, s3test.LogBody(999, 7, at)); err != nil {
			t.Fatal(err)
		}
		code, stderr = s3Run(ctx, s3args(full, "s3://logs/simple/", "s3://logs/part/")...)
		if code != 0 || !strings.Contains(stderr, "loaded 1 file: 7 lines, 7 rows") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if got, want := s3Query(t, full, "SELECT count(*) FROM aws_s3serveraccess"), int64(80*s3Lines+7); got != want {
			t.Errorf("rows = %d, want %d (no duplicates)", got, want)
		}
	})

	t.Run("window narrows listing and rows", func(t *testing.T) {
		srv.Reset()
		win := filepath.Join(dir, "window.duckdb")
		code, stderr := s3Run(ctx, s3args(win, "--since", "2024-01-05", "--until", "2024-01-06", "s3://logs/simple/", "s3://logs/part/")...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		inWindow := "SELECT count(*) FROM aws_s3serveraccess WHERE p_event_time >= TIMESTAMP '2024-01-05' AND p_event_time < TIMESTAMP '2024-01-06'"
		want := s3Query(t, full, inWindow+" AND p_source_id NOT LIKE '%"+s3test.Unique(999)+"'")
		if got := s3Query(t, win, "SELECT count(*) FROM aws_s3serveraccess"); got != want || want == 0 {
			t.Errorf("rows = %d, want %d (those of the full load in the window)", got, want)
		}
		// Objects delivered Jan 4 00:00 .. Jan 6 18:00 (margin 24h) are
		// fetched: 12 per layout. The window is listed one prefix a day
		// (Jan 4, 5 and 6), so exactly its keys: simple, 1 probe key + 12
		// keys; partitioned, 3 probes, 4 folder entries and the 12 keys of
		// the source buckets' day folders. 32 of the 81 + 5 entries.
		if c := srv.Counts(); c.Gets != 24 || c.Listed != 32 {
			t.Errorf("server counts = %+v, want 24 GETs and 32 keys listed", c)
		}
	})

	t.Run("failing objects", func(t *testing.T) {
		srv.Reset()
		fails := filepath.Join(dir, "fails.duckdb")
		corrupt := "simple/2024-01-20-00-00-00-C0RRUPT000000000.gz"
		if err := srv.Put("logs", corrupt, append([]byte{0x1f, 0x8b}, "not gzip at all"...)); err != nil {
			t.Fatal(err)
		}
		defer srv.Backend.DeleteObject("logs", corrupt)
		srv.Fail("logs", keys[2], s3test.Fault{Status: 403, Code: "AccessDenied"})
		srv.Fail("logs", keys[4], s3test.Fault{Status: 500, Code: "InternalError"})
		defer srv.Clear("logs", keys[2])
		defer srv.Clear("logs", keys[4])
		code, stderr := s3Run(ctx, s3args(fails, "s3://logs/simple/")...)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		for _, want := range []string{
			"s3://logs/" + keys[2] + ": access denied (HTTP 403 AccessDenied)",
			"s3://logs/" + keys[4] + ": S3 kept failing after retries (HTTP 500 InternalError)",
			"s3://logs/" + corrupt + ": ",
			"loaded 39 files:", "3 failed",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		if got, want := s3Query(t, fails, "SELECT count(*) FROM aws_s3serveraccess"), int64(38*s3Lines+7); got != want {
			t.Errorf("rows = %d, want %d", got, want)
		}
		if g := srv.Gets("logs", keys[4]); g != 6 {
			t.Errorf("GETs of the failing object = %d, want 6 (default attempts)", g)
		}
	})

	t.Run("missing bucket", func(t *testing.T) {
		code, stderr := s3Run(ctx, s3args(filepath.Join(dir, "x.duckdb"), "s3://nope/")...)
		want := "s3://nope/: bucket does not exist (HTTP 404 NoSuchBucket): check the bucket name in s3://nope/"
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", code, stderr, want)
		}
	})

	t.Run("bad flags", func(t *testing.T) {
		for _, tc := range []struct{ args, want string }{
			{"--since yesterday", `invalid value "yesterday" for flag --since: invalid time "yesterday"`},
			{"--concurrency 0", `invalid value "0" for flag --concurrency: want a number of at least 1, not "0"`},
			{"--watch soon", `invalid value "soon" for flag --watch`},
		} {
			code, stderr := s3Run(ctx, s3args(filepath.Join(dir, "y.duckdb"), append(strings.Fields(tc.args), "s3://logs/")...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("%s: exit %d, stderr:\n%s\nwant exit 2 and %q", tc.args, code, stderr, tc.want)
			}
		}
	})

	t.Run("watch", func(t *testing.T) {
		srv.Reset()
		path := filepath.Join(dir, "watch.duckdb")
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		done := make(chan int)
		var stderr string
		go func() {
			var code int
			code, stderr = s3Run(wctx, s3args(path, "--watch", "20ms", "--since", "2024-01-10T12:00:00Z", "s3://logs/simple/")...)
			done <- code
		}()
		live := s3test.SimpleKey("simple/", time.Now().UTC(), "LIVE000000000001")
		// The first pass fetches the 7 objects from Jan 9 12:00 (the
		// margin) on; then the live object arrives and a poll fetches it.
		for deadline := time.Now().Add(20 * time.Second); srv.Counts().Gets < 7 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		if err := srv.Put("logs", live, s3test.LogBody(5000, 3, time.Now().UTC())); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(20 * time.Second); srv.Gets("logs", live) == 0 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(ingestCommitWait) // the load commits at least this often
		cancel()
		if code := <-done; code != exitInterrupted || !strings.Contains(stderr, "interrupted") {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 130 and an interruption message", code, stderr)
		}
		if got := s3Query(t, path, "SELECT count(*) FROM aws_s3serveraccess WHERE p_source_id LIKE '%LIVE000000000001'"); got != 3 {
			t.Errorf("rows of the object added while watching = %d, want 3", got)
		}
	})
}

func TestLoadS3Interrupted(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	srv, _ := s3Bucket(t)
	srv.Latency = 5 * time.Millisecond
	path := filepath.Join(t.TempDir(), "int.duckdb")
	args := []string{"load", "--db", path, "--endpoint-url", srv.URL, "--no-sign-request", "--concurrency", "4", "s3://logs/simple/", "s3://logs/part/"}
	code, stderr := interruptS3Load(srv, 20, args...)
	if code != exitInterrupted || !regexp.MustCompile(`s3logs: load interrupted after committing [0-9,]+ files? \([0-9,]+ rows\)( and [0-9,]+ rows of [0-9,]+ files? it was reading)?; database \S+ holds [^;]+; what was committed is consistent: run the same load again to complete it\n`).MatchString(stderr) {
		t.Fatalf("interrupted load: exit %d, stderr:\n%s\nwant 130 and how much was committed", code, stderr)
	}
	if gets := srv.Counts().Gets; gets >= 80 {
		t.Errorf("%d GETs: the load went on after the interruption", gets)
	}
	srv.Latency = 0
	code, stderr = s3Run(context.Background(), args...)
	if code != 0 {
		t.Fatalf("second load: exit %d: %s", code, stderr)
	}
	if got := s3Query(t, path, "SELECT count(*) FROM aws_s3serveraccess"); got != 80*s3Lines {
		t.Errorf("rows after the second load = %d, want %d", got, 80*s3Lines)
	}
	if got := s3Query(t, path, "SELECT count(*) FROM (SELECT p_row_id FROM aws_s3serveraccess GROUP BY p_row_id HAVING count(*) > 1)"); got != 0 {
		t.Errorf("%d duplicated rows", got)
	}
}

// TestLoadS3Resume: a load interrupted with Ctrl-C, run again, fetches
// exactly the objects not loaded and does not list again the days whose
// objects were all loaded (s3logs_listed); a third run lists no day at
// all, and --relist lists every key again.
func TestLoadS3Resume(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	srv, keys := s3Bucket(t)
	srv.Latency = 5 * time.Millisecond
	path := filepath.Join(t.TempDir(), "resume.duckdb")
	args := []string{"load", "--db", path, "--endpoint-url", srv.URL, "--no-sign-request", "--concurrency", "2", "s3://logs/simple/", "s3://logs/part/"}
	code, stderr := interruptS3Load(srv, 40, args...)
	if code != exitInterrupted {
		t.Fatalf("interrupted load: exit %d, stderr:\n%s", code, stderr)
	}
	loaded := s3Query(t, path, "SELECT count(*) FROM s3logs_manifest WHERE status = 'loaded'")
	doneDays := s3Query(t, path, "SELECT count(*) FROM s3logs_listed")
	if loaded == 0 || loaded >= int64(len(keys)) || doneDays == 0 {
		t.Fatalf("interrupted after %d of %d objects loaded and %d days listed; the test wants some of both", loaded, len(keys), doneDays)
	}

	srv.Latency = 0
	srv.Reset()
	code, stderr = s3Run(context.Background(), args...)
	if code != 0 {
		t.Fatalf("resumed load: exit %d: %s", code, stderr)
	}
	c := srv.Counts()
	if int64(c.Gets) != int64(len(keys))-loaded {
		t.Errorf("resumed load: %d GETs, want the %d objects not loaded", c.Gets, int64(len(keys))-loaded)
	}
	if c.Listed >= len(keys) {
		t.Errorf("resumed load: %d keys listed, want fewer than the %d objects (the loaded days not listed again)", c.Listed, len(keys))
	}
	if got := s3Query(t, path, "SELECT count(*) FROM aws_s3serveraccess"); got != int64(len(keys))*s3Lines {
		t.Errorf("rows after the resumed load = %d, want %d", got, len(keys)*s3Lines)
	}
	if got := s3Query(t, path, "SELECT count(*) FROM (SELECT p_row_id FROM aws_s3serveraccess GROUP BY p_row_id HAVING count(*) > 1)"); got != 0 {
		t.Errorf("%d duplicated rows", got)
	}
	t.Logf("interrupted with %d of %d objects loaded; resumed: %d list requests, %d keys listed, %d GETs", loaded, len(keys), c.Lists, c.Listed, c.Gets)

	// Everything loaded: the third load lists no day (only the folders, and
	// one key to see that nothing precedes the first day).
	srv.Reset()
	code, stderr = s3Run(context.Background(), args...)
	if c := srv.Counts(); code != 0 || c.Gets != 0 || c.Listed > 8 || !strings.Contains(stderr, "not listed again") {
		t.Errorf("third load: exit %d, %d GETs, %d keys listed; stderr:\n%s\nwant 0, 0, at most 8, and the days not listed", code, c.Gets, c.Listed, stderr)
	}
	srv.Reset()
	code, stderr = s3Run(context.Background(), append(args[:len(args)-2:len(args)-2], "--relist", "s3://logs/simple/", "s3://logs/part/")...)
	if c := srv.Counts(); code != 0 || c.Gets != 0 || c.Listed < len(keys) {
		t.Errorf("--relist: exit %d, %d GETs, %d keys listed; stderr:\n%s\nwant 0, 0, every key", code, c.Gets, c.Listed, stderr)
	}
}

// interruptS3Load runs s3logs with args and cancels it (Ctrl-C) once srv
// has answered gets GETs (or after 20 s), returning its exit code and
// standard error.
func interruptS3Load(srv *s3test.Server, gets int, args ...string) (code int, stderr string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		code, stderr = s3Run(ctx, args...)
		close(done)
	}()
	for deadline := time.Now().Add(20 * time.Second); srv.Counts().Gets < gets && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	return code, stderr
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// endless is standard input that never ends (yes, cat /dev/urandom) until
// the test stops it; it counts the bytes read from it.
type endless struct {
	fill func(p []byte)
	stop atomic.Bool
	read atomic.Int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.stop.Load() {
		return 0, io.EOF
	}
	e.fill(p)
	e.read.Add(int64(len(p)))
	return len(p), nil
}

// TestEndlessStdinNotALog loads standard input that never ends and is not
// a log: the load stops promptly with the not-a-log message, having read
// little of it. Before, standard input was copied to its end first (to
// name it by its hash), so such a load never ended; the test fails after
// a minute instead of hanging.
func TestEndlessStdinNotALog(t *testing.T) {
	yes := func(p []byte) {
		for i := range p {
			p[i] = "y\n"[i%2]
		}
	}
	rng := rand.New(rand.NewSource(1))
	random := func(p []byte) { rng.Read(p) }
	tests := []struct {
		name string
		fill func([]byte)
		want string
	}{
		{"yes", yes, "s3logs: -: not an S3 server access log: none of its first 32,768 lines is one (32,768 rejected, 0 blank), so none of it was loaded; line 1: "},
		{"random bytes", random, "s3logs: -: not an S3 server access log: it holds binary data (a NUL byte at byte "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbPath := filepath.Join(isolate(t), "t.duckdb")
			in := &endless{fill: tt.fill}
			defer in.stop.Store(true) // ends a load that did not stop by itself
			var out, errb bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- run(context.Background(), []string{"load", "--db", dbPath, "-"}, in, &out, &errb) }()
			select {
			case code := <-done:
				if code != 1 || !strings.Contains(errb.String(), tt.want) {
					t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", code, errb.String(), tt.want)
				}
				if n := in.read.Load(); n > 1<<20 {
					t.Errorf("read %d bytes of standard input, want at most 1 MiB", n)
				}
			case <-time.After(time.Minute):
				in.stop.Store(true)
				<-done
				t.Fatalf("the load was still reading standard input after a minute (%d bytes read)", in.read.Load())
			}
		})
	}
}

// s3Line is a log line with the given key and user agent; n makes its
// request id unique.
func s3Line(n int, key, ua string) string {
	return fmt.Sprintf(`79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 `+
		`79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be REQ%04d REST.GET.OBJECT %s "GET /awsexamplebucket/%s HTTP/1.1" 200 - 113 - 7 - "-" "%s" - `+
		`s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV2 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket.s3.amazonaws.com TLSv1.2 - -`+"\n",
		n, key, key, ua)
}

// TestInvalidUTF8Marked loads lines with bytes that are not valid UTF-8 in
// a user agent and in a key: they are kept with U+FFFD, counted in the
// summary and the manifest, and listed in s3logs_replaced, so that a query
// finds exactly them; valid UTF-8 (a 4-byte emoji, a U+FFFD written in the
// log) is not counted. A grown file adds its new marks; a changed one
// replaces them.
func TestInvalidUTF8Marked(t *testing.T) {
	dir := isolate(t)
	dbPath, path := filepath.Join(dir, "t.duckdb"), filepath.Join(dir, "a.log")
	lines := s3Line(1, "a.txt", "S3Console/0.4") +
		s3Line(2, "a.txt", "agent \xff\xfe") + // invalid user agent
		s3Line(3, "caf\xe9.txt", "S3Console/0.4") + // invalid key (and so request URI)
		s3Line(4, "\xf0\x9f\x98\x80.txt", "agent \xf0\x9f\x98\x80") + // 4-byte UTF-8
		s3Line(5, "\xef\xbf\xbd.txt", "agent \xef\xbf\xbd") // U+FFFD in the log
	os.WriteFile(path, []byte(lines), 0o644)
	marked := func() string {
		return fmt.Sprint(ndjsonRows(t, dbPath, `SELECT a.requestid, string_agg(r.field, ',' ORDER BY r.field) AS fields
			FROM s3logs_replaced r JOIN aws_s3serveraccess a USING (p_row_id) GROUP BY ALL ORDER BY 1`))
	}
	manifest := func() string {
		return fmt.Sprint(ndjsonRows(t, dbPath, `SELECT "rows", replaced FROM s3logs_manifest`))
	}

	code, _, stderr := cli(t, "", "load", "--db", dbPath, path)
	if want := "loaded 1 file: 5 lines, 5 rows, 0 rejected, 0 blank in "; code != 0 || !strings.Contains(stderr, want) ||
		!strings.Contains(stderr, "; 2 rows with bytes that are not UTF-8 written as U+FFFD (listed in s3logs_replaced)\n") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if got, want := marked(), "[map[fields:useragent requestid:REQ0002] map[fields:key,requesturi requestid:REQ0003]]"; got != want {
		t.Errorf("marked rows %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(ndjsonRows(t, dbPath, `SELECT useragent FROM aws_s3serveraccess WHERE requestid = 'REQ0002'`)), "[map[useragent:agent \ufffd\ufffd]]"; got != want {
		t.Errorf("user agent %s, want %s", got, want)
	}
	if got, want := manifest(), "[map[replaced:2 rows:5]]"; got != want {
		t.Errorf("manifest %s, want %s", got, want)
	}

	// Grown: the new part's marks are added, the count carried on.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(s3Line(6, "b.txt", "x\x80"))
	f.Close()
	if code, _, stderr := cli(t, "", "load", "--db", dbPath, path); code != 0 || !strings.Contains(stderr, "1 grown file read from where it stopped") {
		t.Fatalf("grown: exit %d, stderr:\n%s", code, stderr)
	}
	if got, want := manifest(), "[map[replaced:3 rows:6]]"; got != want {
		t.Errorf("grown: manifest %s, want %s", got, want)
	}
	if got := marked(); !strings.Contains(got, "map[fields:useragent requestid:REQ0006]") || strings.Count(got, "map[") != 3 {
		t.Errorf("grown: marked rows %s", got)
	}

	// Changed: reloaded whole, its old marks replaced.
	os.WriteFile(path, []byte(s3Line(7, "c.txt", "ok")+s3Line(8, "d\xfe.txt", "ok")), 0o644)
	os.Chtimes(path, time.Now(), time.Now().Add(time.Hour))
	if code, _, stderr := cli(t, "", "load", "--db", dbPath, path); code != 0 || !strings.Contains(stderr, "1 changed or interrupted file reloaded") {
		t.Fatalf("changed: exit %d, stderr:\n%s", code, stderr)
	}
	if got, want := marked(), "[map[fields:key,requesturi requestid:REQ0008]]"; got != want {
		t.Errorf("changed: marked rows %s, want %s", got, want)
	}
	if got, want := manifest(), "[map[replaced:1 rows:2]]"; got != want {
		t.Errorf("changed: manifest %s, want %s", got, want)
	}
}

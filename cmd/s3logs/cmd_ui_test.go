package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestUICommandUsage(t *testing.T) {
	dir := isolate(t)
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"ui", "--db", ":memory:"}, exitUsage, "opens a database file read-only"},
		{[]string{"ui", "--db", filepath.Join(dir, "none.duckdb")}, exitError, "no database"},
		{[]string{"ui", "--db", filepath.Join(dir, "x.duckdb"), "--addr", "127.0.0.1:99999"}, exitError, "listen on 127.0.0.1:99999"},
	} {
		if tc.code == exitError && strings.Contains(tc.err, "listen") {
			var out, errb bytes.Buffer
			run(context.Background(), []string{"demo", "--db", filepath.Join(dir, "x.duckdb")}, nil, &out, &errb)
		}
		var out, errb bytes.Buffer
		if code := run(context.Background(), tc.args, nil, &out, &errb); code != tc.code || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.err)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{"127.0.0.1": true, "localhost": true, "::1": true, "127.1.2.3": true,
		"0.0.0.0": false, "": false, "192.168.1.10": false, "::": false, "example.com": false} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v", host, got)
		}
	}
}

// TestUILoadsSourcesFirst runs s3logs ui with a log file: it is loaded into
// the database, then served, and the token URL gives the overview.
func TestUILoadsSourcesFirst(t *testing.T) {
	dir := isolate(t)
	logf := filepath.Join(dir, "access.log")
	genFile(t, logf, 250, 7)
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"ui", "--db", filepath.Join(dir, "db.duckdb"), "--addr", "localhost:0", logf}, nil, stdout, stderr)
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("ui exit %d: %s", code, stderr.String())
		}
	}()
	re := regexp.MustCompile(`http://\S+\?token=[0-9a-f]{64}`)
	var u string
	for deadline := time.Now().Add(60 * time.Second); u == ""; time.Sleep(20 * time.Millisecond) {
		if u = re.FindString(stdout.String()); u == "" && time.Now().After(deadline) {
			t.Fatalf("no URL; stdout %q stderr %q", stdout.String(), stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "warning") {
		t.Errorf("warning on a loopback address: %s", stderr.String())
	}
	jar := &cookieJar{}
	c := &http.Client{Jar: jar}
	resp, err := c.Get(u)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET token URL: %v %v", err, resp)
	}
	resp.Body.Close()
	base := u[:strings.Index(u, "/?token")]
	resp, err = c.Get(base + "/api/overview")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var o struct{ Totals struct{ Requests int64 } }
	if err := json.NewDecoder(resp.Body).Decode(&o); err != nil {
		t.Fatal(err)
	}
	lines, _ := os.ReadFile(logf)
	if n := int64(bytes.Count(lines, []byte("\n"))); o.Totals.Requests == 0 || o.Totals.Requests > n {
		t.Errorf("overview counts %d requests of %d lines", o.Totals.Requests, n)
	}
}

// cookieJar keeps cookies by name, whatever the host (the test talks to one server).
type cookieJar struct{ c []*http.Cookie }

type neturl = url.URL

func (j *cookieJar) SetCookies(_ *neturl, cs []*http.Cookie) { j.c = append(j.c, cs...) }
func (j *cookieJar) Cookies(*neturl) []*http.Cookie          { return j.c }

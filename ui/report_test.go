package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestReportEscapesAndIsSelfContained(t *testing.T) {
	d := testDB(t)
	var b bytes.Buffer
	err := Report(context.Background(), d.DB, &b, ReportOptions{Title: `Case <b>42</b>`, Now: time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC), Source: "t.duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{
		"&lt;img src=x onerror=", // the hostile user agent, as text
		"<title>Case &lt;b&gt;42&lt;/b&gt;</title>",
		`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`,
		`<b>3</b>`, // requests
		"too few fields",
		"@media print",
		"<svg",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<img", "http://", "https://", "src="} {
		if strings.Contains(strings.ReplaceAll(html, "&lt;img src=x", ""), bad) {
			t.Errorf("report contains %q", bad)
		}
	}
}

func TestCancelRunningQuery(t *testing.T) {
	s, base := testServer(t)
	const id = "c0ffeec0ffeec0ffee"
	done := make(chan int, 1)
	start := time.Now()
	go func() {
		code, _ := postQuery(t, s, base, `{"sql":"SELECT count(*) FROM range(100000000000) t(x) WHERE x % 7 = 3","id":"`+id+`"}`)
		done <- code
	}()
	// Cancel as soon as the query is registered.
	for s.cursors.get(id) == nil {
		if time.Since(start) > 10*time.Second {
			t.Fatal("the query never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	resp, body := do(t, s, base, req{method: "POST", path: "/api/cancel", body: `{"id":"` + id + `"}`, cookie: true, origin: base})
	if resp.StatusCode != 200 || !strings.Contains(body, `"cancelled":true`) {
		t.Fatalf("cancel: %d %s", resp.StatusCode, body)
	}
	select {
	case code := <-done:
		if code == 200 {
			t.Errorf("cancelled query answered 200")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the query was not cancelled")
	}
}

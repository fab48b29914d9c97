package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/db"
)

// hostileUA is a user agent that would run script if it reached innerHTML.
const hostileUA = `<img src=x onerror="document.title='pwned'"><script>alert(1)</script>`

// testDB writes a small database file (three events, one of them with a
// hostile user agent, and a rejected line) and opens it for the explorer.
func testDB(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.duckdb")
	w, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO aws_s3serveraccess (bucket, operation, requester, remoteip, httpstatus, errorcode, useragent, bytessent, p_event_time, p_row_id, p_any_ip_addresses) VALUES
			('b1', 'REST.GET.OBJECT', 'arn:aws:iam::1:user/a', '192.0.2.1', 200, NULL, 'aws-cli/2', 100, '2024-06-01 10:00:00+00', 'r1', ['192.0.2.1']),
			('b1', 'REST.GET.OBJECT', 'arn:aws:iam::1:user/a', '192.0.2.1', 403, 'AccessDenied', 'aws-cli/2', 0, '2024-06-01 11:00:00+00', 'r2', ['192.0.2.1']),
			('b2', 'REST.PUT.OBJECT', NULL, '198.51.100.7', 200, NULL, ` + "'" + strings.ReplaceAll(hostileUA, "'", "''") + "'" + `, 5, '2024-06-02 10:00:00+00', 'r3', ['198.51.100.7'])`,
		`INSERT INTO aws_s3serveraccess_rejects (source, line, reason, raw) VALUES ('x.log', 3, 'too few fields', 'garbage')`,
	} {
		if _, err := w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// testServer serves the explorer on a loopback port and returns its base
// URL and token.
func testServer(t *testing.T) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(testDB(t), Options{Addr: ln.Addr().String(), Now: func() time.Time { return time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: s}}
	hs.Start()
	t.Cleanup(func() { hs.Close(); s.Close() })
	return s, "http://" + ln.Addr().String()
}

type req struct {
	method, path, body string
	host, origin       string
	cookie             bool
}

func do(t *testing.T, s *Server, base string, r req) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, base+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.host != "" {
		hr.Host = r.host
	}
	if r.origin != "" {
		hr.Header.Set("Origin", r.origin)
	}
	if r.body != "" && !strings.HasPrefix(r.body, "{") {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.cookie {
		hr.AddCookie(&http.Cookie{Name: s.cookie, Value: s.Token()})
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestSecurity(t *testing.T) {
	s, base := testServer(t)
	u, _ := url.Parse(base)
	query := `{"sql":"SELECT 1","id":"00112233445566778899"}`
	for _, tc := range []struct {
		name string
		r    req
		want int
	}{
		{"no token", req{method: "GET", path: "/"}, 401},
		{"no token api", req{method: "GET", path: "/api/overview"}, 401},
		{"wrong token", req{method: "GET", path: "/?token=" + strings.Repeat("0", 64)}, 401},
		{"token sets cookie", req{method: "GET", path: "/?token=" + s.Token()}, 303},
		{"cookie", req{method: "GET", path: "/", cookie: true}, 200},
		{"asset without cookie", req{method: "GET", path: "/assets/app.js"}, 401},
		{"asset", req{method: "GET", path: "/assets/app.js", cookie: true}, 200},
		{"localhost host", req{method: "GET", path: "/api/overview", cookie: true, host: "localhost:" + u.Port()}, 200},
		{"rebinding host", req{method: "GET", path: "/api/overview", cookie: true, host: "attacker.example:" + u.Port()}, 421},
		{"other port", req{method: "GET", path: "/api/overview", cookie: true, host: "127.0.0.1:1"}, 421},
		{"token on a rebinding host", req{method: "GET", path: "/?token=" + s.Token(), host: "attacker.example:" + u.Port()}, 421},
		{"post same origin", req{method: "POST", path: "/api/query", body: query, cookie: true, origin: base}, 200},
		{"post no origin", req{method: "POST", path: "/api/query", body: query, cookie: true}, 403},
		{"post cross origin", req{method: "POST", path: "/api/query", body: query, cookie: true, origin: "http://attacker.example"}, 403},
		{"get cross origin", req{method: "GET", path: "/api/overview", cookie: true, origin: "http://attacker.example"}, 403},
		{"post no cookie", req{method: "POST", path: "/api/query", body: query, origin: base}, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, s, base, tc.r)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
			if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("CSP = %q", resp.Header.Get("Content-Security-Policy"))
			}
			if tc.want == 303 {
				c := resp.Cookies()
				if len(c) != 1 || c[0].Value != s.Token() || !c[0].HttpOnly || c[0].SameSite != http.SameSiteStrictMode {
					t.Errorf("cookie %+v", c)
				}
				if loc := resp.Header.Get("Location"); strings.Contains(loc, "token") {
					t.Errorf("redirect keeps the token in the URL: %s", loc)
				}
			}
		})
	}
}

func TestNewTokenRandom(t *testing.T) {
	a, b := NewToken(), NewToken()
	if len(a) != 64 || a == b {
		t.Fatalf("tokens %q %q", a, b)
	}
}

// post runs a POST /api/query and decodes the answer.
func postQuery(t *testing.T, s *Server, base, body string) (int, map[string]any) {
	t.Helper()
	resp, b := do(t, s, base, req{method: "POST", path: "/api/query", body: body, cookie: true, origin: base})
	var out map[string]any
	if err := json.Unmarshal([]byte(b), &out); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return resp.StatusCode, out
}

func TestExternalAccessRefused(t *testing.T) {
	s, base := testServer(t)
	for i, q := range []string{
		`SELECT * FROM read_text('/etc/passwd')`,
		`SELECT * FROM read_csv('/etc/passwd')`,
		`COPY (SELECT 1) TO '/tmp/s3logs-ui-test.csv'`,
		`ATTACH '/tmp/s3logs-ui-test.duckdb' AS x`,
		`SET enable_external_access = true`,
		`INSERT INTO aws_s3serveraccess (bucket) VALUES ('x')`,
		`INSTALL httpfs`,
	} {
		body, _ := json.Marshal(map[string]string{"sql": q, "id": strings.Repeat("a", 30) + string(rune('0'+i))})
		code, out := postQuery(t, s, base, string(body))
		if code == 200 || out["error"] == nil {
			t.Errorf("%s: status %d, %v: want refused", q, code, out)
		}
	}
}

func TestQueryPagesAndSort(t *testing.T) {
	s, base := testServer(t)
	code, out := postQuery(t, s, base, `{"sql":"SELECT p_row_id, useragent FROM aws_s3serveraccess","sort":"p_row_id","desc":true,"id":"0123456789abcdef","page":2}`)
	if code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	rows := out["rows"].([]any)
	if len(rows) != 2 || rows[0].([]any)[0] != "r3" || rows[0].([]any)[1] != hostileUA || out["done"] != false {
		t.Fatalf("first page %v done %v", rows, out["done"])
	}
	resp, b := do(t, s, base, req{method: "POST", path: "/api/rows", body: `{"id":"0123456789abcdef","page":2}`, cookie: true, origin: base})
	if resp.StatusCode != 200 || !strings.Contains(b, `"r1"`) || !strings.Contains(b, `"done":true`) {
		t.Fatalf("second page %d %s", resp.StatusCode, b)
	}
	// The JSON escapes < and >: a hostile value cannot close a script tag
	// even if an answer were read as HTML.
	if ov := mustGet(t, s, base, "/api/overview"); strings.Contains(ov, "<img") || !strings.Contains(ov, `\u003cimg`) {
		t.Errorf("overview JSON does not escape the hostile user agent: %s", ov)
	}
}

// TestQueryNotASubquery runs statements that cannot be wrapped in the
// paging subquery: they run as they are.
func TestQueryNotASubquery(t *testing.T) {
	s, base := testServer(t)
	for i, tc := range []struct {
		sql  string
		rows int
	}{
		{"DESCRIBE aws_s3serveraccess_rejects", 7},
		{"SHOW TABLES", 5}, // the three tables (rows, rejects, replacement marks), the enriched view and s3_access_logs
		{"PRAGMA version", 1},
		{"SELECT 1 AS x -- a comment at the end", 1},
		{"SELECT * FROM panther_logs.aws_s3serveraccess", 3},
		{"SELECT * FROM panther_logs.public.aws_s3serveraccess_rejects", 1},
		// Held whole, not paged by runs: each group exactly once.
		{"SELECT x % 500 AS g, count(*) FROM range(5000) t(x) GROUP BY g", 500},
	} {
		body, _ := json.Marshal(map[string]any{"sql": tc.sql, "id": fmt.Sprintf("%020d", i), "page": 7})
		code, out := postQuery(t, s, base, string(body))
		if code != 200 {
			t.Errorf("%s: %d %v", tc.sql, code, out)
			continue
		}
		seen := map[string]bool{}
		collect := func(rows any) {
			for _, r := range rows.([]any) {
				seen[fmt.Sprint(r)] = true
			}
		}
		collect(out["rows"])
		id := fmt.Sprintf("%020d", i)
		for out["done"] == false {
			resp, b := do(t, s, base, req{method: "POST", path: "/api/rows", body: `{"id":"` + id + `","page":7}`, cookie: true, origin: base})
			if resp.StatusCode != 200 {
				t.Fatalf("%s: rows: %d %s", tc.sql, resp.StatusCode, b)
			}
			out = map[string]any{}
			json.Unmarshal([]byte(b), &out)
			if out["rows"] != nil {
				collect(out["rows"])
			}
		}
		if len(seen) != tc.rows {
			t.Errorf("%s: %d distinct rows, want %d", tc.sql, len(seen), tc.rows)
		}
	}
}

func mustGet(t *testing.T, s *Server, base, path string) string {
	resp, b := do(t, s, base, req{method: "GET", path: path, cookie: true})
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return b
}

func TestSavedQueryBound(t *testing.T) {
	s, base := testServer(t)
	// A value that would break out of a spliced string stays a value.
	code, out := postQuery(t, s, base, `{"saved":"ip_activity","params":{"ip":"192.0.2.1' OR '1'='1"},"id":"0123456789abcdef"}`)
	if code != 200 || len(out["rows"].([]any)) != 0 {
		t.Fatalf("injected value matched rows: %d %v", code, out)
	}
	code, out = postQuery(t, s, base, `{"saved":"ip_activity","params":{"ip":"192.0.2.1"},"id":"0123456789abcdee"}`)
	if code != 200 || len(out["rows"].([]any)) != 2 {
		t.Fatalf("ip_activity 192.0.2.1: %d %v", code, out)
	}
	code, out = postQuery(t, s, base, `{"saved":"ip_activity","params":{"limit":"many"},"id":"0123456789abcded"}`)
	if code != 400 {
		t.Fatalf("bad int: %d %v", code, out)
	}
}

func TestOverview(t *testing.T) {
	s, base := testServer(t)
	var o Overview
	if err := json.Unmarshal([]byte(mustGet(t, s, base, "/api/overview")), &o); err != nil {
		t.Fatal(err)
	}
	if o.Totals.Requests != 3 || o.Totals.Errors != 1 || o.Totals.Buckets != 2 || o.Rejects != 1 || o.Totals.BytesSent != 105 {
		t.Errorf("totals %+v rejects %d", o.Totals, o.Rejects)
	}
	if b := o.Top["bucket"]; len(b) != 2 || *b[0].Value != "b1" || b[0].N != 2 {
		t.Errorf("top buckets %+v", b)
	}
	if err := json.Unmarshal([]byte(mustGet(t, s, base, "/api/overview?bucket=b1&status=4xx&since=2024-06-01T00:00:00Z&until=2024-06-02T00:00:00Z")), &o); err != nil {
		t.Fatal(err)
	}
	if o.Totals.Requests != 1 || o.Totals.Errors != 1 {
		t.Errorf("filtered totals %+v", o.Totals)
	}
	if resp, _ := do(t, s, base, req{method: "GET", path: "/api/overview?status=9xx", cookie: true}); resp.StatusCode != 400 {
		t.Errorf("status=9xx: %d", resp.StatusCode)
	}
}

func TestExport(t *testing.T) {
	s, base := testServer(t)
	form := url.Values{"spec": {`{"sql":"SELECT p_row_id, bucket FROM aws_s3serveraccess ORDER BY 1"}`}}
	for _, tc := range []struct{ format, want string }{
		{"csv", "p_row_id,bucket\nr1,b1\nr2,b1\nr3,b2\n"},
		{"json", `{"p_row_id":"r1","bucket":"b1"}` + "\n" + `{"p_row_id":"r2","bucket":"b1"}` + "\n" + `{"p_row_id":"r3","bucket":"b2"}` + "\n"},
	} {
		form.Set("format", tc.format)
		resp, b := do(t, s, base, req{method: "POST", path: "/api/export", body: form.Encode(), cookie: true, origin: base})
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
			t.Errorf("%s: Content-Disposition %q", tc.format, cd)
		}
		if b != tc.want {
			t.Errorf("%s: got %q want %q", tc.format, b, tc.want)
		}
	}
	form.Set("format", "parquet")
	_, b := do(t, s, base, req{method: "POST", path: "/api/export", body: form.Encode(), cookie: true, origin: base})
	if !strings.HasPrefix(b, "PAR1") || !strings.HasSuffix(b, "PAR1") {
		t.Errorf("parquet export is not a Parquet file: %q...", b[:min(20, len(b))])
	}
}

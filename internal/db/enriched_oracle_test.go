package db

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"

	"github.com/s3logs/s3logs/schema"
)

// Edge values of the columns the view derives from: every requester_type
// (with ARNs whose account field is short, long, not digits or last), URIs
// without a version, a method or a path, with '?' in odd places and
// non-ASCII text, keys with %, + and invalid escapes, and user agents at the
// edges of the bot and SDK markers.
var (
	edgeRequesters = []any{nil, "", "-", "AmazonS3", "Anonymous", "svc:logging.s3.amazonaws.com", "svc:",
		"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", "79A59DF900B949E55D96A1E698FBACEDFD6E09D98EACF8F8D5218E7CD47EF2BE",
		"arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/a/b/", "arn:aws:iam::123456789012:user/",
		"arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012", "arn:aws:iam::123456789012:",
		"arn:aws:iam::12345678901:user/short", "arn:aws:iam::1234567890123:user/long", "arn:aws:iam::12345678901x:user/x",
		"arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:user/arabic-digits", "arn:aws:sts::123456789012:assumed-role/R/s/extra",
		"arn:aws:sts::123456789012:assumed-role/R/", "arn:aws:sts::123456789012:assumed-role/", "arn:aws:sts::123456789012:assumed-role/R",
		"arn:aws:sts::123456789012:federated-user/", "arn:aws:iam::123456789012:role/ops/", "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1",
		"arn:aws:iam::123456789012:user/é\u0301", "arn:aws:iam::123456789012:user/a/\u0301b", "arn:", "arn:aws:s3:::bucket"}
	edgeURIs = []any{nil, "", " ", "GET", "GET ", " /x HTTP/1.1", "GET /a?b?c HTTP/1.1", "GET ? HTTP/1.1", "GET /? HTTP/1.1",
		"G?T /a HTTP/1.1", "GET /a HTTP/1.1?", "GET /a HTTP/2", "GET /a HTTP/", "GET /a b HTTP/1.1", "GET /a b", "GET /日本?ü=1 HTTP/1.1",
		"GET /a\u0301 HTTP/1.1", "GET /a HTTP/1.1 HTTP/1.1", "GET /x%20y+z?a=%ZZ HTTP/1.1", "GET  HTTP/1.1", "GET HTTP/1.1"}
	edgeKeys   = []any{nil, "", "%", "%%", "%2", "%ZZ", "a%2Fb", "a+b", "a%2Bb", "%00", "%E6%97%A5", "%E6%97", "%C3%28", "100%25", "ü%20x"}
	edgeAgents = []any{nil, "", "Googlebot/2.1", "abbot", "robots", "Botany/1.0", "my_bot_x", "mybot", "MyBot;", "bot",
		"Mozilla/5.0 (compatible; bingbot/2.0)", "Mozilla/5.0 HeadlessChrome/120", "Mozilla/5.0 Firefox/123.0", "aws-cli/2.0",
		"Curl/8.0", "xcurl/8.0", "AWS Console", "s3 sync", "PowerShell/7", "Opera/9.80", "[S3Console/0.4]", "ÄWS-SDK"}
)

// uriOracle splits a request URI as the view's columns are documented:
// the method is what precedes the first space (NULL when empty); the rest
// is the request target, less its last word and the space before it when
// that word starts with HTTP/ (the version); the path is the target up to
// its first '?' (NULL when empty), the query what follows that '?'.
func uriOracle(v any) (method, path, query, version any) {
	u, ok := v.(string)
	sp := strings.IndexByte(u, ' ')
	if !ok || sp < 0 {
		return nil, nil, nil, nil
	}
	if sp > 0 {
		method = u[:sp]
	}
	target := targetOracle(u).(string)
	if rest := u[sp+1:]; len(target) < len(rest) {
		version = rest[len(target)+1:]
	}
	p, q, hasQ := strings.Cut(target, "?")
	if p != "" {
		path = p
	}
	if hasQ {
		query = q
	}
	return method, path, query, version
}

// targetOracle is the request target of a request URI: what follows its
// first space, less the last word and the space before it when that word
// starts with HTTP/; NULL without a space.
func targetOracle(v any) any {
	u, ok := v.(string)
	sp := strings.IndexByte(u, ' ')
	if !ok || sp < 0 {
		return nil
	}
	target := u[sp+1:]
	if ls := strings.LastIndexByte(target, ' '); ls >= 0 && strings.HasPrefix(target[ls+1:], "HTTP/") {
		target = target[:ls]
	}
	return target
}

// requesterOracle names a requester as the view's columns are documented:
// its type (the first marker that matches, in s3logs_requester_type's
// order), its name and its session.
func requesterOracle(v any) (kind, principal, session any) {
	r, ok := v.(string)
	if !ok || r == "" || r == "-" {
		return "anonymous", nil, nil
	}
	after := func(marker string) string { _, a, _ := strings.Cut(r, marker); return a }
	last := func() string { return r[strings.LastIndexByte(r, '/')+1:] }
	upToSlash := func(s string) string { s, _, _ = strings.Cut(s, "/"); return s }
	name := ""
	switch {
	case strings.HasPrefix(r, "arn:") && strings.Contains(r, ":assumed-role/"):
		kind, name = "assumed_role", upToSlash(after(":assumed-role/"))
		if rest := after(":assumed-role/"); strings.Contains(rest, "/") && last() != "" {
			session = last()
		}
	case strings.HasPrefix(r, "arn:") && strings.Contains(r, "::cloudfront:user/"):
		kind, name = "aws_service", upToSlash(after("::cloudfront:user/"))
	case strings.HasPrefix(r, "arn:") && strings.Contains(r, ":user/"):
		kind, name = "iam_user", last()
	case strings.HasPrefix(r, "arn:") && strings.Contains(r, ":federated-user/"):
		kind, name = "federated_user", upToSlash(after(":federated-user/"))
	case strings.HasPrefix(r, "arn:") && strings.HasSuffix(r, ":root"):
		kind = "root"
	case strings.HasPrefix(r, "arn:") && strings.Contains(r, ":role/"):
		kind, name = "iam_role", last()
	case strings.HasPrefix(r, "arn:"):
		kind = "other"
	case r == "AmazonS3":
		kind = "s3"
	case strings.HasPrefix(r, "svc:"):
		kind, name = "aws_service", upToSlash(r[4:])
	case len(r) == 64 && strings.Trim(strings.ToLower(r), "0123456789abcdef") == "":
		kind = "canonical_user"
	default:
		kind = "other"
	}
	if name != "" {
		principal = name
	}
	return kind, principal, session
}

// TestDerivedMatchOracle puts every edge value in a row of its own and
// checks the view's URI and requester columns, and the one-argument macros
// they are, against the oracles above, worked out in Go.
func TestDerivedMatchOracle(t *testing.T) {
	d := openMem(t)
	ctx := context.Background()
	str := func(v sql.NullString) any {
		if !v.Valid {
			return nil
		}
		return v.String
	}
	check := func(col string, vals []any, cols []string, want func(any) []any) {
		t.Helper()
		for _, v := range vals {
			got := enriched(t, d, map[string]any{col: v}, cols...)
			w := want(v)
			for i, c := range cols {
				if str(got[i]) != w[i] {
					t.Errorf("%s %q: %s = %#v, want %#v", col, v, c, str(got[i]), w[i])
				}
				var m sql.NullString
				if err := d.QueryRowContext(ctx, "SELECT s3logs_"+c+"(?)", v).Scan(&m); err != nil || str(m) != w[i] {
					t.Errorf("s3logs_%s(%q) = %#v, %v; want %#v", c, v, str(m), err, w[i])
				}
			}
		}
	}
	uris := append(append([]any{}, edgeURIs...), "GET /a?x HTTP/1.1 HTTP/2", "GET HTTP/1.1?", "GET /a?b HTTP/1.1?", "GET /a\n?b\nc HTTP/1.1",
		"GET /a?x b HTTP/1.1", "G?T /a?b HTTP/1.1", "GET /a  HTTP/1.1", "GET / ?x HTTP/1.1", "GET ?? HTTP/1.1", "GET /a HTTP/1.1 HTTP/1.1", "GET /a HTTP/1.1 ", "GET\t/a HTTP/1.1", "?", "GET ?", "GET /%3F?a=%20 HTTP/1.0")
	check("requesturi", uris, []string{"http_method", "request_path", "request_query", "http_version"}, func(v any) []any {
		m, p, q, ver := uriOracle(v)
		return []any{m, p, q, ver}
	})
	for _, u := range uris {
		var got sql.NullString
		if err := d.QueryRowContext(ctx, "SELECT s3logs_request_target(?)", u).Scan(&got); err != nil || str(got) != targetOracle(u) {
			t.Errorf("s3logs_request_target(%q) = %#v, %v; want %#v", u, str(got), err, targetOracle(u))
		}
	}
	reqs := append(append([]any{}, edgeRequesters...), "svc:a/b", "arn:aws:iam::123456789012:role/x:root", "arn:aws:iam::123456789012:user/x\n/y",
		"arn:aws:sts::123456789012:assumed-role/R/s\n", "arn:aws:sts::1:assumed-role/R:assumed-role/S/x", "arn:x:user/y::cloudfront:user/z",
		"arn:aws:iam::123456789012:federated-user/bob", "arn:aws:iam::123456789012:role/", "/x", "arn:aws:iam::123456789012:role/a/b")
	check("requester", reqs, []string{"requester_type", "requester_principal", "requester_session"}, func(v any) []any {
		k, p, s := requesterOracle(v)
		return []any{k, p, s}
	})
}

// oldAccountRE is the regular expression s3logs_requester_account used
// before it was written with split_part.
var oldAccountRE = regexp.MustCompile(`^arn:[^:]*:[^:]*:[^:]*:([0-9]{12}):`)

// TestRequesterEdges checks the requester columns on the edge ARNs against
// values worked out in Go: the account as the old regular expression found
// it, the last segment after the last '/' (code points, so a combining mark
// after '/' stays: reverse() works on grapheme clusters and dropped it).
func TestRequesterEdges(t *testing.T) {
	d := openMem(t)
	for _, r := range edgeRequesters {
		got := enriched(t, d, map[string]any{"requester": r}, "requester_type", "requester_account_id", "requester_principal")
		s, _ := r.(string)
		wantAcct := "<nil>"
		if m := oldAccountRE.FindStringSubmatch(s); m != nil {
			wantAcct = m[1]
		}
		if a := show(got[1:2]); a != wantAcct {
			t.Errorf("requester %q: account %s, want %s", s, a, wantAcct)
		}
		if kind := got[0].String; kind == "iam_user" || kind == "iam_role" {
			want := "<nil>"
			if i := strings.LastIndexByte(s, '/'); i+1 < len(s) {
				want = s[i+1:]
			}
			if p := show(got[2:]); p != want {
				t.Errorf("requester %q: principal %s, want %s", s, p, want)
			}
		}
	}
}

// TestUserAgentMarkerEdges holds the user-agent class at the edges of its
// markers: "bot" counts at a word's end or before '/', any case.
func TestUserAgentMarkerEdges(t *testing.T) {
	d := openMem(t)
	want := map[string]string{
		"Googlebot/2.1": "bot", "abbot": "bot", "robots": "other", "Botany/1.0": "other", "my_bot_x": "other", "mybot": "bot",
		"MyBot;": "bot", "bot": "bot", "Mozilla/5.0 (compatible; bingbot/2.0)": "bot", "Mozilla/5.0 HeadlessChrome/120": "bot",
		"Mozilla/5.0 Firefox/123.0": "browser", "aws-cli/2.0": "sdk_cli", "Curl/8.0": "sdk_cli", "xcurl/8.0": "other",
		"AWS Console": "sdk_cli", "s3 sync": "sdk_cli", "PowerShell/7": "sdk_cli", "Opera/9.80": "browser",
		"[S3Console/0.4]": "sdk_cli", "ÄWS-SDK": "other", "": "other",
	}
	for ua, w := range want {
		if got := show(enriched(t, d, map[string]any{"useragent": ua}, "useragent_class")); got != w {
			t.Errorf("useragent %q: %s, want %s", ua, got, w)
		}
	}
}

// TestKeyDecodedEscapes checks keys with a lone %, invalid escapes, + and
// escapes that decode to bytes that are not UTF-8.
func TestKeyDecodedEscapes(t *testing.T) {
	d := openMem(t)
	want := map[string]string{"%": "%", "%%": "%%", "%2": "%2", "%ZZ": "%ZZ", "a%2Fb": "a/b", "a+b": "a+b", "a%2Bb": "a+b",
		"%E6%97%A5": "日", "%E6%97": "<nil>", "%C3%28": "<nil>", "100%25": "100%", "ü%20x": "ü x", "": ""}
	for k, w := range want {
		if got := show(enriched(t, d, map[string]any{"key": k}, "key_decoded")); got != w {
			t.Errorf("key %q: key_decoded %s, want %s", k, got, w)
		}
	}
}

// TestEnrichedFilterPushdown checks the plan of a filtered count over the
// view: the filter on a table column reaches the scan, and no derived
// column (nor any step) is computed, since none is read.
func TestEnrichedFilterPushdown(t *testing.T) {
	d := openMem(t)
	// Rows on both sides of the filter, so that the optimizer keeps it.
	if _, err := d.Exec("INSERT INTO aws_s3serveraccess (bucketowner, p_row_id, httpstatus, requesturi) VALUES ('o', 'a', 200, 'GET /a HTTP/1.1'), ('o', 'b', 404, 'GET /b HTTP/1.1')"); err != nil {
		t.Fatal(err)
	}
	var plan string
	if err := d.QueryRow("EXPLAIN SELECT count(*), max(key) FROM "+schema.EnrichedViewName+" WHERE httpstatus >= 400").Scan(new(string), &plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "Filters:") || !strings.Contains(plan, "httpstatus>=400") && !strings.Contains(plan, "httpstatus >= 400") {
		t.Errorf("the filter does not reach the scan:\n%s", plan)
	}
	for _, w := range []string{"strpos", "requesturi", "requester", "useragent", "CASE", "JOIN"} {
		if strings.Contains(plan, w) {
			t.Errorf("the plan computes %s, which the query does not read:\n%s", w, plan)
		}
	}
}

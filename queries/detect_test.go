package queries

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// at returns a fixture time: base + minutes.
func at(base string, minutes float64) string {
	t, err := time.Parse("2006-01-02 15:04:05", base)
	if err != nil {
		panic(err)
	}
	return t.Add(time.Duration(minutes * float64(time.Minute))).Format("2006-01-02 15:04:05")
}

// get is a plain authenticated GET object event.
func get(when string) row {
	return row{at: when, bucket: "b", ip: "198.51.100.1", requester: alice, op: "REST.GET.OBJECT", key: "k", status: 200,
		bytes: 10, size: 10, ua: cli, sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2"}
}

func with(r row, f func(*row)) row { f(&r); return r }

// summary is an alert without samples, for comparisons.
type summary struct {
	Title       string
	First, Last string
	Count       int
}

func summarize(alerts []Alert) []summary {
	out := []summary{}
	for _, a := range alerts {
		out = append(out, summary{a.Title, a.First.Format("15:04:05"), a.Last.Format("15:04:05"), a.Count})
	}
	return out
}

// TestRules gives each rule other than Panther's (covered by
// TestPantherUnitTests) events that must fire and events that must not.
func TestRules(t *testing.T) {
	const base = "2026-03-02 12:00:00"
	tlsObj := "tailpipe.s3_object_accessed_using_insecure_tls_version"
	tlsBucket := "tailpipe.s3_bucket_accessed_using_insecure_tls_version"
	ua := "tailpipe.s3_object_accessed_using_suspicious_user_agent"
	hours := "tailpipe.s3_object_accessed_outside_business_hours"
	tests := []struct {
		name  string
		rule  string
		ev    row
		title string
	}{
		{"tls object TLSv1 (TLS 1.0 as S3 writes it)", tlsObj, with(get(base), func(r *row) { r.tls = "TLSv1" }), "Object accessed using insecure TLS version in S3 Bucket [b]"},
		{"tls object TLSv1.0", tlsObj, with(get(base), func(r *row) { r.tls = "TLSv1.0" }), "Object accessed using insecure TLS version in S3 Bucket [b]"},
		{"tls object TLSV1.1 upper case", tlsObj, with(get(base), func(r *row) { r.tls = "TLSV1.1"; r.op = "REST.PUT.OBJECT" }), "Object accessed using insecure TLS version in S3 Bucket [b]"},
		{"tls object DELETE", tlsObj, with(get(base), func(r *row) { r.tls = "tlsv1.1"; r.op = "REST.DELETE.OBJECT" }), "Object accessed using insecure TLS version in S3 Bucket [b]"},
		{"tls object TLSv1.2 no", tlsObj, get(base), ""},
		{"tls object TLSv1.3 no", tlsObj, with(get(base), func(r *row) { r.tls = "TLSv1.3" }), ""},
		{"tls object plain HTTP no", tlsObj, with(get(base), func(r *row) { r.tls = "" }), ""},
		{"tls object on bucket op no", tlsObj, with(get(base), func(r *row) { r.tls = "TLSv1"; r.op = "REST.GET.BUCKET" }), ""},
		{"tls bucket GET.BUCKET", tlsBucket, with(get(base), func(r *row) { r.tls = "TLSv1"; r.op = "REST.GET.BUCKET" }), "Bucket accessed using insecure TLS version: S3 Bucket [b]"},
		{"tls bucket HEAD.OBJECT is other", tlsBucket, with(get(base), func(r *row) { r.tls = "TLSV1.1"; r.op = "REST.HEAD.OBJECT" }), "Bucket accessed using insecure TLS version: S3 Bucket [b]"},
		{"tls bucket GET.OBJECT no", tlsBucket, with(get(base), func(r *row) { r.tls = "TLSv1" }), ""},
		{"tls bucket TLSv1.2 no", tlsBucket, with(get(base), func(r *row) { r.op = "REST.GET.BUCKET" }), ""},

		{"ua curl", ua, with(get(base), func(r *row) { r.ua = "curl/8.4.0" }), "Object accessed using suspicious user agent in S3 Bucket [b]"},
		{"ua case-insensitive", ua, with(get(base), func(r *row) { r.ua = "Mozilla/5.0 (compatible; NUCLEI)" }), "Object accessed using suspicious user agent in S3 Bucket [b]"},
		{"ua missing", ua, with(get(base), func(r *row) { r.ua = "" }), "Object accessed using suspicious user agent in S3 Bucket [b]"},
		{"ua browser no", ua, with(get(base), func(r *row) { r.ua = mozilla }), ""},
		{"ua curl on bucket op no", ua, with(get(base), func(r *row) { r.ua = "curl/8.4.0"; r.op = "REST.GET.BUCKET" }), ""},

		{"hours 07:59 fires", hours, get("2026-03-02 07:59:59"), "Object accessed outside business hours in S3 Bucket [b]"},
		{"hours 08:00 inside", hours, get("2026-03-02 08:00:00"), ""},
		{"hours 17:59 inside", hours, get("2026-03-02 17:59:59"), ""},
		{"hours 18:00 fires", hours, get("2026-03-02 18:00:00"), "Object accessed outside business hours in S3 Bucket [b]"},
		{"hours PUT at night no", hours, with(get("2026-03-02 03:00:00"), func(r *row) { r.op = "REST.PUT.OBJECT" }), ""},

		{"large response over 100 MB", "tailpipe.s3_object_accessed_with_large_response_size", with(get(base), func(r *row) { r.bytes = 100_000_001 }), "Object accessed with large response size in S3 Bucket [b]"},
		{"large response exactly 100 MB no", "tailpipe.s3_object_accessed_with_large_response_size", with(get(base), func(r *row) { r.bytes = 100_000_000 }), ""},
		{"large object over 10 MB", "tailpipe.s3_object_accessed_with_large_object_size", with(get(base), func(r *row) { r.size = 10_000_001 }), "Object accessed with large object size in S3 Bucket [b]"},
		{"large object exactly 10 MB no", "tailpipe.s3_object_accessed_with_large_object_size", with(get(base), func(r *row) { r.size = 10_000_000 }), ""},
		{"large object on PUT no", "tailpipe.s3_object_accessed_with_large_object_size", with(get(base), func(r *row) { r.size = 50_000_000; r.op = "REST.PUT.OBJECT" }), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alerts := detectRows(t, []row{tt.ev}, tt.rule, nil)
			var got string
			if len(alerts) == 1 {
				got = alerts[0].Title
			} else if len(alerts) > 1 {
				t.Fatalf("%d alerts, want at most 1", len(alerts))
			}
			if got != tt.title {
				t.Errorf("title %q, want %q", got, tt.title)
			}
		})
	}
}

// TestGrouping checks Panther's grouping on the Error rule (threshold 5,
// dedup 180 minutes) and the s3logs burst rules.
func TestGrouping(t *testing.T) {
	const base = "2026-03-02 00:00:00"
	denied := func(min float64, bucket string) row {
		return with(get(at(base, min)), func(r *row) { r.status, r.errcode, r.bucket = 403, "AccessDenied", bucket })
	}
	var burst func(n int, step float64, f func(*row)) []row
	burst = func(n int, step float64, f func(*row)) []row {
		var out []row
		for i := 0; i < n; i++ {
			r := get(at(base, float64(i)*step))
			f(&r)
			out = append(out, r)
		}
		return out
	}
	tests := []struct {
		name string
		rule string
		rows []row
		want []summary
	}{
		{"error: 4 events is below the threshold", "AWS.S3.ServerAccess.Error",
			[]row{denied(0, "b"), denied(1, "b"), denied(2, "b"), denied(3, "b")}, []summary{}},
		{"error: 5 events in the window fire once", "AWS.S3.ServerAccess.Error",
			[]row{denied(0, "b"), denied(10, "b"), denied(20, "b"), denied(30, "b"), denied(179, "b"), denied(1, "other")},
			[]summary{{"403 errors found to S3 Bucket [b]", "00:00:00", "02:59:00", 5}}},
		{"error: an event at exactly 180 minutes opens a new window", "AWS.S3.ServerAccess.Error",
			[]row{denied(0, "b"), denied(10, "b"), denied(20, "b"), denied(30, "b"), denied(180, "b"), denied(181, "b"), denied(182, "b"), denied(183, "b"), denied(184, "b")},
			[]summary{{"403 errors found to S3 Bucket [b]", "03:00:00", "03:04:00", 5}}},
		{"error: titles group separately (status and bucket)", "AWS.S3.ServerAccess.Error",
			append(burst(5, 1, func(r *row) { r.status, r.bucket = 405, "b" }), burst(5, 1, func(r *row) { r.status, r.bucket = 403, "c" })...),
			[]summary{{"403 errors found to S3 Bucket [c]", "00:00:00", "00:04:00", 5}, {"405 errors found to S3 Bucket [b]", "00:00:00", "00:04:00", 5}}},
		{"error: two full windows give two alerts", "AWS.S3.ServerAccess.Error",
			burst(12, 30, func(r *row) { r.status = 403 }),
			[]summary{{"403 errors found to S3 Bucket [b]", "00:00:00", "02:30:00", 6}, {"403 errors found to S3 Bucket [b]", "03:00:00", "05:30:00", 6}}},
		{"error: 4 + 4 events across a window boundary never fire", "AWS.S3.ServerAccess.Error",
			burst(8, 45, func(r *row) { r.status = 403 }), []summary{}},

		{"access denied: 20 in 10 minutes", "s3logs.access_denied_burst",
			burst(20, 0.5, func(r *row) { r.status, r.errcode = 403, "AccessDenied" }),
			[]summary{{"AccessDenied burst from [" + alice + "]", "00:00:00", "00:09:30", 20}}},
		{"access denied: 19 is not a burst", "s3logs.access_denied_burst",
			burst(19, 0.5, func(r *row) { r.status, r.errcode = 403, "AccessDenied" }), []summary{}},
		{"access denied: 20 over 11 minutes is not a burst", "s3logs.access_denied_burst",
			burst(20, 11.0/19, func(r *row) { r.status, r.errcode = 403, "AccessDenied" }), []summary{}},
		{"access denied: anonymous grouped by IP", "s3logs.access_denied_burst",
			burst(20, 0.1, func(r *row) { r.status, r.errcode, r.requester = 403, "AccessDenied", "" }),
			[]summary{{"AccessDenied burst from [anonymous 198.51.100.1]", "00:00:00", "00:01:54", 20}}},
		{"access denied: other errors do not count", "s3logs.access_denied_burst",
			burst(30, 0.1, func(r *row) { r.status, r.errcode = 404, "NoSuchKey" }), []summary{}},

		{"mass deletion: 100 deletes in an hour", "s3logs.mass_deletion",
			burst(100, 0.5, func(r *row) { r.op, r.status = "BATCH.DELETE.OBJECT", 204 }),
			[]summary{{"Mass deletion by [" + alice + "] in S3 Bucket [b]", "00:00:00", "00:49:30", 100}}},
		{"mass deletion: lifecycle expirations do not count", "s3logs.mass_deletion",
			burst(150, 0.1, func(r *row) { r.op, r.status, r.requester = "S3.EXPIRE.OBJECT", 0, "AmazonS3" }), []summary{}},
		{"mass deletion: failed deletes do not count", "s3logs.mass_deletion",
			burst(150, 0.1, func(r *row) { r.op, r.status, r.errcode = "REST.DELETE.OBJECT", 403, "AccessDenied" }), []summary{}},
		{"mass deletion: 99 is not mass", "s3logs.mass_deletion",
			burst(99, 0.1, func(r *row) { r.op, r.status = "REST.DELETE.OBJECT", 204 }), []summary{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarize(detectRows(t, tt.rows, tt.rule, nil))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("alerts\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestNewIPSensitiveBucket(t *testing.T) {
	ev := func(day float64, bucket, ip string) row {
		return with(get(at("2026-03-01 00:00:00", day*24*60)), func(r *row) { r.bucket, r.ip = bucket, ip })
	}
	rows := []row{
		ev(0, "vault", "10.0.0.1"),        // first event: starts the baseline
		ev(3, "vault", "10.0.0.2"),        // new, but within the 7-day baseline
		ev(8, "vault", "10.0.0.1"),        // known IP
		ev(8, "vault", "203.0.113.9"),     // new after the baseline: fires
		ev(8.01, "vault", "203.0.113.9"),  // same IP again: not new
		ev(0, "public", "10.0.0.1"),       // other bucket
		ev(9, "public", "198.51.100.3"),   // new on a bucket that is not sensitive
		ev(9, "vault", "2001:db8::77"),    // new IPv6 address: fires
		with(ev(10, "vault", ""), nil2ip), // no IP: ignored
	}
	c := DefaultConfig()
	c.SensitiveBuckets = []string{"vault"}
	got := summarize(detectRows(t, rows, "s3logs.new_ip_sensitive_bucket", c))
	want := []summary{
		{"New IP 203.0.113.9 accessed sensitive S3 Bucket [vault]", "00:00:00", "00:00:00", 1},
		{"New IP 2001:db8::77 accessed sensitive S3 Bucket [vault]", "00:00:00", "00:00:00", 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("alerts\n got %+v\nwant %+v", got, want)
	}
	// On by default once sensitive buckets are configured, off otherwise.
	sel, _ := Options{Config: c}.Selected()
	if !hasRule(sel, "s3logs.new_ip_sensitive_bucket") {
		t.Error("rule not selected with sensitive_buckets set")
	}
	sel, _ = Options{}.Selected()
	if hasRule(sel, "s3logs.new_ip_sensitive_bucket") {
		t.Error("rule selected by default without sensitive_buckets")
	}
}

func nil2ip(r *row) { r.ip = "" }

func hasRule(rules []*Rule, id string) bool {
	for _, r := range rules {
		if r.ID == id {
			return true
		}
	}
	return false
}

func TestSelected(t *testing.T) {
	ids := func(o Options) string {
		rs, err := o.Selected()
		if err != nil {
			return "error: " + err.Error()
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return strings.Join(out, " ")
	}
	off := false
	on := true
	c := DefaultConfig()
	c.Rules = map[string]RuleConfig{"AWS.S3.ServerAccess.Error": {Enabled: &off}, "AWS.S3.ServerAccess.Unauthenticated": {Enabled: &on}}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"defaults", Options{}, "AWS.S3.ServerAccess.Error AWS.S3.ServerAccess.Insecure tailpipe.s3_object_accessed_using_insecure_tls_version tailpipe.s3_bucket_accessed_using_insecure_tls_version tailpipe.s3_object_accessed_using_suspicious_user_agent tailpipe.s3_object_accessed_outside_business_hours tailpipe.s3_object_accessed_with_large_response_size tailpipe.s3_object_accessed_with_large_object_size s3logs.access_denied_burst s3logs.mass_deletion s3logs.volume_exfiltration s3logs.listed_ip s3logs.new_account_bucket"},
		{"config toggles", Options{Config: c}, "AWS.S3.ServerAccess.Insecure AWS.S3.ServerAccess.Unauthenticated tailpipe.s3_object_accessed_using_insecure_tls_version tailpipe.s3_bucket_accessed_using_insecure_tls_version tailpipe.s3_object_accessed_using_suspicious_user_agent tailpipe.s3_object_accessed_outside_business_hours tailpipe.s3_object_accessed_with_large_response_size tailpipe.s3_object_accessed_with_large_object_size s3logs.access_denied_burst s3logs.mass_deletion s3logs.volume_exfiltration s3logs.listed_ip s3logs.new_account_bucket"},
		{"by id, even if off", Options{Rules: []string{"AWS.S3.ServerAccess.IPWhitelist", "s3logs.mass_deletion"}}, "AWS.S3.ServerAccess.IPWhitelist s3logs.mass_deletion"},
		{"all", Options{All: true}, strings.Join(ruleIDs(), " ")},
		{"unknown id", Options{Rules: []string{"nope"}}, `error: unknown rule "nope" (known: ` + strings.Join(ruleIDs(), ", ") + ")"},
	}
	for _, tt := range tests {
		if got := ids(tt.opts); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestDetectSinceAndSamples(t *testing.T) {
	var rows []row
	for i := 0; i < 6; i++ {
		rows = append(rows, with(get(at("2026-03-02 00:00:00", float64(i))), func(r *row) { r.tls = "TLSv1" }))
	}
	d := openFixture(t, rows)
	since := time.Date(2026, 3, 2, 0, 2, 0, 0, time.UTC)
	alerts, err := Detect(context.Background(), d.DB, Options{Rules: []string{"tailpipe.s3_object_accessed_using_insecure_tls_version"}, Since: since, Samples: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || alerts[0].Count != 4 || len(alerts[0].Samples) != 2 || alerts[0].Samples[0].RowID != "r03" || alerts[0].Samples[1].RowID != "r04" {
		t.Fatalf("alerts = %+v", alerts)
	}
	s := alerts[0].Samples[0]
	if s.Bucket != "b" || s.Requester != alice || s.TLSVersion != "TLSv1" || *s.HTTPStatus != 200 || *s.BytesSent != 10 || s.Time != since {
		t.Errorf("sample = %+v", s)
	}
}

// TestDetectFixture runs every rule on the investigation fixture and
// checks the alerts a responder would see.
func TestDetectFixture(t *testing.T) {
	d := openFixture(t, fixture)
	alerts, err := Detect(context.Background(), d.DB, Options{All: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range alerts {
		got = append(got, fmt.Sprintf("%s %s %s %s..%s %d", a.First.Format("01-02T15:04"), a.RuleID, a.Title, a.First.Format("15:04:05"), a.Last.Format("15:04:05"), a.Count))
	}
	golden(t, filepath.Join("testdata", "golden", "detect_fixture.txt"), strings.Join(got, "\n")+"\n")
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{
  "allowed_networks": ["10.0.0.0/8", "192.168.1.7"],
  "auth_buckets": ["vault"],
  "business_hours": {"start": 22, "end": 6},
  "rules": {"AWS.S3.ServerAccess.Error": {"threshold": 2, "dedup_minutes": 30}}
}`)
	c, err := LoadConfig(good)
	if err != nil {
		t.Fatal(err)
	}
	nets, _ := c.networks()
	if fmt.Sprint(nets) != "[10.0.0.0/8 192.168.1.7/32]" || c.AuthBuckets[0] != "vault" || c.LargeObjectBytes != 10_000_000 || len(c.SuspiciousUserAgents) != 20 {
		t.Errorf("config = %+v", c)
	}
	th, dd := RuleByID("AWS.S3.ServerAccess.Error").settings(c)
	if th != 2 || dd != 30*time.Minute {
		t.Errorf("settings = %d, %v", th, dd)
	}
	tests := []struct{ name, body, want string }{
		{"unknown key", `{"allowed_network": []}`, `bad.json: json: unknown field "allowed_network"`},
		{"syntax", "{\n  \"auth_buckets\": [\"a\",]\n}", "bad.json:2:24: invalid character ']' looking for beginning of value"},
		{"type", `{"large_object_bytes": "big"}`, "bad.json:1:29: large_object_bytes: want int64, got string"},
		{"bad cidr", `{"allowed_networks": ["10.0.0.0/99"]}`, `bad.json: allowed_networks: "10.0.0.0/99" is not a CIDR network`},
		{"bad hours", `{"business_hours": {"start": 9, "end": 9}}`, "bad.json: business_hours: want 0 <= start <= 23, 1 <= end <= 24 and start != end, got 9-9"},
		{"unknown rule", `{"rules": {"Nope": {"threshold": 1}}}`, `bad.json: rules: unknown rule "Nope" (see s3logs detect --list)`},
		{"reversed range in a glob", `{"bucket_roles": [{"bucket": "data-*", "roles": ["arn:aws:iam::*:user/[z-a]*"]}]}`, `bad.json: bucket_roles: bad glob "arn:aws:iam::*:user/[z-a]*": invalid character class range z-a`},
		{"two documents", "{\"auth_buckets\": [\"a\"]}\n{\"auth_buckets\": [\"b\"]}\n", "bad.json:2:1: more after the config's JSON object: a config file holds one"},
		{"bad threshold", `{"rules": {"s3logs.mass_deletion": {"threshold": 0}}}`, `bad.json: rules: s3logs.mass_deletion: threshold must be at least 1`},
		{"unclosed class in a glob", `{"bucket_roles": [{"bucket": "data-[prod", "roles": ["arn:aws:iam::*:role/reader"]}]}`, `bad.json: bucket_roles: bad glob "data-[prod": the [ at position 6 opens no class (write [[] for a literal [)`},
		{"dedup overflow", `{"rules": {"AWS.S3.ServerAccess.Error": {"dedup_minutes": 9223372036854775807}}}`, `bad.json: rules: AWS.S3.ServerAccess.Error: dedup_minutes must be from 1 to 527040 (a year), got 9223372036854775807`},
		{"dedup zero", `{"rules": {"AWS.S3.ServerAccess.Error": {"dedup_minutes": 0}}}`, `bad.json: rules: AWS.S3.ServerAccess.Error: dedup_minutes must be from 1 to 527040 (a year), got 0`},
		{"baseline overflow", `{"new_ip_baseline_hours": 9223372036854775807}`, `bad.json: new_ip_baseline_hours must be at most 8784 (a year), got 9223372036854775807`},
	}
	for _, tt := range tests {
		p := write("bad.json", tt.body)
		_, err := LoadConfig(p)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if got := strings.ReplaceAll(err.Error(), p, "bad.json"); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	if _, err := LoadConfig(filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestBusinessHoursWrapMidnight(t *testing.T) {
	c := DefaultConfig()
	c.BusinessHours = Hours{Start: 22, End: 6} // a night shift: 22:00-05:59 is business
	rows := []row{get("2026-03-02 23:00:00"), get("2026-03-02 05:59:00"), get("2026-03-02 06:00:00"), get("2026-03-02 21:59:00")}
	alerts := detectRows(t, rows, "tailpipe.s3_object_accessed_outside_business_hours", c)
	got := summarize(alerts)
	want := []summary{{"Object accessed outside business hours in S3 Bucket [b]", "06:00:00", "06:00:00", 1}, {"Object accessed outside business hours in S3 Bucket [b]", "21:59:00", "21:59:00", 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestFnmatch(t *testing.T) {
	tests := []struct {
		name, pattern string
		want          bool
	}{
		{"REST.GET.OBJECT", "REST.*.OBJECT", true},
		{"REST.GET.OBJECT_TAGGING", "REST.*.OBJECT", false},
		{"rest.get.object", "REST.*.OBJECT", false},
		{"arn:aws:sts::1:assumed-role/r-1/x/y", "arn:aws:sts::*:assumed-role/r-*/x/y", true},
		{"a/b", "a?b", true},
		{"ab", "a?b", false},
		{"a1", "a[0-9]", true},
		{"ax", "a[!0-9]", true},
		{"a5", "a[!0-9]", false},
		{"a[", "a[", true},
		{"a.b", "a.b", true},
		{"aXb", "a.b", false},
		{"", "*", true},
		{"", "x*", false},
		{"über", "ü*", true},
		{"a]", "[[:alpha:]]", true}, // the class is "[:alph" then a literal ]
		{"x]", "[[:alpha:]]", false},
		{`a\`, `a[\]`, true},
		{"^", "[^a]", true},
		{"b", "[^a]", false},
		{"-", "[a-]", true},
		{"z", "[z-a]", false}, // reversed range: matches nothing (Validate rejects it)
	}
	for _, tt := range tests {
		if got := fnmatch(tt.name, tt.pattern); got != tt.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", tt.name, tt.pattern, got, tt.want)
		}
	}
}

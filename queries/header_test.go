package queries

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestParse(t *testing.T) {
	src := `-- name: by_bucket
-- title: Requests for a bucket
-- description: Counts requests.
-- tags: [access, ip]
-- param: bucket string required "Bucket name"
-- param: start timestamp default=now-7d
-- param: limit int default=100 "Maximum rows"
-- param: label string default="a b" "Quoted default"
-- param: unit string default=day one_of=hour|day

-- a comment in the body is fine: key: value
SELECT $bucket, $start, $limit, $label, $unit, '$notaparam' -- $nor_this
`
	q, err := Parse("by_bucket.sql", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &Query{
		Name: "by_bucket", Title: "Requests for a bucket", Description: "Counts requests.",
		Tags: []string{"access", "ip"},
		Params: []Param{
			{Name: "bucket", Type: TypeString, Required: true, Description: "Bucket name", line: 5},
			{Name: "start", Type: TypeTimestamp, Default: "now-7d", HasDefault: true, line: 6},
			{Name: "limit", Type: TypeInt, Default: "100", HasDefault: true, Min: new(0.0), Description: "Maximum rows", line: 7},
			{Name: "label", Type: TypeString, Default: "a b", HasDefault: true, Description: "Quoted default", line: 8},
			{Name: "unit", Type: TypeString, Default: "day", HasDefault: true, OneOf: []string{"hour", "day"}, line: 9},
		},
		SQL:  "-- a comment in the body is fine: key: value\nSELECT $bucket, $start, $limit, $label, $unit, '$notaparam' -- $nor_this",
		File: "by_bucket.sql",
	}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("Parse:\n got %+v\nwant %+v", q, want)
	}
}

func TestParseErrors(t *testing.T) {
	const body = "\nSELECT 1\n"
	tests := []struct {
		name, file, src, want string
	}{
		{"unknown key", "q.sql", "-- name: q\n-- title: T\n-- author: me\n" + body, "q.sql:3: author: unknown key (keys: name, title, description, tags, param)"},
		{"duplicate key", "q.sql", "-- name: q\n-- title: T\n-- title: U\n" + body, "q.sql:3: title: duplicate key (first on line 2)"},
		{"missing name", "q.sql", "-- title: T\n" + body, "q.sql:1: name: missing (every query needs -- name: and -- title:)"},
		{"missing title", "q.sql", "-- name: q\n" + body, "q.sql:1: title: missing (every query needs -- name: and -- title:)"},
		{"not key value", "q.sql", "-- name: q\n-- just a note\n-- title: T\n" + body, `q.sql:2: expected "-- key: value" (keys: name, title, description, tags, param); end the header with a blank line before other comments`},
		{"empty value", "q.sql", "-- name: q\n-- title:\n" + body, "q.sql:2: title: empty value"},
		{"bad name", "Q.sql", "-- name: Q\n-- title: T\n" + body, `Q.sql:1: name: "Q" is not a name (lowercase letters, digits and _, starting with a letter)`},
		{"name differs from file", "dir/other.sql", "-- name: q\n-- title: T\n" + body, `dir/other.sql:1: name: "q" does not match the file name "other"`},
		{"tags not a list", "q.sql", "-- name: q\n-- title: T\n-- tags: a, b\n" + body, `q.sql:3: tags: want a list like [access, ip], got "a, b"`},
		{"bad tag", "q.sql", "-- name: q\n-- title: T\n-- tags: [ok, Not Ok]\n" + body, `q.sql:3: tags: bad tag "Not Ok" (lowercase letters, digits, _ and -)`},
		{"unknown type", "q.sql", "-- name: q\n-- title: T\n-- param: x decimal\nSELECT $x", `q.sql:3: param: unknown parameter type "decimal" (types: string, int, bool, timestamp, cidr, list, float)`},
		{"param missing type", "q.sql", "-- name: q\n-- title: T\n-- param: x\nSELECT $x", `q.sql:3: param: want NAME TYPE [required] [default=VALUE] ["description"], got "x"`},
		{"param bad option", "q.sql", "-- name: q\n-- title: T\n-- param: x int optional\nSELECT $x", `q.sql:3: param: parameter x: unexpected "optional" (want required, default=VALUE, one_of=A|B, min=N, ipv4 or a final "description")`},
		{"default not in one_of", "q.sql", "-- name: q\n-- title: T\n-- param: x string default=week one_of=hour|day\nSELECT $x", `q.sql:3: param: parameter x: default: "week" is not one of hour, day`},
		{"one_of on int", "q.sql", "-- name: q\n-- title: T\n-- param: x int one_of=1|2\nSELECT $x", `q.sql:3: param: parameter x: one_of is for string parameters`},
		{"param bad default", "q.sql", "-- name: q\n-- title: T\n-- param: x int default=ten\nSELECT $x", `q.sql:3: param: parameter x: default: invalid int "ten"`},
		{"param required and default", "q.sql", "-- name: q\n-- title: T\n-- param: x int required default=1\nSELECT $x", `q.sql:3: param: parameter x is both required and has a default`},
		{"param twice", "q.sql", "-- name: q\n-- title: T\n-- param: x int\n-- param: x string\nSELECT $x", `q.sql:4: param: parameter "x" declared twice`},
		{"param unterminated quote", "q.sql", "-- name: q\n-- title: T\n-- param: x int \"oops\nSELECT $x", `q.sql:3: param: unterminated quote in "\"oops"`},
		{"undeclared reference", "q.sql", "-- name: q\n-- title: T\n\nSELECT 1\nWHERE a = $bucket", `q.sql:5: param: SQL uses $bucket, which is not declared (add -- param: bucket TYPE)`},
		{"positional reference", "q.sql", "-- name: q\n-- title: T\n\nSELECT $1", `q.sql:4: param: positional parameter $1: saved queries use named parameters ($name)`},
		{"unused parameter", "q.sql", "-- name: q\n-- title: T\n-- param: x int\n\nSELECT 1", `q.sql:3: param: parameter "x" is declared but the SQL never uses $x`},
		{"bad macro", "q.sql", "-- name: q\n-- title: T\n\nSELECT 1\nWHERE p_occurs_since('3 fortnights')", `q.sql:5: sql: 2:7: p_occurs_since: unknown time unit "fortnights" in '3 fortnights' (use s, m, h, d or w)`},
		{"no sql", "q.sql", "-- name: q\n-- title: T\n\n", "q.sql:3: no SQL after the header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.file, []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse = %+v, want error %s", q, tt.want)
			}
			if !errors.Is(err, ErrHeader) {
				t.Errorf("%v does not wrap ErrHeader", err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestLoadOverrides(t *testing.T) {
	user := fstest.MapFS{
		"top_ips.sql":  {Data: []byte("-- name: top_ips\n-- title: My top IPs\n\nSELECT remoteip FROM aws_s3serveraccess")},
		"mine.sql":     {Data: []byte("-- name: mine\n-- title: Mine\n-- param: b string required\n\nSELECT count(*) FROM aws_s3serveraccess WHERE bucket = $b")},
		"notes.txt":    {Data: []byte("ignored: not .sql")},
		"sub/deep.sql": {Data: []byte("ignored: not at the top")},
	}
	cat, err := Load(user)
	if err != nil {
		t.Fatal(err)
	}
	q, err := cat.Get("top_ips")
	if err != nil {
		t.Fatal(err)
	}
	if q.Title != "My top IPs" || q.File != "top_ips.sql" || q.Overrides != "builtin:top_ips.sql" {
		t.Errorf("override: title %q file %q overrides %q", q.Title, q.File, q.Overrides)
	}
	if _, err := cat.Get("mine"); err != nil {
		t.Error(err)
	}
	builtin, _ := Load()
	if got, want := len(cat.List()), len(builtin.List())+1; got != want {
		t.Errorf("%d queries, want %d", got, want)
	}
	if _, err := cat.Get("top_ip"); err == nil || !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "did you mean top_ips") {
		t.Errorf("Get(top_ip) error = %v", err)
	}

	bad := fstest.MapFS{"broken.sql": {Data: []byte("-- name: broken\n-- titel: typo\n\nSELECT 1")}}
	if _, err := Load(bad); err == nil || err.Error() != "broken.sql:2: titel: unknown key (keys: name, title, description, tags, param)" {
		t.Errorf("Load(broken) error = %v", err)
	}
}

func TestDir(t *testing.T) {
	dir := t.TempDir()
	if f, err := Dir(dir+"/missing", false); err != nil || f != nil {
		t.Errorf("Dir(missing, false) = %v, %v; want nil, nil", f, err)
	}
	if _, err := Dir(dir+"/missing", true); err == nil {
		t.Error("Dir(missing, true): no error")
	}
}

func TestBind(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	q, err := Parse("q.sql", []byte(`-- name: q
-- title: T
-- param: s string required
-- param: n int default=100
-- param: b bool default=false
-- param: at timestamp default=now-7d
-- param: net cidr default=10.1.2.3/8
-- param: l list
-- param: opt string
-- param: unit string one_of=hour|day

SELECT $s, $n, $b, $at, $net, $l, $opt, $unit, p_occurs_since('1 d')`))
	if err != nil {
		t.Fatal(err)
	}
	named := func(args []any) map[string]any {
		m := map[string]any{}
		for _, a := range args {
			na := a.(sql.NamedArg)
			m[na.Name] = na.Value
		}
		return m
	}
	tests := []struct {
		name   string
		params map[string]string
		want   map[string]any
		err    string
	}{
		{"defaults", map[string]string{"s": "x"}, map[string]any{
			"s": "x", "n": int64(100), "b": false, "at": now.Add(-7 * 24 * time.Hour), "net": "10.0.0.0/8", "l": []string{}, "opt": nil, "unit": nil}, ""},
		{"given", map[string]string{"s": "x'; DROP TABLE t; --", "n": "-5", "b": "yes", "at": "2026-01-02 03:04:05", "net": "2001:db8::1", "l": "a, b,,c", "opt": "", "unit": "hour"}, map[string]any{
			"s": "x'; DROP TABLE t; --", "n": int64(-5), "b": true, "at": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "net": "2001:db8::1/128", "l": []string{"a", "b", "c"}, "opt": "", "unit": "hour"}, ""},
		{"relative forms", map[string]string{"s": "x", "at": "24h"}, map[string]any{
			"s": "x", "n": int64(100), "b": false, "at": now.Add(-24 * time.Hour), "net": "10.0.0.0/8", "l": []string{}, "opt": nil, "unit": nil}, ""},
		{"rfc3339 with offset", map[string]string{"s": "x", "at": "2026-01-02T03:04:05+02:00"}, map[string]any{
			"s": "x", "n": int64(100), "b": false, "at": time.Date(2026, 1, 2, 1, 4, 5, 0, time.UTC), "net": "10.0.0.0/8", "l": []string{}, "opt": nil, "unit": nil}, ""},
		{"missing required", map[string]string{}, nil, "query q: missing required parameter s (string): use --param s=VALUE"},
		{"unknown", map[string]string{"s": "x", "zz": "1", "aa": "2"}, nil, "query q: unknown parameter aa, zz (parameters: s, n, b, at, net, l, opt, unit)"},
		{"bad int", map[string]string{"s": "x", "n": "1e3"}, nil, `query q: parameter n: invalid int "1e3"`},
		{"bad bool", map[string]string{"s": "x", "b": "maybe"}, nil, `query q: parameter b: invalid bool "maybe" (true or false)`},
		{"bad time", map[string]string{"s": "x", "at": "yesterday"}, nil, `query q: parameter at: invalid time "yesterday": want a date (2024-01-02), an RFC 3339 time (2024-01-02T15:04:05Z), now, an age before now (90m, 24h, 7d, 2w, 1d12h) or now-7d`},
		{"combined age, as load --since takes it", map[string]string{"s": "x", "at": "1d12h"}, map[string]any{
			"s": "x", "n": int64(100), "b": false, "at": now.Add(-36 * time.Hour), "net": "10.0.0.0/8", "l": []string{}, "opt": nil, "unit": nil}, ""},
		{"relative days", map[string]string{"s": "x", "at": "now-36500d"}, map[string]any{
			"s": "x", "n": int64(100), "b": false, "at": now.Add(-36500 * 24 * time.Hour), "net": "10.0.0.0/8", "l": []string{}, "opt": nil, "unit": nil}, ""},
		{"relative time overflowing a Duration", map[string]string{"s": "x", "at": "now-200000d"}, nil, `query q: parameter at: relative time "now-200000d" is too large (at most 100 years)`},
		{"relative weeks overflowing a Duration", map[string]string{"s": "x", "at": "800000w"}, nil, `query q: parameter at: relative time "800000w" is too large (at most 100 years)`},
		{"bad cidr", map[string]string{"s": "x", "net": "10.0.0.0/33"}, nil, `query q: parameter net: invalid network "10.0.0.0/33" (want CIDR such as 10.0.0.0/8)`},
		{"not one of", map[string]string{"s": "x", "unit": "week"}, nil, `query q: parameter unit: "week" is not one of hour, day`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, args, err := q.BindAt(tt.params, now)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := named(args); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("args\n got %#v\nwant %#v", got, tt.want)
			}
			if want := "SELECT $s, $n, $b, $at, $net, $l, $opt, $unit, (p_event_time >= now() - INTERVAL '86400 seconds')"; text != want {
				t.Errorf("sql = %q, want %q", text, want)
			}
		})
	}
}

// TestInjection binds hostile values into every string parameter of a
// query and checks they are matched as data and the table survives.
func TestInjection(t *testing.T) {
	d := openFixture(t, fixture[:3])
	ctx := context.Background()
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	hostile := []string{
		"x'; DROP TABLE aws_s3serveraccess; --",
		"prod-data' OR '1'='1",
		"prod-data\"; DELETE FROM aws_s3serveraccess; --",
	}
	for _, v := range hostile {
		for _, name := range []string{"ips_for_bucket", "who_deleted_object", "principal_activity"} {
			q, err := cat.Get(name)
			if err != nil {
				t.Fatal(err)
			}
			params := map[string]string{}
			for _, p := range q.Params {
				if p.Type == TypeString {
					params[p.Name] = v
				}
			}
			text, args, err := q.Bind(params)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(text, "DROP") || strings.Contains(text, "'1'='1") {
				t.Fatalf("%s: value spliced into SQL: %s", name, text)
			}
			rows, err := d.QueryContext(ctx, text, args...)
			if err != nil {
				t.Fatalf("%s with %q: %v", name, v, err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if n != 0 {
				t.Errorf("%s with %q matched %d rows, want 0", name, v, n)
			}
		}
	}
	var n int
	if err := d.QueryRowContext(ctx, "SELECT count(*) FROM aws_s3serveraccess").Scan(&n); err != nil || n != 3 {
		t.Errorf("after injection attempts: %d rows, err %v; want 3 rows", n, err)
	}
}

// TestBindBounds: an int parameter named limit takes no negative value, a
// min=N header bounds int and float parameters, and an ipv4 cidr parameter
// refuses IPv6 networks: each a binding error (a usage error for the
// commands) rather than DuckDB's failure.
func TestBindBounds(t *testing.T) {
	q, err := Parse("q.sql", []byte(`-- name: q
-- title: T
-- param: limit int default=10
-- param: n int min=1
-- param: f float min=0.5
-- param: net cidr ipv4 "IPv4 only"
-- param: other int

SELECT $limit, $n, $f, $net, $other`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		params map[string]string
		err    string
	}{
		{map[string]string{"limit": "-1"}, "query q: parameter limit: -1 is below the minimum, 0"},
		{map[string]string{"limit": "0", "n": "1", "f": "0.5", "net": "0.0.0.0/0", "other": "-3"}, ""},
		{map[string]string{"n": "0"}, "query q: parameter n: 0 is below the minimum, 1"},
		{map[string]string{"f": "0.25"}, "query q: parameter f: 0.25 is below the minimum, 0.5"},
		{map[string]string{"net": "::/0"}, "query q: parameter net: network ::/0 is not IPv4: this query handles IPv4 networks only"},
		{map[string]string{"net": "2001:db8::1"}, "query q: parameter net: network 2001:db8::1/128 is not IPv4: this query handles IPv4 networks only"},
	}
	for _, tt := range tests {
		_, _, err := q.Bind(tt.params)
		if (tt.err == "" && err != nil) || (tt.err != "" && (err == nil || err.Error() != tt.err)) {
			t.Errorf("%v: error %v, want %q", tt.params, err, tt.err)
		}
	}
	for _, h := range []string{"-- param: s string min=1", "-- param: n int ipv4", "-- param: n int min=x", "-- param: limit int default=-5"} {
		if _, err := Parse("q.sql", []byte("-- name: q\n-- title: T\n"+h+"\n\nSELECT 1")); err == nil {
			t.Errorf("%s: no header error", h)
		}
	}
}

package db

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3logs/s3logs/schema"
)

// enriched inserts one row with the given column values into a fresh
// database and returns the named derived columns of the view for it.
func enriched(t *testing.T, d *DB, set map[string]any, cols ...string) []sql.NullString {
	t.Helper()
	ctx := context.Background()
	if _, err := d.ExecContext(ctx, "DELETE FROM aws_s3serveraccess"); err != nil {
		t.Fatal(err)
	}
	names := []string{"bucketowner", "p_row_id"}
	args := []any{"owner", "r1"}
	marks := []string{"?", "?"}
	for k, v := range set {
		names, args, marks = append(names, schema.Quote(k)), append(args, v), append(marks, "?")
	}
	q := "INSERT INTO aws_s3serveraccess (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
	if _, err := d.ExecContext(ctx, q, args...); err != nil {
		t.Fatal(err)
	}
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = "CAST(" + schema.Quote(c) + " AS VARCHAR)"
	}
	out := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range out {
		ptrs[i] = &out[i]
	}
	if err := d.QueryRowContext(ctx, "SELECT "+strings.Join(sel, ", ")+" FROM "+schema.EnrichedViewName).Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	return out
}

func openMem(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// show renders NullStrings as text, NULL as <nil>.
func show(v []sql.NullString) string {
	parts := make([]string, len(v))
	for i, s := range v {
		parts[i] = "<nil>"
		if s.Valid {
			parts[i] = s.String
		}
	}
	return strings.Join(parts, " | ")
}

func TestRequesterColumns(t *testing.T) {
	d := openMem(t)
	tests := []struct {
		requester any
		want      string // type | account | principal | session
	}{
		{nil, "anonymous | <nil> | <nil> | <nil>"},
		{"AmazonS3", "s3 | <nil> | <nil> | <nil>"},
		{"svc:delivery.logs.amazonaws.com", "aws_service | <nil> | delivery.logs.amazonaws.com | <nil>"},
		{"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", "canonical_user | <nil> | <nil> | <nil>"},
		{"arn:aws:iam::123456789012:user/alice", "iam_user | 123456789012 | alice | <nil>"},
		{"arn:aws:iam::123456789012:user/division/team/bob.smith@example.com", "iam_user | 123456789012 | bob.smith@example.com | <nil>"},
		{"arn:aws:iam::123456789012:root", "root | 123456789012 | <nil> | <nil>"},
		{"arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0a1b/jane@example.com", "assumed_role | 123456789012 | AWSReservedSSO_Admin_0a1b | jane@example.com"},
		{"arn:aws:sts::123456789012:assumed-role/app", "assumed_role | 123456789012 | app | <nil>"},
		{"arn:aws-us-gov:sts::210987654321:federated-user/carol", "federated_user | 210987654321 | carol | <nil>"},
		{"arn:aws:iam::123456789012:role/ops/deployer", "iam_role | 123456789012 | deployer | <nil>"},
		{"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLEID", "aws_service | <nil> | CloudFront Origin Access Identity E2EXAMPLEID | <nil>"},
		{"arn:aws:iam::123:user/dandi-api-heroku", "iam_user | <nil> | dandi-api-heroku | <nil>"},
		{"arn:aws:s3:::some-bucket", "other | <nil> | <nil> | <nil>"},
		{"Anonymous", "other | <nil> | <nil> | <nil>"},
		{"arn:aws:s3:us-east-1:123456789012:accesspoint/ap", "other | 123456789012 | <nil> | <nil>"},
	}
	for _, tt := range tests {
		got := show(enriched(t, d, map[string]any{"requester": tt.requester},
			"requester_type", "requester_account_id", "requester_principal", "requester_session"))
		if got != tt.want {
			t.Errorf("requester %v: got %s, want %s", tt.requester, got, tt.want)
		}
		// As the loader fills it: the view then reads the account from
		// p_any_aws_account_ids, which must agree with the macro.
		acct := []string{}
		if f := strings.Split(fmt.Sprint(tt.requester), ":"); len(f) > 5 && f[0] == "arn" && len(f[4]) == 12 && strings.Trim(f[4], "0123456789") == "" {
			acct = []string{f[4]}
		}
		got = show(enriched(t, d, map[string]any{"requester": tt.requester, "p_any_aws_account_ids": acct},
			"requester_type", "requester_account_id", "requester_principal", "requester_session"))
		if got != tt.want {
			t.Errorf("requester %v with p_any_aws_account_ids %v: got %s, want %s", tt.requester, acct, got, tt.want)
		}
	}
}

func TestRequestURIColumns(t *testing.T) {
	d := openMem(t)
	tests := []struct {
		uri  any
		want string // method | path | query | version
	}{
		{"GET /bucket/key.txt HTTP/1.1", "GET | /bucket/key.txt | <nil> | HTTP/1.1"},
		{"GET /bucket?list-type=2&prefix=a%2F HTTP/1.1", "GET | /bucket | list-type=2&prefix=a%2F | HTTP/1.1"},
		{"PUT /b/k?partNumber=1&uploadId=x?y HTTP/2.0", "PUT | /b/k | partNumber=1&uploadId=x?y | HTTP/2.0"},
		{"HEAD /b/k? HTTP/1.0", "HEAD | /b/k |  | HTTP/1.0"},
		{`GET /" HTTP/1.1`, `GET | /" | <nil> | HTTP/1.1`},
		{"GET /a b/c HTTP/1.1", "GET | /a b/c | <nil> | HTTP/1.1"},
		{"OPTIONS * HTTP/1.1", "OPTIONS | * | <nil> | HTTP/1.1"},
		{"GET /no-version", "GET | /no-version | <nil> | <nil>"},
		{"GET", "<nil> | <nil> | <nil> | <nil>"},
		{nil, "<nil> | <nil> | <nil> | <nil>"},
	}
	for _, tt := range tests {
		got := show(enriched(t, d, map[string]any{"requesturi": tt.uri}, "http_method", "request_path", "request_query", "http_version"))
		if got != tt.want {
			t.Errorf("requesturi %q: got %s, want %s", tt.uri, got, tt.want)
		}
	}
}

func TestKeyDecoded(t *testing.T) {
	d := openMem(t)
	tests := []struct{ key, want any }{
		{"images/2026/01/a.png", "images/2026/01/a.png"},
		{"report%20final%20v2.pdf", "report final v2.pdf"},
		{"Screen+Shot+2026.png", "Screen+Shot+2026.png"},
		{"a%2Bb", "a+b"},
		{"%E6%97%A5%E6%9C%AC.txt", "日本.txt"},
		{"%C3%A9t%C3%A9", "été"},
		{"export-*", "export-*"},
		{"100%", "100%"},
		{"bad%FFbyte", nil},
		{nil, nil},
	}
	for _, tt := range tests {
		got := enriched(t, d, map[string]any{"key": tt.key}, "key", "key_decoded")
		if tt.key != nil && got[0].String != tt.key {
			t.Errorf("key %q: the raw key became %q", tt.key, got[0].String)
		}
		want := sql.NullString{}
		if tt.want != nil {
			want = sql.NullString{String: tt.want.(string), Valid: true}
		}
		if got[1] != want {
			t.Errorf("key %q: key_decoded %s, want %v", tt.key, show(got[1:]), tt.want)
		}
	}
}

func TestRemoteIPClass(t *testing.T) {
	d := openMem(t)
	tests := []struct {
		ip   any
		want string
	}{
		{"10.1.2.3", "private"}, {"172.16.0.1", "private"}, {"172.31.255.255", "private"}, {"192.168.1.1", "private"},
		{"172.15.0.1", "public"}, {"172.32.0.1", "public"}, {"192.169.0.1", "public"}, {"11.0.0.1", "public"},
		{"127.0.0.1", "loopback"}, {"::1", "loopback"},
		{"169.254.169.254", "link_local"}, {"fe80::1", "link_local"}, {"FEBF::1", "link_local"}, {"fec0::1", "public"},
		{"fd12:3456::1", "private"}, {"fc00::1", "private"},
		{"2600:1ffe:8140::a47:a85a", "public"}, {"100.64.0.1", "public"},
		{"xxx.xxxx.xx.xxx", "invalid"}, {"10.0.0.256", "invalid"}, {"1.2.3", "invalid"},
		{nil, "none"},
	}
	for _, tt := range tests {
		set := map[string]any{"remoteip": tt.ip}
		if s, ok := tt.ip.(string); ok {
			if _, err := netip.ParseAddr(s); err == nil { // as the loader fills it
				set["p_any_ip_addresses"] = []string{s}
			}
		}
		got := show(enriched(t, d, set, "remoteip_class"))
		if got != tt.want {
			t.Errorf("remoteip %v: class %s, want %s", tt.ip, got, tt.want)
		}
		var macro string
		if err := d.QueryRow("SELECT s3logs_ip_class(?)", tt.ip).Scan(&macro); err != nil || macro != tt.want {
			t.Errorf("s3logs_ip_class(%v) = %q, %v; want %s", tt.ip, macro, err, tt.want)
		}
	}
}

func TestUserAgentClassAndRegion(t *testing.T) {
	d := openMem(t)
	tests := []struct {
		ua   any
		want string
	}{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0.0.0 Safari/537.36", "browser"},
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot"},
		{"Mozilla/5.0 (compatible; Nmap Scripting Engine)", "bot"},
		{"aws-cli/2.15.30 Python/3.11.8 Linux/6.1", "sdk_cli"},
		{"Boto3/1.34.69 md/Botocore#1.34.69", "sdk_cli"},
		{"[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]", "sdk_cli"},
		{"curl/8.4.0", "sdk_cli"},
		{"python-requests/2.31.0", "sdk_cli"},
		{"Go-http-client/1.1", "sdk_cli"},
		{"SomethingElse/1.0", "other"},
		{nil, "other"},
	}
	for _, tt := range tests {
		if got := show(enriched(t, d, map[string]any{"useragent": tt.ua}, "useragent_class")); got != tt.want {
			t.Errorf("useragent %v: class %s, want %s", tt.ua, got, tt.want)
		}
	}
	for _, tt := range []struct {
		fields any
		want   string
	}{{[]string{"us-east-1"}, "us-east-1"}, {[]string{"eu-west-1", "future"}, "eu-west-1"}, {[]string{}, "<nil>"}, {nil, "<nil>"}, {[]string{"-"}, "<nil>"}} {
		if got := show(enriched(t, d, map[string]any{"additionalFields": tt.fields}, "source_region")); got != tt.want {
			t.Errorf("additionalFields %v: source_region %s, want %s", tt.fields, got, tt.want)
		}
	}
}

// TestEnrichedViewColumns checks that the view has every column of the
// table and then the derived ones, each with its description as a comment.
func TestEnrichedViewColumns(t *testing.T) {
	d := openMem(t)
	rows, err := d.Query(`SELECT column_name, coalesce(comment, '') FROM duckdb_columns()
		WHERE database_name = current_database() AND table_name = ? ORDER BY column_index`, schema.EnrichedViewName)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := schema.Enriched.Table().Columns
	i := 0
	for ; rows.Next(); i++ {
		var name, comment string
		if err := rows.Scan(&name, &comment); err != nil {
			t.Fatal(err)
		}
		if i >= len(want) || name != want[i].Name || comment != want[i].Description {
			t.Errorf("column %d: %q %q", i, name, comment)
		}
	}
	if i != len(want) {
		t.Errorf("%d columns, want %d", i, len(want))
	}
}

// TestEnrichedViewKeptInFile reopens a database file: the view is not
// rewritten when its definition is unchanged (a mark put in its comment
// stays), and is when the stored version differs.
func TestEnrichedViewKeptInFile(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "x.duckdb")
	comment := func(d *DB) string {
		var c string
		if err := d.QueryRow("SELECT comment FROM duckdb_views() WHERE view_name = ?", schema.EnrichedViewName).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	steps := []struct {
		before string // SQL run before closing
		want   string // the view's comment after the next open
	}{
		{"COMMENT ON VIEW " + schema.EnrichedViewName + " IS 'mark'", "mark"},
		{"CREATE OR REPLACE MACRO " + versionMacro + "() AS 'stale'", schema.Enriched.Description},
	}
	d, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range steps {
		if _, err := d.Exec(st.before); err != nil {
			t.Fatal(err)
		}
		d.Close()
		if d, err = Open(ctx, p); err != nil {
			t.Fatal(err)
		}
		if got := comment(d); got != st.want {
			t.Errorf("step %d: comment %q, want %q", i, got, st.want)
		}
	}
	d.Close()
}

// TestRetiredMacrosDropped opens a database file holding a macro of an
// older view's layers, with a stale view version, as an older s3logs left
// it: a read-only open keeps it (and works), a read-write open drops it.
func TestRetiredMacrosDropped(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "old.duckdb")
	d, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"CREATE OR REPLACE MACRO s3logs_after(s, marker) AS substr(s, strpos(s, marker) + length(marker))",
		"CREATE OR REPLACE MACRO " + versionMacro + "() AS 'older'"} {
		if _, err := d.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	count := func(d *DB) int {
		var n int
		if err := d.QueryRow("SELECT count(*) FROM duckdb_functions() WHERE function_name = 's3logs_after'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ro, err := OpenReadOnly(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(ro); n != 1 {
		t.Errorf("read-only open: %d s3logs_after macros, want the file's 1", n)
	}
	ro.Close()
	if d, err = Open(ctx, p); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if n := count(d); n != 0 {
		t.Errorf("read-write open: %d s3logs_after macros, want 0", n)
	}
}

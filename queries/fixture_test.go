package queries

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"regexp"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/db"
)

// row is one test event. Empty strings and zero numbers become NULL, as the
// loader turns S3's "-" into NULL; status -1 means NULL too.
type row struct {
	at                                   string // 2006-01-02 15:04:05, UTC
	bucket, ip, requester, op, key       string
	status                               int64 // 0 means NULL
	errcode                              string
	bytes, size                          int64
	ua, sigv, cipher, auth, tls, ap, acl string
	uri, reqid, hostid                   string
}

// Principals used by the fixtures.
const (
	alice   = "arn:aws:iam::111111111111:user/alice"
	bob     = "arn:aws:sts::111111111111:assumed-role/app/bob"
	mallory = "arn:aws:iam::999999999999:user/mallory"
	canon   = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
	cipher  = "ECDHE-RSA-AES128-GCM-SHA256"
	cli     = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1"
	mozilla = "Mozilla/5.0 (X11; Linux x86_64)"
)

// fixture is the investigation data set every saved query is tested on: a
// small story of normal use, an outsider probing and then downloading, a
// bulk download and clean-up by a role, lifecycle expirations, a public
// website, SigV2 console calls, server errors, presigned URLs and an access
// point. Rows are r01..r32 in order.
var fixture = []row{
	{at: "2026-03-01 09:00:00", bucket: "prod-data", ip: "10.0.0.5", requester: alice, op: "REST.GET.OBJECT", key: "reports/q1.csv", status: 200, bytes: 1000, size: 1000, ua: cli, sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data/reports/q1.csv HTTP/1.1"},
	{at: "2026-03-01 09:05:00", bucket: "prod-data", ip: "10.0.0.5", requester: alice, op: "REST.PUT.OBJECT", key: "reports/q2.csv", status: 200, size: 2048, ua: cli, sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "PUT /prod-data/reports/q2.csv HTTP/1.1"},
	{at: "2026-03-01 10:00:00", bucket: "prod-data", ip: "203.0.113.7", requester: mallory, op: "REST.GET.OBJECT", key: "reports/q1.csv", status: 403, errcode: "AccessDenied", bytes: 243, ua: "curl/8.4.0", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data/reports/q1.csv HTTP/1.1"},
	{at: "2026-03-01 10:00:10", bucket: "prod-data", ip: "203.0.113.7", requester: mallory, op: "REST.GET.OBJECT", key: "reports/q2.csv", status: 403, errcode: "AccessDenied", bytes: 243, ua: "curl/8.4.0", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data/reports/q2.csv HTTP/1.1"},
	{at: "2026-03-01 10:00:20", bucket: "prod-data", ip: "203.0.113.7", requester: mallory, op: "REST.GET.OBJECT", key: "secrets/key.pem", status: 403, errcode: "AccessDenied", bytes: 243, ua: "curl/8.4.0", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data/secrets/key.pem HTTP/1.1"},
	{at: "2026-03-01 10:01:00", bucket: "prod-data", ip: "203.0.113.7", requester: mallory, op: "REST.GET.BUCKET", status: 403, errcode: "AccessDenied", bytes: 243, ua: "curl/8.4.0", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data?list-type=2 HTTP/1.1"},
	{at: "2026-03-01 23:30:00", bucket: "prod-data", ip: "198.51.100.9", requester: bob, op: "REST.GET.OBJECT", key: "big/dump.tar", status: 200, bytes: 150000000, size: 150000000, ua: "python-requests/2.31.0", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data/big/dump.tar HTTP/1.1"},
	{at: "2026-03-02 02:15:00", bucket: "prod-data", ip: "198.51.100.9", requester: bob, op: "REST.GET.OBJECT", key: "big/dump2.tar", status: 200, bytes: 20000000, size: 20000000, ua: "python-requests/2.31.0", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data/big/dump2.tar HTTP/1.1"},
	{at: "2026-03-02 02:16:00", bucket: "prod-data", ip: "198.51.100.9", requester: bob, op: "REST.DELETE.OBJECT", key: "big/dump.tar", status: 204, ua: "python-requests/2.31.0", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "DELETE /prod-data/big/dump.tar HTTP/1.1"},
	{at: "2026-03-02 02:17:00", bucket: "prod-data", ip: "198.51.100.9", requester: bob, op: "BATCH.DELETE.OBJECT", key: "big/dump2.tar", status: 204, sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2"},
	{at: "2026-03-02 03:00:00", bucket: "prod-data", requester: "AmazonS3", op: "S3.EXPIRE.OBJECT", key: "old/a.log"},
	{at: "2026-03-02 03:00:01", bucket: "prod-data", requester: "AmazonS3", op: "S3.CREATE.DELETEMARKER", key: "old/b.log"},
	{at: "2026-03-02 12:00:00", bucket: "prod-data", ip: "10.0.0.5", requester: alice, op: "REST.PUT.BUCKETPOLICY", status: 204, ua: cli, sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "PUT /prod-data?policy HTTP/1.1"},
	{at: "2026-03-02 12:01:00", bucket: "prod-data", ip: "10.0.0.5", requester: alice, op: "REST.PUT.ACL", key: "reports/q1.csv", status: 200, ua: cli, sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "PUT /prod-data/reports/q1.csv?acl HTTP/1.1"},
	{at: "2026-03-02 12:02:00", bucket: "prod-data", ip: "10.0.0.5", requester: alice, op: "REST.PUT.VERSIONING", status: 200, ua: cli, sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "PUT /prod-data?versioning HTTP/1.1"},
	{at: "2026-03-02 13:00:00", bucket: "public-site", ip: "192.0.2.44", op: "REST.GET.OBJECT", key: "index.html", status: 200, bytes: 5120, size: 5120, ua: mozilla, cipher: cipher, tls: "TLSv1.2", uri: "GET /index.html HTTP/1.1"},
	{at: "2026-03-02 13:00:05", bucket: "public-site", ip: "192.0.2.44", op: "REST.GET.OBJECT", key: "style.css", status: 304, size: 900, ua: mozilla, cipher: cipher, tls: "TLSv1.2", uri: "GET /style.css HTTP/1.1"},
	{at: "2026-03-02 13:01:00", bucket: "public-site", ip: "192.0.2.45", op: "WEBSITE.GET.OBJECT", key: "index.html", status: 200, bytes: 5120, size: 5120, ua: mozilla, uri: "GET /index.html HTTP/1.1"},
	{at: "2026-03-02 14:00:00", bucket: "public-site", ip: "2001:db8::1", op: "REST.GET.OBJECT", key: "missing.html", status: 404, errcode: "NoSuchKey", bytes: 300, ua: "Mozilla/5.0 (compatible; Nmap Scripting Engine)", cipher: cipher, tls: "TLSv1.3", uri: "GET /missing.html HTTP/1.1"},
	{at: "2026-03-02 15:00:00", bucket: "logs-bucket", ip: "10.1.2.3", requester: canon, op: "REST.GET.VERSIONING", status: 200, bytes: 113, ua: "S3Console/0.4", sigv: "SigV2", cipher: cipher, auth: "AuthHeader", tls: "TLSV1.1", uri: "GET /logs-bucket?versioning HTTP/1.1"},
	{at: "2026-03-02 15:00:01", bucket: "logs-bucket", ip: "10.1.2.3", requester: canon, op: "REST.GET.BUCKETPOLICY", status: 404, errcode: "NoSuchBucketPolicy", bytes: 297, ua: "S3Console/0.4", sigv: "SigV2", cipher: cipher, auth: "AuthHeader", tls: "TLSV1.1", uri: "GET /logs-bucket?policy HTTP/1.1"},
	{at: "2026-03-02 15:30:00", bucket: "logs-bucket", ip: "10.1.2.3", requester: alice, op: "REST.PUT.OBJECT", key: "upload/x.bin", status: 500, errcode: "InternalError", ua: cli, sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "PUT /logs-bucket/upload/x.bin HTTP/1.1", reqid: "5XREQ0000000001", hostid: "host5xx1="},
	{at: "2026-03-02 15:30:05", bucket: "logs-bucket", ip: "10.1.2.3", requester: alice, op: "REST.PUT.OBJECT", key: "upload/x.bin", status: 503, errcode: "SlowDown", ua: cli, sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "PUT /logs-bucket/upload/x.bin HTTP/1.1", reqid: "5XREQ0000000002", hostid: "host5xx2="},
	{at: "2026-03-02 16:00:00", bucket: "prod-data", ip: "198.51.100.20", requester: bob, op: "REST.GET.OBJECT", key: "reports/q1.csv", status: 200, bytes: 1000, size: 1000, ua: mozilla, sigv: "SigV4", cipher: cipher, auth: "QueryString", tls: "TLSv1.2", acl: "Yes", uri: "GET /prod-data/reports/q1.csv?X-Amz-Signature=abc HTTP/1.1"},
	{at: "2026-03-02 16:05:00", bucket: "prod-data", ip: "198.51.100.21", requester: bob, op: "REST.GET.OBJECT", key: "reports/q2.csv", status: 200, bytes: 2048, size: 2048, ua: mozilla, sigv: "SigV4", cipher: cipher, auth: "QueryString", tls: "TLSv1.2", uri: "GET /prod-data/reports/q2.csv?X-Amz-Signature=def HTTP/1.1"},
	{at: "2026-03-02 17:00:00", bucket: "prod-data", ip: "10.0.0.6", requester: alice, op: "REST.GET.OBJECT", key: "reports/q1.csv", status: 200, bytes: 1000, size: 1000, ua: cli, sigv: "SigV4", cipher: "ECDHE-RSA-AES128-SHA", auth: "AuthHeader", tls: "TLSv1", ap: "arn:aws:s3:us-east-1:111111111111:accesspoint/analytics", uri: "GET /reports/q1.csv HTTP/1.1"},
	{at: "2026-03-03 08:30:00", bucket: "prod-data", ip: "203.0.113.8", requester: mallory, op: "REST.GET.OBJECT", key: "reports/q1.csv", status: 200, bytes: 1000, size: 1000, ua: "Go-http-client/1.1", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data/reports/q1.csv HTTP/1.1"},
	{at: "2026-03-03 08:31:00", bucket: "prod-data", ip: "203.0.113.8", requester: mallory, op: "REST.GET.BUCKET", status: 200, bytes: 4000, ua: "Go-http-client/1.1", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data?list-type=2 HTTP/1.1"},
	{at: "2026-03-03 08:32:01", bucket: "prod-data", ip: "203.0.113.8", requester: mallory, op: "REST.GET.OBJECT", key: "data/1.json", status: 200, bytes: 500, size: 500, ua: "Go-http-client/1.1", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data/data/1.json HTTP/1.1"},
	{at: "2026-03-03 08:32:02", bucket: "prod-data", ip: "203.0.113.8", requester: mallory, op: "REST.GET.OBJECT", key: "data/2.json", status: 200, bytes: 500, size: 500, ua: "Go-http-client/1.1", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data/data/2.json HTTP/1.1"},
	{at: "2026-03-03 08:32:03", bucket: "prod-data", ip: "203.0.113.8", requester: mallory, op: "REST.GET.OBJECT", key: "data/3.json", status: 200, bytes: 500, size: 500, ua: "Go-http-client/1.1", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data/data/3.json HTTP/1.1"},
	{at: "2026-03-03 08:32:04", bucket: "prod-data", ip: "203.0.113.8", requester: mallory, op: "REST.GET.OBJECT", key: "data/4.json", status: 200, bytes: 500, size: 500, ua: "Go-http-client/1.1", sigv: "SigV4", cipher: cipher, auth: "AuthHeader", tls: "TLSv1.2", uri: "GET /prod-data/data/4.json HTTP/1.1"},
}

var accountRE = regexp.MustCompile(`^arn:aws[a-z-]*:(?:iam|sts)::([0-9]{12}):`)

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// insertRows inserts rows into the aws_s3serveraccess table of d with ids
// prefix01, prefix02..., deriving the p_any_ columns as the loader does.
func insertRows(t testing.TB, d *db.DB, prefix string, rows []row) {
	t.Helper()
	ctx := context.Background()
	const q = `INSERT INTO aws_s3serveraccess (bucketowner, bucket, time, remoteip, requester, requestid, operation, key,
		requesturi, httpstatus, errorcode, bytessent, objectsize, useragent, hostid, signatureversion, ciphersuite,
		authenticationtype, tlsVersion, accesspointarn, aclrequired, p_log_type, p_row_id, p_event_time, p_parse_time,
		p_source_id, p_source_label, p_any_ip_addresses, p_any_aws_arns, p_any_aws_account_ids)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'AWS.S3ServerAccess', ?, ?, ?, 'fixture', 'fixture', ?, ?, ?)`
	for i, r := range rows {
		at, err := time.Parse("2006-01-02 15:04:05", r.at)
		if err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
		ips, arns, accts := []string{}, []string{}, []string{}
		if _, err := netip.ParseAddr(r.ip); err == nil {
			ips = append(ips, r.ip)
		}
		if m := accountRE.FindStringSubmatch(r.requester); m != nil {
			arns, accts = append(arns, r.requester), append(accts, m[1])
		}
		reqid := r.reqid
		if reqid == "" {
			reqid = fmt.Sprintf("REQ%s%02d", prefix, i+1)
		}
		var status any
		if r.status > 0 {
			status = r.status
		}
		_, err = d.ExecContext(ctx, q, canon, null(r.bucket), at, null(r.ip), null(r.requester), reqid, null(r.op), null(r.key),
			null(r.uri), status, null(r.errcode), nullInt(r.bytes), nullInt(r.size), null(r.ua), null(r.hostid), null(r.sigv),
			null(r.cipher), null(r.auth), null(r.tls), null(r.ap), null(r.acl), fmt.Sprintf("%s%02d", prefix, i+1), at, at,
			ips, arns, accts)
		if err != nil {
			t.Fatalf("insert row %d: %v", i+1, err)
		}
	}
}

// openFixture returns an in-memory database holding rows as r01, r02...
func openFixture(t testing.TB, rows []row) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	insertRows(t, d, "r", rows)
	return d
}

var _ = sql.Named

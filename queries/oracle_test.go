package queries

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/internal/intel"
	"github.com/s3logs/s3logs/loader/ingest"
	"github.com/s3logs/s3logs/loader/source"
)

// This file is a second, independent implementation of every rule: plain Go
// over every row (no SQL filters), written from DETECTIONS.md, used to
// cross-check Detect on generated logs and as the one-pass baseline of the
// benchmark.

// orow is a whole row as the oracle reads it; NULL stays distinct from "".
type orow struct {
	at                                                time.Time
	id                                                string
	bucket, ip, requester, op, errcode, ua, tls, ciph sql.NullString
	status, bytes, size                               sql.NullInt64
}

func readAll(t testing.TB, d *sql.DB) []orow {
	t.Helper()
	rows, err := d.Query(`SELECT p_event_time, p_row_id, bucket, remoteip, requester, operation, errorcode, useragent,
		tlsVersion, ciphersuite, httpstatus, bytessent, objectsize FROM aws_s3serveraccess`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []orow
	for rows.Next() {
		var r orow
		if err := rows.Scan(&r.at, &r.id, &r.bucket, &r.ip, &r.requester, &r.op, &r.errcode, &r.ua, &r.tls, &r.ciph,
			&r.status, &r.bytes, &r.size); err != nil {
			t.Fatal(err)
		}
		r.at = r.at.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// oracleRule returns the title of the alert the row belongs to, or "" when
// the rule does not match it. New-IP is handled by oracleNewIP.
func oracleRule(id string, c *Config, r orow) string {
	b := r.bucket.String
	if !r.bucket.Valid {
		b = "<UNKNOWN_BUCKET>"
	}
	objOps := []string{"REST.GET.OBJECT", "REST.PUT.OBJECT", "REST.DELETE.OBJECT"}
	insecureTLS := slices.Contains(lowerAll(c.InsecureTLSVersions), strings.ToLower(r.tls.String)) && r.tls.Valid
	hour := r.at.Hour()
	switch id {
	case "AWS.S3.ServerAccess.Error":
		if !strings.HasPrefix(r.ua.String, "aws-internal") && fnmatch(r.op.String, "REST.*.OBJECT") && r.status.Valid && (r.status.Int64 == 403 || r.status.Int64 == 405) {
			return fmt.Sprintf("%d errors found to S3 Bucket [%s]", r.status.Int64, b)
		}
	case "AWS.S3.ServerAccess.IPWhitelist":
		if len(c.MonitoredBuckets) > 0 && !slices.Contains(c.MonitoredBuckets, r.bucket.String) || !r.ip.Valid {
			return ""
		}
		addr, err := netip.ParseAddr(r.ip.String)
		if err != nil {
			return ""
		}
		for _, n := range c.AllowedNetworks {
			if netip.MustParsePrefix(n).Contains(addr) {
				return ""
			}
		}
		return fmt.Sprintf("Non-Approved IP access to S3 Bucket [%s]", b)
	case "AWS.S3.ServerAccess.Insecure":
		if fnmatch(r.op.String, "REST.*.OBJECT") && (r.ciph.String == "" || r.tls.String == "") {
			return fmt.Sprintf("Insecure access to S3 Bucket [%s]", b)
		}
	case "AWS.S3.ServerAccess.Unauthenticated":
		if r.bucket.Valid && slices.Contains(c.AuthBuckets, r.bucket.String) && r.requester.String == "" {
			return fmt.Sprintf("Unauthenticated access to S3 Bucket [%s]", b)
		}
	case "AWS.S3.ServerAccess.UnknownRequester":
		if r.errcode.String != "" || r.op.String != "REST.GET.OBJECT" {
			return ""
		}
		for _, br := range c.BucketRoles {
			if !fnmatch(r.bucket.String, br.Bucket) {
				continue
			}
			if !slices.ContainsFunc(br.Roles, func(p string) bool { return fnmatch(r.requester.String, p) }) {
				return fmt.Sprintf("Unknown requester accessing data from S3 Bucket [%s]", b)
			}
		}
	case "tailpipe.s3_object_accessed_using_insecure_tls_version":
		if slices.Contains(objOps, r.op.String) && insecureTLS {
			return fmt.Sprintf("Object accessed using insecure TLS version in S3 Bucket [%s]", b)
		}
	case "tailpipe.s3_bucket_accessed_using_insecure_tls_version":
		if !slices.Contains(objOps, r.op.String) && insecureTLS {
			return fmt.Sprintf("Bucket accessed using insecure TLS version: S3 Bucket [%s]", b)
		}
	case "tailpipe.s3_object_accessed_using_suspicious_user_agent":
		if slices.Contains(objOps, r.op.String) && (!r.ua.Valid || slices.ContainsFunc(c.SuspiciousUserAgents, func(m string) bool {
			return strings.Contains(strings.ToLower(r.ua.String), strings.ToLower(m))
		})) {
			return fmt.Sprintf("Object accessed using suspicious user agent in S3 Bucket [%s]", b)
		}
	case "tailpipe.s3_object_accessed_outside_business_hours":
		if r.op.String == "REST.GET.OBJECT" && (hour < c.BusinessHours.Start || hour >= c.BusinessHours.End) {
			return fmt.Sprintf("Object accessed outside business hours in S3 Bucket [%s]", b)
		}
	case "tailpipe.s3_object_accessed_with_large_response_size":
		if r.op.String == "REST.GET.OBJECT" && r.bytes.Valid && r.bytes.Int64 > c.LargeResponseBytes {
			return fmt.Sprintf("Object accessed with large response size in S3 Bucket [%s]", b)
		}
	case "tailpipe.s3_object_accessed_with_large_object_size":
		if r.op.String == "REST.GET.OBJECT" && r.size.Valid && r.size.Int64 > c.LargeObjectBytes {
			return fmt.Sprintf("Object accessed with large object size in S3 Bucket [%s]", b)
		}
	case "s3logs.access_denied_burst":
		if r.errcode.String == "AccessDenied" {
			who := r.requester.String
			if !r.requester.Valid {
				who = "anonymous unknown IP"
				if r.ip.Valid {
					who = "anonymous " + r.ip.String
				}
			}
			return fmt.Sprintf("AccessDenied burst from [%s]", who)
		}
	case "s3logs.mass_deletion":
		if (r.op.String == "REST.DELETE.OBJECT" || r.op.String == "BATCH.DELETE.OBJECT") && r.status.Valid && r.status.Int64 < 300 {
			who := r.requester.String
			if !r.requester.Valid {
				who = "anonymous"
			}
			return fmt.Sprintf("Mass deletion by [%s] in S3 Bucket [%s]", who, b)
		}
	}
	return ""
}

// oracleNewIP marks the first row of each (bucket, IP) that comes after the
// bucket's baseline.
func oracleNewIP(c *Config, rows []orow) map[string]string {
	sorted := slices.Clone(rows)
	sort.Slice(sorted, func(i, j int) bool {
		if !sorted[i].at.Equal(sorted[j].at) {
			return sorted[i].at.Before(sorted[j].at)
		}
		return sorted[i].id < sorted[j].id
	})
	firstOfBucket := map[string]time.Time{}
	seen := map[[2]string]bool{}
	out := map[string]string{}
	for _, r := range sorted {
		if !r.ip.Valid || len(c.SensitiveBuckets) > 0 && !slices.Contains(c.SensitiveBuckets, r.bucket.String) {
			continue
		}
		if _, ok := firstOfBucket[r.bucket.String]; !ok {
			firstOfBucket[r.bucket.String] = r.at
		}
		k := [2]string{r.bucket.String, r.ip.String}
		if seen[k] {
			continue
		}
		seen[k] = true
		if !r.at.Before(firstOfBucket[r.bucket.String].Add(time.Duration(c.NewIPBaselineHours) * time.Hour)) {
			b := r.bucket.String
			if !r.bucket.Valid {
				b = "<UNKNOWN_BUCKET>"
			}
			out[r.id] = fmt.Sprintf("New IP %s accessed sensitive S3 Bucket [%s]", r.ip.String, b)
		}
	}
	return out
}

// oracleDetect groups the oracle's matches as DETECTIONS.md describes.
func oracleDetect(c *Config, rows []orow, lists []intel.Entry) []summary {
	var out []summary
	for _, rule := range Rules {
		th, dd := rule.settings(c)
		byTitle := map[string][]orow{}
		var byRow map[string]string // the titles of rules that look at more than one row
		switch rule.ID {
		case "s3logs.new_ip_sensitive_bucket":
			byRow = oracleNewIP(c, rows)
		case "s3logs.volume_exfiltration":
			byRow = oracleExfil(c, rows)
		case "s3logs.new_account_bucket":
			byRow = oracleNewAccount(c, rows)
		case "s3logs.listed_ip":
			byRow = oracleListed(lists, rows)
		}
		for _, r := range rows {
			title := oracleRule(rule.ID, c, r)
			if byRow != nil {
				title = byRow[r.id]
			}
			if title != "" {
				byTitle[title] = append(byTitle[title], r)
			}
		}
		for title, evs := range byTitle {
			sort.Slice(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
			for i := 0; i < len(evs); {
				start, n := evs[i].at, 0
				for i+n < len(evs) && evs[i+n].at.Before(start.Add(dd)) {
					n++
				}
				if n >= th {
					out = append(out, summary{rule.ID + " " + title, start.Format(time.RFC3339), evs[i+n-1].at.Format(time.RFC3339), n})
				}
				i += n
			}
		}
	}
	sortSummaries(out)
	return out
}

func sortSummaries(s []summary) {
	sort.Slice(s, func(i, j int) bool {
		if s[i].First != s[j].First {
			return s[i].First < s[j].First
		}
		return s[i].Title < s[j].Title
	})
}

// openGen loads n generated lines (with the generator's traps) into an
// in-memory database.
func openGen(t testing.TB, n int, seed int64, span time.Duration) *db.DB {
	t.Helper()
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "access.log")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := gen.Write(f, n, gen.Options{Seed: seed, Span: span, TrapRate: 0.05, Buckets: 5, Principals: 15, IPs: 60}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	d, err := db.Open(ctx, db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := ingest.New(d, ingest.Options{Workers: 1}).Load(ctx, []source.Lister{source.LocalLister(p, nil)}); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDetectMatchesOracle compares every rule's alerts with the oracle on
// generated logs, with settings that make every rule fire.
func TestDetectMatchesOracle(t *testing.T) {
	d := openGen(t, 20000, 11, 14*24*time.Hour)
	// Accounts the generator never uses, late in the span: new to the
	// buckets they touch (the second event of one is not).
	var b0 string
	if err := d.QueryRow("SELECT min(bucket) FROM aws_s3serveraccess").Scan(&b0); err != nil {
		t.Fatal(err)
	}
	insertRows(t, d, "late", []row{
		with(get("2026-01-27 10:00:00"), func(r *row) { r.bucket, r.requester = b0, mallory }),
		with(get("2026-01-27 11:00:00"), func(r *row) { r.bucket, r.requester = b0, mallory }),
		with(get("2026-01-27 12:00:00"), func(r *row) { r.bucket, r.requester = "other-bucket", mallory }),
		with(get("2026-01-27 13:00:00"), func(r *row) { r.bucket, r.requester = b0, "arn:aws:sts::222222222222:assumed-role/x/y" }),
	})
	rows := readAll(t, d.DB)
	c := DefaultConfig()
	c.AllowedNetworks = []string{"10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"}
	var buckets []string
	brows, err := d.Query("SELECT DISTINCT bucket FROM aws_s3serveraccess WHERE bucket IS NOT NULL ORDER BY 1 LIMIT 2")
	if err != nil {
		t.Fatal(err)
	}
	for brows.Next() {
		var b string
		brows.Scan(&b)
		buckets = append(buckets, b)
	}
	brows.Close()
	if len(buckets) != 2 {
		t.Fatalf("buckets %v", buckets)
	}
	c.AuthBuckets, c.SensitiveBuckets = buckets, buckets
	c.BucketRoles = []BucketRoles{{Bucket: buckets[0][:3] + "*", Roles: []string{"arn:aws:iam::*:user/a*"}}}
	c.LargeObjectBytes, c.LargeResponseBytes, c.NewIPBaselineHours = 1_000_000, 5_000_000, 24
	two, five := 2, 5
	c.Rules = map[string]RuleConfig{"s3logs.access_denied_burst": {Threshold: &two}, "s3logs.mass_deletion": {Threshold: &two, DedupMinutes: &five}}
	c.ExfilBytes, c.ExfilWindowMinutes, c.NewAccountBaselineHours = 2_000_000, 30, 48
	lists := oracleLists(t, d)
	alerts, err := Detect(context.Background(), d.DB, Options{All: true, Config: c})
	if err != nil {
		t.Fatal(err)
	}
	got := []summary{}
	perRule := map[string]int{}
	for _, a := range alerts {
		got = append(got, summary{a.RuleID + " " + a.Title, a.First.Format(time.RFC3339), a.Last.Format(time.RFC3339), a.Count})
		perRule[a.RuleID]++
	}
	sortSummaries(got)
	want := oracleDetect(c, rows, lists)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Detect and the oracle differ: %d vs %d alerts", len(got), len(want))
		g, w := map[summary]bool{}, map[summary]bool{}
		for _, s := range got {
			g[s] = true
		}
		for _, s := range want {
			w[s] = true
		}
		n := 0
		for _, s := range want {
			if !g[s] && n < 10 {
				t.Errorf("only oracle: %+v", s)
				n++
			}
		}
		for _, s := range got {
			if !w[s] && n < 20 {
				t.Errorf("only Detect: %+v", s)
				n++
			}
		}
	}
	for _, r := range Rules {
		if perRule[r.ID] == 0 {
			t.Errorf("rule %s raised no alert on the generated logs; the cross-check does not cover it", r.ID)
		}
	}
}

// oracleExfil marks each row with bytes whose requester, IP and user agent
// were sent more than ExfilBytes in the window of ExfilWindowMinutes ending
// at its time (rows at the same time count, as SQL's RANGE frame does).
func oracleExfil(c *Config, rows []orow) map[string]string {
	type key [3]sql.NullString
	groups := map[key][]orow{}
	for _, r := range rows {
		if r.bytes.Valid && r.bytes.Int64 > 0 {
			k := key{r.requester, r.ip, r.ua}
			groups[k] = append(groups[k], r)
		}
	}
	w := time.Duration(c.ExfilWindowMinutes) * time.Minute
	out := map[string]string{}
	for k, g := range groups {
		for _, r := range g {
			var sum int64
			for _, o := range g {
				if !o.at.After(r.at) && !o.at.Before(r.at.Add(-w)) {
					sum += o.bytes.Int64
				}
			}
			if sum > c.ExfilBytes {
				out[r.id] = fmt.Sprintf("High volume of data sent to [%s] at %s with user agent [%s]",
					orNull(k[0], "anonymous"), orNull(k[1], "unknown IP"), orNull(k[2], "none"))
			}
		}
	}
	return out
}

func orNull(s sql.NullString, null string) string {
	if !s.Valid {
		return null
	}
	return s.String
}

// oracleAccount is the 12-digit account of an IAM or STS ARN.
func oracleAccount(requester string) string {
	parts := strings.SplitN(requester, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "" {
		return ""
	}
	return parts[4]
}

// oracleNewAccount marks the first row of each (bucket, account) that
// comes after the bucket's baseline.
func oracleNewAccount(c *Config, rows []orow) map[string]string {
	sorted := slices.Clone(rows)
	sort.Slice(sorted, func(i, j int) bool {
		if !sorted[i].at.Equal(sorted[j].at) {
			return sorted[i].at.Before(sorted[j].at)
		}
		return sorted[i].id < sorted[j].id
	})
	first := map[sql.NullString]time.Time{}
	for _, r := range sorted {
		if _, ok := first[r.bucket]; !ok {
			first[r.bucket] = r.at
		}
	}
	seen := map[string]bool{}
	out := map[string]string{}
	for _, r := range sorted {
		acct := oracleAccount(r.requester.String)
		k := r.bucket.String + "\x00" + fmt.Sprint(r.bucket.Valid) + acct
		if acct == "" || seen[k] {
			continue
		}
		seen[k] = true
		if !r.at.Before(first[r.bucket].Add(time.Duration(c.NewAccountBaselineHours) * time.Hour)) {
			out[r.id] = fmt.Sprintf("New account %s accessed S3 Bucket [%s]", acct, orNull(r.bucket, "<UNKNOWN_BUCKET>"))
		}
	}
	return out
}

// oracleListed marks rows whose remote IP is in a deny or intel entry and
// in no allow entry.
func oracleListed(lists []intel.Entry, rows []orow) map[string]string {
	out := map[string]string{}
	for _, r := range rows {
		addr, err := netip.ParseAddr(r.ip.String)
		if err != nil {
			continue
		}
		kinds := map[string]bool{}
		var labels []string
		for _, e := range lists {
			if e.Network.Contains(addr) {
				kinds[e.List] = true
				if e.Label != "" && !slices.Contains(labels, e.Label) {
					labels = append(labels, e.Label)
				}
			}
		}
		if kinds["allow"] || !kinds["deny"] && !kinds["intel"] {
			continue
		}
		var ks []string
		for _, k := range []string{"allow", "deny", "intel"} {
			if kinds[k] {
				ks = append(ks, k)
			}
		}
		label := strings.Join(labels, ", ")
		if label == "" {
			label = "no label"
		}
		out[r.id] = fmt.Sprintf("Request from %s-listed IP %s (%s) to S3 Bucket [%s]", strings.Join(ks, ","), r.ip.String, label, orNull(r.bucket, "<UNKNOWN_BUCKET>"))
	}
	return out
}

// oracleLists writes IP lists naming some of the generated remote IPs
// (one network, one address in both deny and intel lists, one also in an
// allow list), applies them to d and returns their entries.
func oracleLists(t *testing.T, d *db.DB) []intel.Entry {
	t.Helper()
	var ips []string
	rows, err := d.Query("SELECT remoteip FROM aws_s3serveraccess WHERE remoteip LIKE '%.%.%.%' AND remoteip NOT LIKE '%:%' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ip string
		rows.Scan(&ip)
		ips = append(ips, ip)
	}
	rows.Close()
	if len(ips) != 3 {
		t.Fatalf("remote IPs %v", ips)
	}
	a := netip.MustParseAddr(ips[0])
	net24, _ := a.Prefix(24)
	dir := t.TempDir()
	files := []intel.ListFile{
		{List: intel.Intel, Path: filepath.Join(dir, "intel.txt")},
		{List: intel.Deny, Path: filepath.Join(dir, "deny.txt")},
		{List: intel.Allow, Path: filepath.Join(dir, "allow.txt")},
	}
	os.WriteFile(files[0].Path, []byte(net24.String()+" scanner net\n"+ips[1]+"\n"), 0o644)
	os.WriteFile(files[1].Path, []byte(ips[1]+" blocked # comment\n"+ips[2]+"\n"), 0o644)
	os.WriteFile(files[2].Path, []byte(ips[2]+" partner\n"), 0o644)
	set, err := intel.Load(intel.Options{IPLists: files})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	if err := set.Apply(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	var out []intel.Entry
	for _, f := range files {
		es, err := intel.ReadList(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, es...)
	}
	return out
}

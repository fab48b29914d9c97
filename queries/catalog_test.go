package queries

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/db"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

// savedQueryParams are the parameters each built-in query is run with on
// the fixture; every built-in query must have an entry, so a new query
// without a test fails TestSavedQueries.
var savedQueryParams = map[string]map[string]string{
	"access_denied_by_principal": {},
	"access_point_requests":      {},
	"acl_required_requests":      {},
	"activity_overview":          {},
	"anonymous_requests":         {},
	"bucket_config_changes":      {},
	"bytes_sent_to_ip":           {"ip": "198.51.100.9"},
	"cost_by_day":                {},
	"cost_by_ip":                 {"limit": "5"},
	"cost_by_prefix":             {"depth": "1"},
	"cost_by_requester":          {"price_gb_out": "0.05"},
	"cost_by_useragent_class":    {},
	"daily_trend":                {"bucket": "prod-data"},
	"deletions_by_origin":        {},
	"downloads_by_principal":     {"period": "day"},
	"errors_by_requester":        {},
	"external_principals":        {"account": "111111111111"},
	"failed_requests_by_ip":      {"threshold": "2"},
	"failed_uploads":             {},
	"ip_activity":                {"ip": "203.0.113.7"},
	"ip_first_last_seen":         {},
	"ips_for_bucket":             {"bucket": "prod-data", "start": "2026-03-01", "end": "2026-03-02 23:59:59"},
	"large_downloads":            {},
	"listing_sweeps":             {"min_keys": "5"},
	"new_user_agents":            {},
	"night_requests":             {},
	"object_history":             {"bucket": "prod-data", "key": "reports/q1.csv"},
	"object_reads_writes":        {"bucket": "prod-data", "end": "2026-03-02"},
	"policy_acl_changes":         {},
	"presigned_url_requests":     {},
	"principal_activity":         {"principal": "%:user/mallory"},
	"principal_first_last_seen":  {},
	"request_rate_spikes":        {"threshold": "3"},
	"requests_by_status_class":   {},
	"requests_from_network":      {"network": "203.0.113.0/24"},
	"requests_per_bucket":        {},
	"server_errors":              {},
	"sigv2_requests":             {},
	"suspicious_user_agents":     {},
	"tls_versions":               {},
	"top_error_codes":            {},
	"top_ips":                    {"limit": "3"},
	"top_objects":                {"limit": "3"},
	"top_operations":             {"limit": "5"},
	"top_requesters":             {},
	"top_uris":                   {"limit": "3"},
	"user_agents":                {},
	"who_deleted_object":         {"key": "big/%"},
}

// TestSavedQueries runs every built-in query on the fixture and compares
// the full result with testdata/golden/NAME.txt (go test -update rewrites
// them; review the diff).
func TestSavedQueries(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cat.List()); n < 30 {
		t.Errorf("%d built-in queries, want at least 30", n)
	}
	d := openFixture(t, fixture)
	ctx := context.Background()
	for _, q := range cat.List() {
		t.Run(q.Name, func(t *testing.T) {
			got := runSaved(t, ctx, d, q, savedQueryParams, "savedQueryParams")
			if strings.Count(got, "\n") < 2 {
				t.Errorf("%s returns no rows on the fixture; make the fixture exercise it", q.Name)
			}
			golden(t, filepath.Join("testdata", "golden", q.Name+".txt"), got)
		})
	}
	for name := range savedQueryParams {
		if _, err := cat.Get(name); err != nil {
			t.Errorf("savedQueryParams has %s, which is not a built-in query", name)
		}
	}
}

// runSaved binds q with its parameters from params (named tableName in
// the failure message), runs it on d and returns its rows dumped.
func runSaved(t *testing.T, ctx context.Context, d *db.DB, q *Query, params map[string]map[string]string, tableName string) string {
	t.Helper()
	p, ok := params[q.Name]
	if !ok {
		t.Fatalf("no test parameters for %s: add it to %s", q.Name, tableName)
	}
	text, args, err := q.Bind(p)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := d.QueryContext(ctx, text, args...)
	if err != nil {
		t.Fatalf("%s: %v", q.File, err)
	}
	return dump(t, rows)
}

// dump renders rows as a header line and one tab-separated line per row;
// NULL prints as NULL and timestamps as RFC 3339 UTC.
func dump(t *testing.T, rows *sql.Rows) string {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(strings.Join(cols, "\t") + "\n")
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(format(v))
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func format(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = format(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprint(v)
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (-want +got):\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff is a minimal line diff: lines only in want with -, only in got with +.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	inW, inG := map[string]int{}, map[string]int{}
	for _, l := range w {
		inW[l]++
	}
	for _, l := range g {
		inG[l]++
	}
	var b strings.Builder
	for _, l := range w {
		if inG[l] == 0 {
			b.WriteString("-" + l + "\n")
		}
	}
	for _, l := range g {
		if inW[l] == 0 {
			b.WriteString("+" + l + "\n")
		}
	}
	return b.String()
}

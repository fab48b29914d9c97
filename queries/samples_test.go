package queries

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/intel"
	"github.com/s3logs/s3logs/loader/ingest"
	"github.com/s3logs/s3logs/loader/source"
)

// This file is the only one of package queries that uses the loader (a
// test-only dependency): it loads the real sample lines of
// testdata/samples the way s3logs load does.

// samplesParams are the parameters each built-in query runs with on the
// real samples; like savedQueryParams, every query needs an entry.
var samplesParams = map[string]map[string]string{
	"access_denied_by_principal": {},
	"access_point_requests":      {},
	"acl_required_requests":      {},
	"activity_overview":          {},
	"anonymous_requests":         {},
	"bucket_config_changes":      {},
	"bytes_sent_to_ip":           {"ip": "192.0.2.3"},
	"cost_by_day":                {},
	"cost_by_ip":                 {},
	"cost_by_prefix":             {"depth": "2"},
	"cost_by_requester":          {},
	"cost_by_useragent_class":    {},
	"daily_trend":                {},
	"deletions_by_origin":        {},
	"downloads_by_principal":     {"period": "month"},
	"errors_by_requester":        {},
	"external_principals":        {"account": "123456789012"},
	"failed_requests_by_ip":      {"threshold": "1"},
	"failed_uploads":             {},
	"ip_activity":                {"ip": "172.31.77.31"},
	"ip_first_last_seen":         {},
	"ips_for_bucket":             {"bucket": "dandiarchive", "start": "2000-01-01", "end": "2030-01-01"},
	"large_downloads":            {"min_bytes": "1000000"},
	"listing_sweeps":             {"min_keys": "3"},
	"new_user_agents":            {"after": "2024-01-01"},
	"night_requests":             {},
	"object_history":             {"bucket": "awsexamplebucket", "key": "s3-dg.pdf"},
	"object_reads_writes":        {},
	"policy_acl_changes":         {},
	"presigned_url_requests":     {},
	"principal_activity":         {"principal": "arn:aws:iam::493859302102:user/tracy_stone"},
	"principal_first_last_seen":  {},
	"request_rate_spikes":        {"threshold": "2"},
	"requests_by_status_class":   {"bucket": "dandiarchive"},
	"requests_from_network":      {"network": "192.0.2.0/24"},
	"requests_per_bucket":        {},
	"server_errors":              {},
	"sigv2_requests":             {},
	"suspicious_user_agents":     {},
	"tls_versions":               {},
	"top_error_codes":            {},
	"top_ips":                    {},
	"top_objects":                {},
	"top_operations":             {},
	"top_requesters":             {},
	"top_uris":                   {},
	"user_agents":                {"limit": "10"},
	"who_deleted_object":         {"key": "%"},
}

// openSamples loads ../testdata/samples/*.log into an in-memory database.
func openSamples(t *testing.T) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	files, err := filepath.Glob(filepath.Join("..", "testdata", "samples", "*.log"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample logs in ../testdata/samples (%v)", err)
	}
	var listers []source.Lister
	for _, f := range files {
		listers = append(listers, ingest.Source{Lister: relativeFile(f), Label: filepath.Base(f)})
	}
	sum, err := ingest.New(d, ingest.Options{Workers: 1}).Load(ctx, listers)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows == 0 || len(sum.Errors) > 0 {
		t.Fatalf("loading samples: %s %v", sum, sum.Errors)
	}
	return d
}

// relativeFile lists one file under its relative path as its ID, so that
// p_source_id and p_row_id (a hash of the ID and the line), and with them
// the order of rows that tie on time, are the same in every checkout.
// source.LocalLister would use the absolute path, which differs between a
// developer's tree and CI's clone.
type relativeFile string

func (f relativeFile) List(ctx context.Context, fn func(source.Object) error) error {
	st, err := os.Stat(string(f))
	if err != nil {
		return err
	}
	return fn(source.Object{
		Name: string(f), ID: filepath.ToSlash(string(f)), Size: st.Size(), ModTime: st.ModTime(),
		Open: func(context.Context) (io.ReadCloser, error) { return os.Open(string(f)) },
	})
}

// TestSavedQueriesOnSamples runs every built-in query on the real sample
// lines and compares with testdata/golden/samples/NAME.txt.
func TestSavedQueriesOnSamples(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	d := openSamples(t)
	ctx := context.Background()
	for _, q := range cat.List() {
		t.Run(q.Name, func(t *testing.T) {
			got := runSaved(t, ctx, d, q, samplesParams, "samplesParams")
			golden(t, filepath.Join("testdata", "golden", "samples", q.Name+".txt"), got)
		})
	}
}

// TestDetectOnSamples runs every rule on the real samples.
func TestDetectOnSamples(t *testing.T) {
	d := openSamples(t)
	c := DefaultConfig()
	c.SensitiveBuckets = []string{"dandiarchive"}
	// The samples are small: lower the exfiltration threshold and the new
	// account baseline so that the rules of issue 14 have something to say,
	// and list the documentation network most sample lines come from.
	c.ExfilBytes, c.NewAccountBaselineHours = 5_000_000, 0
	list := filepath.Join(t.TempDir(), "intel.txt")
	if err := os.WriteFile(list, []byte("192.0.2.0/24 documentation\n89.160.20.156 sample\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := intel.Load(intel.Options{IPLists: []intel.ListFile{{List: intel.Intel, Path: list}}})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	if err := set.Apply(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	alerts, err := Detect(context.Background(), d.DB, Options{All: true, Config: c})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, a := range alerts {
		b.WriteString(strings.Join([]string{a.RuleID, string(a.Severity), a.Title, format(a.First), format(a.Last), format(a.Count)}, "\t") + "\n")
	}
	golden(t, filepath.Join("testdata", "golden", "samples", "detect.txt"), b.String())
}

package queries

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/s3logs/s3logs/internal/intel"
)

// TestVolumeExfiltration: bytes of one requester, IP and user agent summed
// over a sliding 15-minute window, fired above 50 MB.
func TestVolumeExfiltration(t *testing.T) {
	const base = "2026-03-02 10:00:00"
	dl := func(min float64, bytes int64, f func(*row)) row {
		r := with(get(at(base, min)), func(r *row) { r.bytes = bytes })
		if f != nil {
			f(&r)
		}
		return r
	}
	tests := []struct {
		name string
		rows []row
		c    func(*Config)
		want []summary
	}{
		{"60 MB at once fires", []row{dl(0, 60_000_000, nil)}, nil,
			[]summary{{"High volume of data sent to [" + alice + "] at 198.51.100.1 with user agent [" + cli + "]", "10:00:00", "10:00:00", 1}}},
		{"exactly 50 MB does not", []row{dl(0, 50_000_000, nil)}, nil, []summary{}},
		{"three 20 MB in 14 minutes fire on the third", []row{dl(0, 20_000_000, nil), dl(7, 20_000_000, nil), dl(14, 20_000_000, nil)}, nil,
			[]summary{{"High volume of data sent to [" + alice + "] at 198.51.100.1 with user agent [" + cli + "]", "10:14:00", "10:14:00", 1}}},
		{"the window ends 15 minutes back: 16 minutes apart do not add up", []row{dl(0, 30_000_000, nil), dl(16, 30_000_000, nil)}, nil, []summary{}},
		{"exactly 15 minutes apart are in one window", []row{dl(0, 30_000_000, nil), dl(15, 30_000_000, nil)}, nil,
			[]summary{{"High volume of data sent to [" + alice + "] at 198.51.100.1 with user agent [" + cli + "]", "10:15:00", "10:15:00", 1}}},
		{"another IP is another client", []row{dl(0, 30_000_000, nil), dl(1, 30_000_000, func(r *row) { r.ip = "198.51.100.2" })}, nil, []summary{}},
		{"another user agent is another client", []row{dl(0, 30_000_000, nil), dl(1, 30_000_000, func(r *row) { r.ua = mozilla })}, nil, []summary{}},
		{"anonymous downloads add up", []row{dl(0, 30_000_000, func(r *row) { r.requester = "" }), dl(1, 30_000_000, func(r *row) { r.requester = "" })}, nil,
			[]summary{{"High volume of data sent to [anonymous] at 198.51.100.1 with user agent [" + cli + "]", "10:01:00", "10:01:00", 1}}},
		{"threshold and window are parameters", []row{dl(0, 6_000, nil), dl(50, 6_000, nil)},
			func(c *Config) { c.ExfilBytes, c.ExfilWindowMinutes = 10_000, 60 },
			[]summary{{"High volume of data sent to [" + alice + "] at 198.51.100.1 with user agent [" + cli + "]", "10:50:00", "10:50:00", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			if tt.c != nil {
				tt.c(c)
			}
			if got := summarize(detectRows(t, tt.rows, "s3logs.volume_exfiltration", c)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("alerts\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestNewAccountBucket: the first request of an account to a bucket after
// the bucket's week of history.
func TestNewAccountBucket(t *testing.T) {
	ev := func(day float64, bucket, requester string) row {
		return with(get(at("2026-03-01 00:00:00", day*24*60)), func(r *row) { r.bucket, r.requester = bucket, requester })
	}
	rows := []row{
		ev(0, "vault", alice),                                          // first event: starts the baseline
		ev(3, "vault", mallory),                                        // new account, but within the baseline
		ev(8, "vault", bob),                                            // bob's account is alice's: known
		ev(8, "vault", "arn:aws:iam::333333333333:root"),               // new after the baseline: fires
		ev(8.5, "vault", "arn:aws:sts::333333333333:assumed-role/r/s"), // same account again: not new
		ev(9, "vault", canon),                                          // a canonical ID has no account
		ev(9, "vault", ""),                                             // anonymous
		ev(9, "vault", "svc:backup.amazonaws.com"),                     // a service
		ev(9, "vault", "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1"), // no 12-digit account
		ev(0, "other", alice),
		ev(10, "other", mallory), // new on the other bucket: fires
	}
	got := summarize(detectRows(t, rows, "s3logs.new_account_bucket", DefaultConfig()))
	want := []summary{
		{"New account 333333333333 accessed S3 Bucket [vault]", "00:00:00", "00:00:00", 1},
		{"New account 999999999999 accessed S3 Bucket [other]", "00:00:00", "00:00:00", 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("alerts\n got %+v\nwant %+v", got, want)
	}
}

// TestListedIP: requests from deny- or intel-listed addresses fire, unless
// an allow list holds them too; without lists nothing fires.
func TestListedIP(t *testing.T) {
	const base = "2026-03-02 10:00:00"
	rows := []row{
		with(get(base), func(r *row) { r.ip = "203.0.113.9" }),          // intel network: fires
		with(get(at(base, 1)), func(r *row) { r.ip = "203.0.113.10" }),  // same network, another IP: another title
		with(get(at(base, 2)), func(r *row) { r.ip = "198.51.100.66" }), // deny, no label
		with(get(at(base, 3)), func(r *row) { r.ip = "192.0.2.5" }),     // intel and allow: allowed
		with(get(at(base, 4)), func(r *row) { r.ip = "8.8.8.8" }),       // in no list
		with(get(at(base, 5)), func(r *row) { r.ip = "2001:db8::9" }),   // IPv6 intel entry
	}
	d := openFixture(t, rows)
	run := func() []summary {
		alerts, err := Detect(context.Background(), d.DB, Options{Rules: []string{"s3logs.listed_ip"}})
		if err != nil {
			t.Fatal(err)
		}
		return summarize(alerts)
	}
	if got := run(); len(got) != 0 {
		t.Fatalf("without lists: %+v", got)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	set, err := intel.Load(intel.Options{IPLists: []intel.ListFile{
		{List: intel.Intel, Path: write("intel.txt", "203.0.113.0/24 scanner\n192.0.2.0/24 tor exit\n2001:db8::/32 vpn\n")},
		{List: intel.Deny, Path: write("deny.txt", "198.51.100.66\n")},
		{List: intel.Allow, Path: write("allow.txt", "192.0.2.5 our proxy\n")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	if err := set.Apply(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	want := []summary{
		{"Request from intel-listed IP 203.0.113.9 (scanner) to S3 Bucket [b]", "10:00:00", "10:00:00", 1},
		{"Request from intel-listed IP 203.0.113.10 (scanner) to S3 Bucket [b]", "10:01:00", "10:01:00", 1},
		{"Request from deny-listed IP 198.51.100.66 (no label) to S3 Bucket [b]", "10:02:00", "10:02:00", 1},
		{"Request from intel-listed IP 2001:db8::9 (vpn) to S3 Bucket [b]", "10:05:00", "10:05:00", 1},
	}
	if got := run(); !reflect.DeepEqual(got, want) {
		t.Errorf("alerts\n got %+v\nwant %+v", got, want)
	}
}

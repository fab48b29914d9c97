package intel

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/s3logs/s3logs/internal/db"
)

const rangesJSON = `{
  "syncToken": "1700000000",
  "createDate": "2026-01-01-00-00-00",
  "prefixes": [
    {"ip_prefix": "3.0.0.0/8", "region": "GLOBAL", "service": "AMAZON", "network_border_group": "GLOBAL"},
    {"ip_prefix": "3.5.0.0/19", "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"},
    {"ip_prefix": "3.5.0.0/19", "region": "us-east-1", "service": "S3", "network_border_group": "us-east-1"},
    {"ip_prefix": "52.94.0.0/16", "region": "eu-west-1", "service": "EC2", "network_border_group": "eu-west-1"}
  ],
  "ipv6_prefixes": [
    {"ipv6_prefix": "2600:1ffe::/32", "region": "us-west-2", "service": "S3", "network_border_group": "us-west-2"}
  ]
}`

func write(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeMMDB writes a tiny GeoIP database: City-style records for
// 81.2.69.0/24 and 2a02:d::/32, ASN fields for 81.2.69.0/24.
func writeMMDB(t *testing.T) string {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "s3logs-Test-City", RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	city := func(iso, name string) mmdbtype.Map {
		return mmdbtype.Map{
			"country": mmdbtype.Map{"iso_code": mmdbtype.String(iso)},
			"city":    mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(name)}},
		}
	}
	for _, n := range []struct {
		cidr string
		rec  mmdbtype.Map
	}{
		{"81.2.69.0/24", func() mmdbtype.Map {
			m := city("GB", "London")
			m["autonomous_system_number"] = mmdbtype.Uint32(20712)
			m["autonomous_system_organization"] = mmdbtype.String("Andrews & Arnold Ltd")
			return m
		}()},
		{"2a02:d::/32", city("SE", "Stockholm")},
		{"89.160.20.0/24", mmdbtype.Map{"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String("SE")}}},
	} {
		_, ipn, err := net.ParseCIDR(n.cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Insert(ipn, n.rec); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "city.mmdb")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := w.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRangesLookup(t *testing.T) {
	r, err := ReadRanges(write(t, "ip-ranges.json", rangesJSON))
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 5 {
		t.Errorf("Len %d, want 5", r.Len())
	}
	for _, tt := range []struct{ ip, want string }{
		{"3.5.1.2", "S3 us-east-1 3.5.0.0/19"},   // the S3 entry, not its AMAZON twin
		{"3.200.0.1", "AMAZON GLOBAL 3.0.0.0/8"}, // only the umbrella holds it
		{"52.94.255.255", "EC2 eu-west-1 52.94.0.0/16"},
		{"2600:1ffe:8140::a47:a85a", "S3 us-west-2 2600:1ffe::/32"},
		{"::ffff:3.5.1.2", ""}, // Lookup takes unmapped addresses; Set.Lookup unmaps
		{"8.8.8.8", ""},
		{"10.0.0.1", ""},
	} {
		got := ""
		if p := r.Lookup(netip.MustParseAddr(tt.ip)); p != nil {
			got = p.Service + " " + p.Region + " " + p.Network.String()
		}
		if got != tt.want {
			t.Errorf("Lookup(%s) = %q, want %q", tt.ip, got, tt.want)
		}
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.json")
	tests := []struct {
		name string
		load func() error
		want string
		bad  bool // a FileError (errors.Is ErrFile), not a missing file
	}{
		{"ranges missing", func() error { _, err := ReadRanges(missing); return err }, "--ip-ranges: open " + missing + ": no such file or directory", false},
		{"ranges not JSON", func() error {
			_, err := ReadRanges(write(t, "r.json", "{\n  \"prefixes\": [\n    oops\n]}"))
			return err
		}, "r.json:3: not AWS ip-ranges JSON", true},
		{"ranges bad prefix", func() error {
			_, err := ReadRanges(write(t, "r.json", "{\"prefixes\": [\n{\"ip_prefix\": \"3.5.0.0/99\", \"region\": \"x\", \"service\": \"S3\"}]}"))
			return err
		}, `r.json:2: ip_prefix "3.5.0.0/99" is not a CIDR network`, true},
		{"ranges empty", func() error { _, err := ReadRanges(write(t, "r.json", "{}")); return err }, "r.json: not AWS ip-ranges JSON: no prefixes", true},
		{"ranges wrong type", func() error { _, err := ReadRanges(write(t, "r.json", "{\"prefixes\": {}}")); return err }, "r.json:1: not AWS ip-ranges JSON", true},
		{"list missing", func() error { _, err := ReadList(ListFile{List: Intel, Path: missing}); return err }, "--ip-list: open " + missing, false},
		{"list bad line", func() error {
			_, err := ReadList(ListFile{List: Deny, Path: write(t, "bad.txt", "# scanners\n198.51.100.7 shodan\n\n198.51.100.300 typo\n")})
			return err
		}, `bad.txt:4: "198.51.100.300" is not an IP address or CIDR network`, true},
		{"geoip missing", func() error { _, err := OpenGeo(missing); return err }, "--geoip: stat " + missing, false},
		{"geoip not mmdb", func() error { _, err := OpenGeo(write(t, "x.mmdb", "not a database")); return err }, "x.mmdb: not a MaxMind .mmdb database", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.load()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
			if errors.Is(err, ErrFile) != tt.bad {
				t.Errorf("errors.Is(ErrFile) = %v, want %v", !tt.bad, tt.bad)
			}
		})
	}
}

func TestReadList(t *testing.T) {
	p := write(t, "intel.txt", "# GreyNoise-style list\n198.51.100.7  mass scanner # seen 2026-01\n203.0.113.0/24\ttor exits\n\n2001:db8::/32\n::ffff:192.0.2.1 mapped\n")
	es, err := ReadList(ListFile{List: Intel, Path: p})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Network.String()+"|"+e.Label+"|"+e.List+"|"+string(rune('0'+e.Line)))
	}
	want := []string{"198.51.100.7/32|mass scanner|intel|2", "203.0.113.0/24|tor exits|intel|3", "2001:db8::/32||intel|5", "192.0.2.1/32|mapped|intel|6"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("entries\n got %v\nwant %v", got, want)
	}
	for _, tt := range []struct{ flag, list, path string }{
		{"deny=a.txt", Deny, "a.txt"}, {"allow=x=y.txt", Allow, "x=y.txt"}, {"b.txt", Intel, "b.txt"}, {"other=c.txt", Intel, "other=c.txt"},
	} {
		lf, err := ParseListFlag(tt.flag)
		if err != nil || lf.List != tt.list || lf.Path != tt.path {
			t.Errorf("ParseListFlag(%q) = %+v, %v", tt.flag, lf, err)
		}
	}
	if _, err := ParseListFlag("deny="); err == nil {
		t.Error("deny= with no file: no error")
	}
}

// TestApply fills the address facts of a database from all three kinds of
// file and reads them back through the enriched view.
func TestApply(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i, ip := range []string{"3.5.1.2", "81.2.69.160", "198.51.100.7", "10.0.0.1", "2a02:d::5", "xxx.xxxx.xx.xxx", "89.160.20.156", "8.8.8.8"} {
		if _, err := d.Exec(`INSERT INTO aws_s3serveraccess (bucketowner, p_row_id, remoteip, p_any_ip_addresses) VALUES ('o', ?, ?, ?)`,
			string(rune('a'+i)), ip, ipList(ip)); err != nil {
			t.Fatal(err)
		}
	}
	set, err := Load(Options{
		IPRanges: write(t, "ip-ranges.json", rangesJSON),
		GeoIP:    []string{writeMMDB(t)},
		IPLists: []ListFile{
			{List: Intel, Path: write(t, "intel.txt", "198.51.100.0/24 scanners\n3.5.1.2 compromised host\n")},
			{List: Allow, Path: write(t, "allow.txt", "10.0.0.0/8 office\n3.5.0.0/16\n")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	if err := set.Apply(ctx, d); err != nil {
		t.Fatal(err)
	}
	rows, err := d.Query(`SELECT remoteip, remoteip_class, coalesce(remoteip_aws_service, '-'), coalesce(remoteip_aws_region, '-'),
		coalesce(remoteip_country, '-'), coalesce(remoteip_city, '-'), coalesce(remoteip_asn, 0), coalesce(remoteip_as_org, '-'),
		coalesce(array_to_string(remoteip_lists, ','), '-'), coalesce(array_to_string(remoteip_labels, ','), '-')
		FROM aws_s3serveraccess_enriched ORDER BY p_row_id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var v [10]string
		var asn int64
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &asn, &v[7], &v[8], &v[9]); err != nil {
			t.Fatal(err)
		}
		v[6] = string(rune('0' + asn%10))
		got = append(got, strings.Join(v[:], " "))
	}
	rows.Close()
	want := []string{
		"3.5.1.2 aws S3 us-east-1 - - 0 - allow,intel compromised host",
		"81.2.69.160 public - - GB London 2 Andrews & Arnold Ltd - -",
		"198.51.100.7 public - - - - 0 - intel scanners",
		"10.0.0.1 private - - - - 0 - allow office",
		"2a02:d::5 public - - SE Stockholm 0 - - -",
		"xxx.xxxx.xx.xxx invalid - - - - 0 - - -",
		"89.160.20.156 public - - SE - 0 - - -",
		"8.8.8.8 public - - - - 0 - - -",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("enriched rows\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var n int
	if err := d.QueryRow("SELECT count(*) FROM s3logs_iplist WHERE list = 'allow' AND label = 'office' AND line = 1").Scan(&n); err != nil || n != 1 {
		t.Errorf("s3logs_iplist: %d rows, %v", n, err)
	}
	// A database opened afresh has the plain view back and no facts.
	d2, err := db.Open(ctx, db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if err := d2.QueryRow("SELECT count(*) FROM s3logs_ipinfo").Scan(&n); err != nil || n != 0 {
		t.Errorf("fresh database: %d facts, %v", n, err)
	}
}

func ipList(ip string) []string {
	if _, err := netip.ParseAddr(ip); err != nil {
		return []string{}
	}
	return []string{ip}
}

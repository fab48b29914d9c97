package queries

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// TestRequestsFromNetworkMatchesNetip holds requests_from_network's SQL
// address arithmetic to Go's net/netip on IPv4 and IPv6 addresses in every
// written form (compressed, leading zeros dropped, upper case) and on
// networks of every prefix length, including ones that end inside a hex
// digit. Strings that are not addresses match nothing.
func TestRequestsFromNetworkMatchesNetip(t *testing.T) {
	r := rand.New(rand.NewPCG(20, 7))
	ips := []string{"10.0.0.5", "10.255.255.255", "11.0.0.0", "0.0.0.0", "255.255.255.255", "2600:1f18::1",
		"2600:1F18:648B:9F8D:61DB:A622:EFAA:86B7", "2600:1f17:ffff::", "::1", "::", "fe80::", "2001:db8::1",
		"::ffff:10.0.0.5", "10.0.0", "10.0.0.256", "xxx.xxx.xxx.xxx", "2600:1f18::1::2", "12345::1", "-"}
	var rows []row
	base := []string{"10.0.0.0", "2600:1f18:648b:9f8d::"}
	for i := 0; i < 60; i++ {
		var b [16]byte
		for j := range b {
			b[j] = byte(r.IntN(256))
		}
		a := netip.AddrFrom16(b)
		if i%2 == 0 {
			a = netip.AddrFrom4([4]byte{b[0] % 16, b[1], b[2], b[3]})
		}
		if i%5 == 0 { // near the base networks, so that long prefixes match too
			p := netip.MustParseAddr(base[i%2]).AsSlice()
			p[len(p)-1] = b[0]
			p[len(p)-3] ^= b[1] & 0x0f
			a, _ = netip.AddrFromSlice(p)
		}
		ips = append(ips, a.String())
	}
	for i, ip := range ips {
		rows = append(rows, row{at: fmt.Sprintf("2026-03-01 09:%02d:00", i%60), bucket: "b", ip: ip, op: "REST.GET.OBJECT", status: 200})
	}
	d := openFixture(t, rows)
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	q, err := cat.Get("requests_from_network")
	if err != nil {
		t.Fatal(err)
	}
	nets := []string{"10.0.0.0/8", "0.0.0.0/0", "::/0", "2600:1f18::/32", "2600:1f18::/31", "2600:1f18:648b:9f8d::/61",
		"2600:1f18:648b:9f8d::/64", "10.0.0.5", "2600:1f18::1", "::1/128", "fe80::/10", "2001:db8::/33", "10.0.0.0/13"}
	for i := 0; i < 40; i++ {
		a := netip.MustParseAddr(ips[len(ips)-1-i])
		nets = append(nets, netip.PrefixFrom(a, r.IntN(a.BitLen()+1)).Masked().String())
	}
	for _, n := range nets {
		var want []string
		p, err := netip.ParsePrefix(n)
		if err != nil {
			a := netip.MustParseAddr(n)
			p = netip.PrefixFrom(a, a.BitLen())
		}
		for _, ip := range ips {
			if a, err := netip.ParseAddr(ip); err == nil && !a.Is4In6() && p.Contains(a) && !slices.Contains(want, ip) {
				want = append(want, ip)
			}
		}
		text, args, err := q.Bind(map[string]string{"network": n})
		if err != nil {
			t.Fatal(err)
		}
		rs, err := d.QueryContext(context.Background(), text, args...)
		if err != nil {
			t.Fatalf("network %s: %v", n, err)
		}
		var got []string
		for rs.Next() {
			var ip string
			var skip any
			if err := rs.Scan(&ip, &skip, &skip, &skip, &skip, &skip); err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(got, ip) {
				got = append(got, ip)
			}
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		rs.Close()
		slices.Sort(got)
		slices.Sort(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("network %s:\n got %v\nwant %v", n, got, want)
		}
	}
}

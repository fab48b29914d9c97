package intel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sort"
)

// Prefix is one entry of AWS's ip-ranges.json.
type Prefix struct {
	Network netip.Prefix
	Region  string // us-east-1, GLOBAL...
	Service string // AMAZON, EC2, S3, CLOUDFRONT...
}

// Ranges are the prefixes of an ip-ranges.json, indexed by length for
// lookups of at most 33 (IPv4) or 129 (IPv6) map probes.
type Ranges struct {
	byLen map[int]map[netip.Prefix][]Prefix
	lens  []int // prefix lengths present, longest first
	n     int
}

// Len returns how many prefixes were read.
func (r *Ranges) Len() int { return r.n }

// rangesFile is the layout of ip-ranges.json.
type rangesFile struct {
	SyncToken string `json:"syncToken"`
	Prefixes  []struct {
		IPPrefix string `json:"ip_prefix"`
		Region   string `json:"region"`
		Service  string `json:"service"`
	} `json:"prefixes"`
	IPv6Prefixes []struct {
		IPv6Prefix string `json:"ipv6_prefix"`
		Region     string `json:"region"`
		Service    string `json:"service"`
	} `json:"ipv6_prefixes"`
}

// ReadRanges reads AWS's ip-ranges.json at path.
func ReadRanges(path string) (*Ranges, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--ip-ranges: %w", err)
	}
	var f rangesFile
	if err := json.Unmarshal(data, &f); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, &FileError{File: path, Line: lineAt(data, se.Offset), Msg: "not AWS ip-ranges JSON: " + err.Error()}
		case errors.As(err, &te):
			return nil, &FileError{File: path, Line: lineAt(data, te.Offset), Msg: fmt.Sprintf("not AWS ip-ranges JSON: %s is %s, want %s", te.Field, te.Value, te.Type)}
		}
		return nil, &FileError{File: path, Msg: "not AWS ip-ranges JSON: " + err.Error()}
	}
	r := &Ranges{byLen: map[int]map[netip.Prefix][]Prefix{}}
	add := func(field, text, region, service string) error {
		p, err := netip.ParsePrefix(text)
		if err != nil {
			return &FileError{File: path, Line: lineOf(data, text), Msg: fmt.Sprintf("%s %q is not a CIDR network", field, text)}
		}
		p = p.Masked()
		m := r.byLen[p.Bits()+bitsOffset(p)]
		if m == nil {
			m = map[netip.Prefix][]Prefix{}
			r.byLen[p.Bits()+bitsOffset(p)] = m
		}
		m[p] = append(m[p], Prefix{Network: p, Region: region, Service: service})
		r.n++
		return nil
	}
	for _, p := range f.Prefixes {
		if err := add("ip_prefix", p.IPPrefix, p.Region, p.Service); err != nil {
			return nil, err
		}
	}
	for _, p := range f.IPv6Prefixes {
		if err := add("ipv6_prefix", p.IPv6Prefix, p.Region, p.Service); err != nil {
			return nil, err
		}
	}
	if r.n == 0 {
		return nil, &FileError{File: path, Msg: "not AWS ip-ranges JSON: no prefixes or ipv6_prefixes"}
	}
	for l := range r.byLen {
		r.lens = append(r.lens, l)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(r.lens)))
	return r, nil
}

// bitsOffset keeps IPv4 and IPv6 lengths apart in one index: IPv6 lengths
// are stored plus 1000.
func bitsOffset(p netip.Prefix) int {
	if p.Addr().Is4() {
		return 0
	}
	return 1000
}

// Lookup returns the prefix that describes addr: the longest prefix
// holding it that names a service other than AMAZON (the umbrella every
// address is also listed under), else the longest AMAZON one; nil when no
// prefix holds it. Among services of one prefix the first in file order
// wins.
func (r *Ranges) Lookup(addr netip.Addr) *Prefix {
	var amazon *Prefix
	off := 0
	if !addr.Is4() {
		off = 1000
	}
	for _, l := range r.lens {
		bits := l - off
		if bits < 0 || bits > addr.BitLen() {
			continue
		}
		p, err := addr.Prefix(bits)
		if err != nil {
			continue
		}
		for i, e := range r.byLen[l][p] {
			if e.Service != "AMAZON" {
				return &r.byLen[l][p][i]
			}
			if amazon == nil {
				amazon = &r.byLen[l][p][i]
			}
		}
	}
	return amazon
}

// lineAt returns the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// lineOf returns the line of the first quoted occurrence of s in data.
func lineOf(data []byte, s string) int {
	q, _ := json.Marshal(s)
	i := bytes.Index(data, q)
	if i < 0 {
		return 0
	}
	return lineAt(data, int64(i))
}

package intel

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"strings"
)

// The kinds of IP list.
const (
	Allow = "allow" // trusted: never reported by s3logs.listed_ip
	Deny  = "deny"  // must not access: reported
	Intel = "intel" // threat intelligence (scanners, Tor exits...): reported
)

// Kinds are the kinds of IP list, in the order they are documented.
var Kinds = []string{Allow, Deny, Intel}

// ListFile is an IP list file and its kind.
type ListFile struct {
	List string // Allow, Deny or Intel
	Path string
}

// ParseListFlag reads a --ip-list value: [KIND=]FILE, KIND one of Kinds,
// intel when omitted.
func ParseListFlag(v string) (ListFile, error) {
	if k, p, ok := strings.Cut(v, "="); ok {
		for _, kind := range Kinds {
			if k == kind {
				if p == "" {
					return ListFile{}, fmt.Errorf("%q: no file after %s=", v, k)
				}
				return ListFile{List: kind, Path: p}, nil
			}
		}
	}
	if v == "" {
		return ListFile{}, fmt.Errorf("empty file name")
	}
	return ListFile{List: Intel, Path: v}, nil
}

// Entry is one line of an IP list.
type Entry struct {
	Network netip.Prefix // a single address is a /32 or /128
	Label   string       // the rest of the line, trimmed; "" for none
	List    string
	File    string
	Line    int
}

// ReadList reads an IP list: one address or CIDR network per line,
// optionally followed by blanks and a label; '#' starts a comment; blank
// lines are skipped. A line that is not an address or network is an error
// naming the file and line.
func ReadList(lf ListFile) ([]Entry, error) {
	f, err := os.Open(lf.Path)
	if err != nil {
		return nil, fmt.Errorf("--ip-list: %w", err)
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		addr, label, _ := strings.Cut(strings.ReplaceAll(line, "\t", " "), " ")
		p, err := parseNetwork(addr)
		if err != nil {
			return nil, &FileError{File: lf.Path, Line: n, Msg: fmt.Sprintf("%q is not an IP address or CIDR network", addr)}
		}
		out = append(out, Entry{Network: p, Label: strings.TrimSpace(label), List: lf.List, File: lf.Path, Line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, &FileError{File: lf.Path, Msg: err.Error()}
	}
	return out, nil
}

// parseNetwork parses an address (a full-length network) or a CIDR.
func parseNetwork(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return p.Masked(), nil
}

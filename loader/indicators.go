package loader

// Panther's indicator columns and p_row_id, computed once per row: written
// out by hand where the standard library's general code costs more than the
// rest of the row.

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"net/netip"
	"unsafe"
)

// isIP reports whether b is a valid IPv4 or IPv6 address.
func isIP(b []byte) bool {
	if isIPv4(b) {
		return true
	}
	if bytes.IndexByte(b, ':') < 0 {
		return false
	}
	if isFullIPv6(b) {
		return true
	}
	// The string shares b's bytes instead of copying them: ParseAddr does
	// not keep it past the call unless it fails, and then the error (which
	// holds it) is dropped here.
	_, err := netip.ParseAddr(unsafe.String(unsafe.SliceData(b), len(b)))
	return err == nil
}

// ipCache remembers whether recently seen remote IPs are addresses (isIP),
// in a direct-mapped table: a log's requests come from far fewer addresses
// than it has lines, and looking one up costs less than checking it.
type ipCache [ipCacheSize]struct {
	b  [ipCacheMax]byte // the IP, zero-padded
	n  uint8            // its length; 0 for an empty entry
	ok bool             // isIP(b[:n])
}

const (
	ipCacheBits = 10
	ipCacheSize = 1 << ipCacheBits
	ipCacheMax  = 40 // longest IP cached (a full IPv6 address is 39 bytes)
)

// isIP is isIP(b), through the cache.
func (c *ipCache) isIP(b []byte) bool {
	n := len(b)
	if n < 8 || n > ipCacheMax {
		return isIP(b)
	}
	x := binary.LittleEndian.Uint64(b) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(b[n-8:]), 29) ^ uint64(n)
	e := &c[(x*0x9e3779b97f4a7c15)>>(64-ipCacheBits)]
	if int(e.n) == n && string(e.b[:n]) == string(b) {
		return e.ok
	}
	ok := isIP(b)
	copy(e.b[:], b)
	e.n, e.ok = uint8(n), ok
	return ok
}

// appendHex appends x in lower-case hex without leading zeros, like
// strconv.AppendUint(dst, x, 16) but without its general-base loop: it runs
// once per row, for p_row_id.
func appendHex(dst []byte, x uint64) []byte {
	const digits = "0123456789abcdef"
	n := max(1, (bits.Len64(x)+3)/4)
	dst = append(dst, "0000000000000000"[:n]...)
	for i := len(dst) - 1; x != 0; i-- {
		dst[i] = digits[x&15]
		x >>= 4
	}
	return dst
}

// isIPv4 reports whether b is a dotted-decimal IPv4 address as
// netip.ParseAddr accepts it (four parts of 0..255, no leading zeros); it
// is the common case, written out because it runs on every row.
func isIPv4(b []byte) bool {
	parts, val, digits := 0, 0, 0
	for _, c := range b {
		switch {
		case c == '.':
			if digits == 0 || parts == 3 {
				return false
			}
			parts, val, digits = parts+1, 0, 0
		case isDigit(c):
			if digits > 0 && val == 0 {
				return false
			}
			val, digits = val*10+int(c-'0'), digits+1
			if val > 255 {
				return false
			}
		default:
			return false
		}
	}
	return parts == 3 && digits > 0
}

// isFullIPv6 reports whether b is an IPv6 address written in full: eight
// groups of one to four hex digits separated by single colons, the form
// most clients' addresses take. It is a shortcut for netip.ParseAddr,
// which accepts these and more (::, zones, embedded IPv4); false means
// "ask netip", not "invalid".
func isFullIPv6(b []byte) bool {
	groups, digits := 1, 0
	for _, c := range b {
		switch {
		case c == ':':
			if digits == 0 {
				return false
			}
			groups, digits = groups+1, 0
		case hexDigit[c]:
			if digits++; digits > 4 {
				return false
			}
		default:
			return false
		}
	}
	return groups == 8 && digits > 0
}

// hexDigit tells the bytes that are hex digits.
var hexDigit = func() (t [256]bool) {
	for _, c := range []byte("0123456789abcdefABCDEF") {
		t[c] = true
	}
	return t
}()

// arnAccount returns the account id of an ARN
// (arn:partition:service:region:account:resource) when it is 12 digits,
// else nil.
func arnAccount(arn []byte) []byte {
	// A plain loop: the four colons are within the first few dozen bytes,
	// too close together for bytes.IndexByte's call to pay off.
	colons := 0
	for i, c := range arn {
		if c == ':' {
			if colons++; colons == 4 {
				arn = arn[i+1:]
				break
			}
		}
	}
	if colons < 4 || len(arn) < 13 || arn[12] != ':' {
		return nil
	}
	for _, c := range arn[:12] {
		if !isDigit(c) {
			return nil
		}
	}
	return arn[:12]
}

package loader

// Byte-level helpers of the tokenizer.

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// quotedValue returns the content of a quoted field, NULL for a bare or
// quoted "-".
func quotedValue(line []byte, s span) span {
	if s.s < 0 {
		return null
	}
	return nullable(line, s.s, s.e)
}

// nullable returns the span of line[i:e], NULL for "-" and `"-"`.
func nullable(line []byte, i, e int) span {
	if isNull(line[i:e]) {
		return null
	}
	return span{i, e}
}

// clip shortens b for an error message.
func clip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

// isNull reports whether b is "-" or `"-"`, S3's NULL.
func isNull(b []byte) bool {
	return len(b) == 1 && b[0] == '-' || len(b) == 3 && b[0] == '"' && b[1] == '-' && b[2] == '"'
}

// isDashAt reports whether line[i:] starts with a bare "-" token.
func isDashAt(line []byte, i int) bool {
	return line[i] == '-' && (i+1 == len(line) || line[i+1] == ' ')
}

// index builds the bitmaps of the spaces and quotes of line (bit i of
// p.spaces is set when line[i] is a space) and reports whether line is all
// ASCII and whether it holds a NUL byte. One pass over the line, 16 bytes
// per instruction (index_amd64.s), replaces a scan per token, whose end (a
// branch on the data) mispredicted about once per field, and the separate
// scans for quotes, NUL bytes and UTF-8. The bitmaps have a word past the
// end of the line, so that lookups end there.
func (p *parser) index(line []byte) (ascii, nul bool) {
	n := len(line)/64 + 1
	if cap(p.spaces) < n+1 {
		p.spaces = make([]uint64, n+1+n/4)
		p.quoteBits = make([]uint64, n+n/4)
	}
	p.spaces2 = p.spaces[:n+1]
	p.spaces2[n] = 0
	p.spaces, p.quoteBits = p.spaces[:n], p.quoteBits[:n]
	full := n - 1
	hi, z := indexBlocks(line[:64*full], p.spaces[:full], p.quoteBits[:full])
	rest := line[64*full:]
	if cap(rest) >= 64 {
		// The last, partial block is read in place, with the bytes after
		// the line (the rest of the read buffer): its bits past the line
		// are cleared, and a high or NUL byte found in the block is looked
		// for again in the line's part of it.
		hi2, z2 := indexBlocks(rest[:64], p.spaces[full:], p.quoteBits[full:])
		keep := uint64(1)<<len(rest) - 1
		p.spaces[full] &= keep
		p.quoteBits[full] &= keep
		if hi2 {
			hi2 = hasHigh(rest)
		}
		if z2 {
			z2 = bytes.IndexByte(rest, 0) >= 0
		}
		return !hi && !hi2, z || z2
	}
	// At the end of the buffer, the last block is padded with a byte that
	// is neither a space, a quote, a NUL nor a high byte.
	var last [64]byte
	copy(last[copy(last[:], rest):], padding[:])
	hi2, z2 := indexBlocks(last[:], p.spaces[full:], p.quoteBits[full:])
	return !hi && !hi2, z || z2
}

// hasHigh reports whether b holds a byte of 0x80 or above.
func hasHigh(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// padding fills the last block of index.
var padding = [64]byte(bytes.Repeat([]byte("x"), 64))

// indexBlocksGo is indexBlocks in portable Go, eight bytes at a time
// (SWAR); the tests hold the assembly to it.
func indexBlocksGo(b []byte, spaces, quotes []uint64) (hi, nul bool) {
	var or, zero uint64
	for w := range spaces {
		blk := b[w*64 : w*64+64]
		var s, q uint64
		for j := 0; j < 8; j++ {
			x := binary.LittleEndian.Uint64(blk[j*8:])
			or |= x
			zero |= zeroBytes(x)
			s |= movemask(zeroBytes(x^0x2020202020202020)) << (j * 8)
			q |= movemask(zeroBytes(x^0x2222222222222222)) << (j * 8)
		}
		spaces[w], quotes[w] = s, q
	}
	return or&0x8080808080808080 != 0, zero != 0
}

// zeroBytes returns x with the high bit of each byte set exactly when the
// byte is zero, and every other bit clear. Unlike the shorter
// (x-0x01..)&^x test it has no false positives, because no carry crosses
// a byte.
func zeroBytes(x uint64) uint64 {
	const low7 = 0x7f7f7f7f7f7f7f7f
	return ^((x&low7 + low7) | x) &^ low7
}

// movemask gathers the high bits of the 8 bytes of m (every other bit
// clear) into the 8 low bits of the result, byte i's into bit i.
func movemask(m uint64) uint64 {
	return (m >> 7) * 0x0102040810204080 >> 56
}

// skipSpaces returns the index of the first byte at or after i that is not
// a space (len(p.line) when there is none); i is returned when it is past
// the line.
func (p *parser) skipSpaces(i int) int {
	if i+1 < len(p.line) && p.line[i+1] != ' ' {
		// The common case, one space or none at i, from the bytes: they
		// are in cache, and the bitmap word need not be loaded.
		if p.line[i] == ' ' {
			return i + 1
		}
		return i
	}
	if i >= len(p.line) {
		return i
	}
	// The word past the end of the line has no space bits, so the loop
	// ends there at the latest.
	k := i >> 6
	w := ^p.spaces[k] >> (i & 63)
	for w == 0 {
		k++
		w = ^p.spaces[k]
		i = k << 6
	}
	return min(i+bits.TrailingZeros64(w), len(p.line))
}

// tokenEnd returns the index of the first space at or after i, or
// len(p.line). It looks at the 64 bytes from i at once, from two words of
// the bitmap (p.spaces2 has a zero word past p.spaces): looking in i's word
// first, as it did, left a token that crosses a word boundary, which
// depends on where the line's tokens fall, to a loop that mispredicted.
func (p *parser) tokenEnd(i int) int {
	if i >= len(p.line) {
		return len(p.line)
	}
	k, sh := i>>6, uint(i&63)
	w := p.spaces2[k]>>sh | p.spaces2[k+1]<<(64-sh)
	for w == 0 {
		// A token of 64 bytes or more (a canonical user id): on from
		// the next word.
		if k++; k == len(p.spaces) {
			return len(p.line)
		}
		w = p.spaces[k]
		i = k << 6
	}
	return i + bits.TrailingZeros64(w)
}

// parseInt parses a non-negative decimal integer that fits in an int64.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

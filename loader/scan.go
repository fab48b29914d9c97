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

// skipSpaces returns the index of the first byte at or after i that is not
// a space.
func skipSpaces(b []byte, i int) int {
	for i < len(b) && b[i] == ' ' {
		i++
	}
	return i
}

// tokenEnd returns the index of the first space at or after i, or len(b).
func tokenEnd(b []byte, i int) int {
	// Eight bytes at a time (SWAR): most tokens are short ("-", "200"), for
	// which the call overhead of bytes.IndexByte dominates. x has a zero
	// byte where b has a space; the classic (x-0x01..)&^x&0x80.. test flags
	// the lowest zero byte exactly (higher flags may be false positives,
	// which TrailingZeros ignores).
	// Past 16 bytes the token is long (an owner id, a host id), and the
	// vectorised bytes.IndexByte wins.
	for end := i + 16; i+8 <= len(b); i += 8 {
		if i >= end {
			if k := bytes.IndexByte(b[i:], ' '); k >= 0 {
				return i + k
			}
			return len(b)
		}
		x := binary.LittleEndian.Uint64(b[i:]) ^ 0x2020202020202020
		if t := (x - 0x0101010101010101) &^ x & 0x8080808080808080; t != 0 {
			return i + bits.TrailingZeros64(t)/8
		}
	}
	for i < len(b) && b[i] != ' ' {
		i++
	}
	return i
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

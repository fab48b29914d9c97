package loader

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/s3logs/s3logs/schema"
)

// fields is one parsed line: sub-slices of the line, nil for NULL.
type fields struct {
	v     [schema.NumLogFields][]byte
	ints  [schema.NumLogFields]int64
	null  [schema.NumLogFields]bool
	time  int64 // microseconds since the epoch, UTC
	extra [][]byte
}

// parse fills f from line, or returns why it cannot. First simple version:
// fields split at spaces, quoted fields up to the next quote.
func (f *fields) parse(line []byte) *Reject {
	*f = fields{}
	i, n := 0, 0
	for i < len(line) {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i >= len(line) {
			break
		}
		var tok []byte
		switch line[i] {
		case '"':
			j := bytes.IndexByte(line[i+1:], '"')
			if j < 0 {
				return &Reject{Column: i + 1, Reason: "unterminated quote"}
			}
			tok = line[i+1 : i+1+j]
			i += j + 2
		case '[':
			j := bytes.IndexByte(line[i:], ']')
			if j < 0 {
				return &Reject{Column: i + 1, Reason: "unterminated time"}
			}
			tok = line[i+1 : i+j]
			i += j + 1
		default:
			j := bytes.IndexByte(line[i:], ' ')
			if j < 0 {
				j = len(line) - i
			}
			tok = line[i : i+j]
			i += j
		}
		if n < schema.NumLogFields {
			if string(tok) != "-" {
				f.v[n] = tok
			}
		} else {
			f.extra = append(f.extra, tok)
		}
		n++
	}
	if n < 17 {
		return &Reject{Reason: fmt.Sprintf("truncated line: %d fields, want at least 17", n)}
	}
	t, err := time.Parse("02/Jan/2006:15:04:05 -0700", string(f.v[schema.ColTime]))
	if err != nil {
		return &Reject{Field: "time", Reason: err.Error()}
	}
	f.time = t.UnixMicro()
	for _, c := range []int{schema.ColHttpstatus, schema.ColBytessent, schema.ColObjectsize, schema.ColTotaltime, schema.ColTurnaroundtime} {
		if f.v[c] == nil {
			f.null[c] = true
			continue
		}
		x, err := strconv.ParseInt(string(f.v[c]), 10, 64)
		if err != nil {
			return &Reject{Field: schema.S3ServerAccess.Columns[c].Name, Reason: fmt.Sprintf("invalid integer %q", f.v[c])}
		}
		f.ints[c] = x
	}
	return nil
}

// trimEOL removes a trailing "\n" or "\r\n".
func trimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line
}

// isBlank reports whether line holds nothing but spaces and tabs.
func isBlank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// rowID returns p_row_id for line number line of source: a hash of both,
// so that the same line of the same source always gets the same id.
func rowID(source string, line int64) string {
	h := uint64(14695981039346656037)
	for i := 0; i < len(source); i++ {
		h ^= uint64(source[i])
		h *= 1099511628211
	}
	return fmt.Sprintf("%016x%x", h, line)
}

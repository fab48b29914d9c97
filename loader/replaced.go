package loader

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/s3logs/s3logs/schema"
)

// Replacement marks one value of a row in which bytes that are not valid
// UTF-8 were written as U+FFFD (DuckDB's strings are UTF-8): the row is
// kept, and the mark lets a query find it, since a U+FFFD in a value may
// also have been in the log. A row gets one Replacement per value changed.
type Replacement struct {
	Row   int    // the row's index in the RecordBatch of the same Next
	RowID string // the row's p_row_id
	Line  int64  // the row's line number in the source
	Field string // the column: a string column of schema.S3ServerAccess, or additionalFields
}

// markReplaced appends to dst the Replacements of row, the last row
// appended to the batch, line number lineNo, read from line (its values
// are spans of line), which is not valid UTF-8; changed reports whether
// any value changed. Only such rows come here: valid lines cost nothing.
func (b *batch) markReplaced(dst []Replacement, row *row, line []byte, lineNo int64) (out []Replacement, changed bool) {
	n := len(dst)
	for _, col := range strCols {
		if v := row.v[col]; v.s >= 0 && !utf8.Valid(line[v.s:v.e]) {
			dst = append(dst, b.replacement(col, lineNo))
		}
	}
	for _, v := range row.extra {
		if !utf8.Valid(line[v.s:v.e]) {
			dst = append(dst, b.replacement(schema.ColAdditionalFields, lineNo))
			break
		}
	}
	return dst, len(dst) > n
}

// replacement is the Replacement of column col of the last row appended,
// line number lineNo.
func (b *batch) replacement(col int, lineNo int64) Replacement {
	id := make([]byte, 16, 32)
	binary.LittleEndian.PutUint64(id, b.rowPrefix[0])
	binary.LittleEndian.PutUint64(id[8:], b.rowPrefix[1])
	return Replacement{Row: b.n - 1, RowID: string(appendHex(id, uint64(lineNo))), Line: lineNo,
		Field: schema.S3ServerAccess.Columns[col].Name}
}

// Replaced returns the Replacements of the rows of the last Next's
// RecordBatch, in row order. The slice is valid until the next Next.
func (r *output) Replaced() []Replacement { return r.replaced }

// countReplaced marks the values of row, just appended, which is not
// valid UTF-8 (callers test row.utf8 first, inline), counting it in st.
func (b *batch) countReplaced(dst []Replacement, st *Stats, row *row, line []byte, lineNo int64) []Replacement {
	dst, changed := b.markReplaced(dst, row, line, lineNo)
	if changed {
		st.Replaced++
	}
	return dst
}

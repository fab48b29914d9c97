package source

// Telling the formats of server access logs apart by their first bytes:
// S3's text lines, AWS's JSON records (one per line, as CloudWatch Logs
// delivers them to S3 or exports them) and Parquet files of the same
// records.

import (
	"bytes"

	"github.com/s3logs/s3logs/loader"
)

// Format is the format of an input's records, as the parser names it
// (loader.Format): a source tells which one an input holds, the parser
// reads it.
type Format = loader.Format

// The formats s3logs reads. FormatAuto (the zero value) means "detect".
const (
	FormatAuto    = loader.FormatAuto
	FormatText    = loader.FormatText
	FormatJSON    = loader.FormatJSON
	FormatParquet = loader.FormatParquet
)

// ParseFormat returns the format called name ("auto", "text", "json" or
// "parquet").
func ParseFormat(name string) (Format, error) { return loader.ParseFormat(name) }

// parquetMagic starts (and ends) every Parquet file.
const parquetMagic = "PAR1"

// sniffText tells JSON records from text lines by the first line that is
// not blank: JSON when it starts with '{', or with an ISO 8601 timestamp
// and then '{' (a CloudWatch Logs export line); text otherwise, including
// when nothing but blank lines was peeked.
func sniffText(head []byte) Format {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	for len(head) > 0 {
		line := head
		if k := bytes.IndexByte(head, '\n'); k >= 0 {
			line, head = head[:k], head[k+1:]
		} else {
			head = nil
		}
		line = bytes.TrimLeft(line, " \t\r")
		if len(line) == 0 {
			continue
		}
		if line[0] == '{' || timestampThenObject(line) {
			return FormatJSON
		}
		return FormatText
	}
	return FormatText
}

// timestampThenObject reports whether line starts with a token shaped like
// an ISO 8601 time (2026-07-01T12:34:56.789Z) followed by spaces and '{'.
// A text line starts with a bucket owner (64 hex digits) and never has a
// '-' at byte 5.
func timestampThenObject(line []byte) bool {
	if len(line) < 20 || line[4] != '-' || line[7] != '-' || line[10] != 'T' {
		return false
	}
	sp := bytes.IndexAny(line, " \t")
	if sp < 0 {
		return false
	}
	rest := bytes.TrimLeft(line[sp:], " \t")
	return len(rest) > 0 && rest[0] == '{'
}

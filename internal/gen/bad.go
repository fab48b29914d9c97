package gen

import (
	"fmt"

	"github.com/s3logs/s3logs/schema"
)

// BadKind is a way a line can be broken beyond parsing.
type BadKind int

// The kinds of broken lines BadLine makes.
const (
	BadStatus    BadKind = iota // httpstatus is "2OO"
	BadBytesSent                // bytessent is "12k"
	BadDate                     // time is [31/Feb/2026:25:61:07 +0000]
	BadTruncated                // the line stops inside the quoted Request-URI
	BadFewFields                // the line stops after the 12th field
	BadApache                   // an Apache combined log line
	BadJSON                     // a CloudTrail JSON record
	BadBinary                   // bytes of a binary file, with NUL and invalid UTF-8
	numBadKinds
)

// BadKinds lists every BadKind.
func BadKinds() []BadKind {
	ks := make([]BadKind, numBadKinds)
	for i := range ks {
		ks[i] = BadKind(i)
	}
	return ks
}

// String names the kind.
func (k BadKind) String() string {
	names := [...]string{"bad-status", "bad-bytessent", "bad-date", "truncated", "few-fields", "apache", "json", "binary"}
	if k >= 0 && int(k) < len(names) {
		return names[k]
	}
	return fmt.Sprintf("BadKind(%d)", int(k))
}

// Bad is a broken line and the reject the loader must make of it: Field is
// the column the reject names (a schema column name), "" when the line as a
// whole is not a record, and Reject its kind. TestBadLinesRejectedAsSaid
// holds the loader to both.
type Bad struct {
	Kind   BadKind
	Line   []byte // without a line ending; never contains '\n'
	Field  string
	Reject schema.RejectKind
}

// BadLine returns a broken line of kind k, the same on every call.
func BadLine(k BadKind) Bad {
	return New(Options{Seed: int64(k) + 1, UTCOnly: true}).BadLine(k)
}

// BadLine returns a broken line of kind k built from the generator's next
// valid object download, so that only the intended part is wrong.
func (g *Generator) BadLine(k BadKind) Bad {
	var r Record
	for {
		r = g.Next()
		if r.Operation.String == "REST.GET.OBJECT" && r.Traps == 0 && r.Fields >= 24 && r.BytesSent.Valid {
			break
		}
	}
	b := Bad{Kind: k}
	switch k {
	case BadStatus:
		b.Line, b.Field, b.Reject = r.appendLineWith(nil, schema.ColHttpstatus, "2OO"), "httpstatus", schema.RejectInteger
	case BadBytesSent:
		b.Line, b.Field, b.Reject = r.appendLineWith(nil, schema.ColBytessent, "12k"), "bytessent", schema.RejectInteger
	case BadDate:
		b.Line, b.Field, b.Reject = r.appendLineWith(nil, schema.ColTime, "[31/Feb/2026:25:61:07 +0000]"), "time", schema.RejectTime
	case BadTruncated:
		// The first 8 bytes of the quoted Request-URI, no closing quote.
		head := r.appendFieldsUpTo(nil, schema.ColRequesturi)
		b.Line, b.Field, b.Reject = append(head, r.Line()[len(head):len(head)+8]...), "requesturi", schema.RejectTruncated
	case BadFewFields:
		line := r.appendFieldsUpTo(nil, schema.ColBytessent+1)
		// The line ends before field 13, objectsize.
		b.Line, b.Field, b.Reject = line[:len(line)-1], "objectsize", schema.RejectTruncated
	case BadApache:
		b.Line = []byte(`192.0.2.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`)
		b.Reject = schema.RejectNotLog
	case BadJSON:
		b.Line = []byte(`{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1"}`)
		b.Reject = schema.RejectNotLog
	case BadBinary:
		b.Line = []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00\xff\xfe\x00\x00\xc3\x28 \x89PNG\r\x1a\x00\x00\x00\rIHDR")
		b.Reject = schema.RejectBinary
	default:
		panic("gen: BadLine: unknown kind " + k.String())
	}
	return b
}

// appendLineWith renders r with the field at column col replaced by raw.
func (r *Record) appendLineWith(dst []byte, col int, raw string) []byte {
	n := min(r.Fields, schema.NumLogFields)
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if i == col {
			dst = append(dst, raw...)
		} else {
			dst = r.appendField(dst, i)
		}
	}
	for _, f := range r.AdditionalFields {
		dst = append(dst, ' ')
		dst = append(dst, f...)
	}
	return dst
}

// appendFieldsUpTo renders the fields before column n, each followed by a
// space.
func (r *Record) appendFieldsUpTo(dst []byte, n int) []byte {
	for i := 0; i < n; i++ {
		dst = r.appendField(dst, i)
		dst = append(dst, ' ')
	}
	return dst
}

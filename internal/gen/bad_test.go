package gen

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/s3logs/s3logs/schema"
)

func TestBadLine(t *testing.T) {
	tests := []struct {
		kind   BadKind
		field  string
		reject schema.RejectKind
		check  func(line string) bool // the line is broken the way kind says
	}{
		{BadStatus, "httpstatus", schema.RejectInteger, func(l string) bool {
			f, err := refSplit(l)
			return err == nil && len(f) >= 24 && f[9] == "2OO"
		}},
		{BadBytesSent, "bytessent", schema.RejectInteger, func(l string) bool {
			f, err := refSplit(l)
			return err == nil && len(f) >= 24 && f[11] == "12k"
		}},
		{BadDate, "time", schema.RejectTime, func(l string) bool {
			f, err := refSplit(l)
			return err == nil && len(f) >= 24 && f[2] == "[31/Feb/2026:25:61:07 +0000]"
		}},
		{BadTruncated, "requesturi", schema.RejectTruncated, func(l string) bool {
			_, err := refSplit(l)
			q := strings.IndexByte(l, '"')
			return err != nil && strings.Count(l, `"`) == 1 && len(l)-q == 8 && strings.HasPrefix(l[q:], `"GET /`)
		}},
		{BadFewFields, "objectsize", schema.RejectTruncated, func(l string) bool {
			f, err := refSplit(l)
			return err == nil && len(f) == 12 && !strings.HasSuffix(l, " ")
		}},
		{BadApache, "", schema.RejectNotLog, func(l string) bool { return strings.HasPrefix(l, "192.0.2.1 - frank [") }},
		{BadJSON, "", schema.RejectNotLog, func(l string) bool { return strings.HasPrefix(l, `{"eventVersion"`) }},
		{BadBinary, "", schema.RejectBinary, func(l string) bool { return strings.Contains(l, "\x00") && !utf8.ValidString(l) }},
	}
	if len(tests) != len(BadKinds()) {
		t.Fatalf("%d cases for %d kinds", len(tests), len(BadKinds()))
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			b := BadLine(tt.kind)
			if b.Kind != tt.kind || b.Field != tt.field || b.Reject != tt.reject {
				t.Errorf("got kind %v field %q reject %v, want %v %q %v", b.Kind, b.Field, b.Reject, tt.kind, tt.field, tt.reject)
			}
			if bytes.ContainsAny(b.Line, "\n") {
				t.Errorf("line contains a newline: %q", b.Line)
			}
			if !tt.check(string(b.Line)) {
				t.Errorf("line is not broken as %v says: %q", tt.kind, b.Line)
			}
			if again := BadLine(tt.kind); !bytes.Equal(again.Line, b.Line) {
				t.Errorf("BadLine is not deterministic")
			}
		})
	}
}

func TestBadKindString(t *testing.T) {
	if got := BadKind(99).String(); got != "BadKind(99)" {
		t.Errorf("got %q", got)
	}
	if got := (TrapQuoteInURI | TrapExtraFields).String(); got != "quote-in-uri|extra-fields" {
		t.Errorf("got %q", got)
	}
	if got := Trap(0).String(); got != "none" {
		t.Errorf("got %q", got)
	}
}

package gen

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBadLine(t *testing.T) {
	tests := []struct {
		kind   BadKind
		field  string
		reason string
		check  func(line string) bool // the line is broken the way kind says
	}{
		{BadStatus, "httpstatus", `invalid integer "2OO"`, func(l string) bool {
			f, err := refSplit(l)
			return err == nil && len(f) >= 24 && f[9] == "2OO"
		}},
		{BadBytesSent, "bytessent", `invalid integer "12k"`, func(l string) bool {
			f, err := refSplit(l)
			return err == nil && len(f) >= 24 && f[11] == "12k"
		}},
		{BadDate, "time", "invalid date and time", func(l string) bool {
			f, err := refSplit(l)
			return err == nil && len(f) >= 24 && f[2] == "[31/Feb/2026:25:61:07 +0000]"
		}},
		{BadTruncated, "", "truncated line: unterminated quote", func(l string) bool {
			_, err := refSplit(l)
			q := strings.IndexByte(l, '"')
			return err != nil && strings.Count(l, `"`) == 1 && len(l)-q == 8 && strings.HasPrefix(l[q:], `"GET /`)
		}},
		{BadFewFields, "", "too few fields (12, at least 18 expected)", func(l string) bool {
			f, err := refSplit(l)
			return err == nil && len(f) == 12 && !strings.HasSuffix(l, " ")
		}},
		{BadApache, "", "not an S3 server access log line", func(l string) bool { return strings.HasPrefix(l, "192.0.2.1 - frank [") }},
		{BadJSON, "", "not an S3 server access log line", func(l string) bool { return strings.HasPrefix(l, `{"eventVersion"`) }},
		{BadBinary, "", "binary data", func(l string) bool { return strings.Contains(l, "\x00") && !utf8.ValidString(l) }},
	}
	if len(tests) != len(BadKinds()) {
		t.Fatalf("%d cases for %d kinds", len(tests), len(BadKinds()))
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			b := BadLine(tt.kind)
			if b.Kind != tt.kind || b.Field != tt.field || b.Reason != tt.reason {
				t.Errorf("got kind %v field %q reason %q, want %v %q %q", b.Kind, b.Field, b.Reason, tt.kind, tt.field, tt.reason)
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

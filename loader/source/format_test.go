package source

import (
	"bytes"
	"testing"
)

// TestDecodeFormat checks the format Decode detects for each kind of
// content, plain and gzipped.
func TestDecodeFormat(t *testing.T) {
	const textLine = `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET / HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4"` + "\n"
	tests := []struct {
		name string
		in   string
		want Format
	}{
		{"text", textLine, FormatText},
		{"empty", "", FormatText},
		{"blank lines", "\n \r\n\t\n", FormatText},
		{"JSON lines", `{"request_time":"2026-07-01T12:34:56.789Z"}` + "\n", FormatJSON},
		{"JSON after blank lines and a BOM", "\xef\xbb\xbf\n  \n" + ` {"a":1}`, FormatJSON},
		{"CloudWatch export line", `2026-07-01T12:34:56.789Z {"request_time":"2026-07-01T12:34:56.789Z"}` + "\n", FormatJSON},
		{"timestamp then text", "2026-07-01T12:34:56.789Z hello\n", FormatText},
		{"text then JSON", textLine + `{"a":1}` + "\n", FormatText},
		{"Parquet", "PAR1\x15\x00\x15\x00rest", FormatParquet},
	}
	for _, tt := range tests {
		for _, gzipped := range []bool{false, true} {
			in := []byte(tt.in)
			if gzipped {
				in = gz(t, tt.in)
			}
			got, err := Decode(bytes.NewReader(in))
			if err != nil {
				t.Fatalf("%s (gzip %v): %v", tt.name, gzipped, err)
			}
			if got.Format != tt.want || got.Gzip != gzipped {
				t.Errorf("%s (gzip %v): format %v, gzip %v; want %v", tt.name, gzipped, got.Format, got.Gzip, tt.want)
			}
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range []Format{FormatAuto, FormatText, FormatJSON, FormatParquet} {
		if got, err := ParseFormat(f.String()); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), got, err)
		}
	}
	if _, err := ParseFormat("csv"); err == nil {
		t.Error("ParseFormat(csv) did not fail")
	}
}

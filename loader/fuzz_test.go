package loader

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/s3logs/s3logs/schema"
)

// FuzzReader feeds arbitrary bytes to a Reader. Whatever the input, it must
// not panic or hang, every line must be either a row whose strings are
// valid UTF-8 or a reject with a reason, the line accounting must hold,
// and no Arrow memory may be left allocated (readAll checks both).
func FuzzReader(f *testing.F) {
	for _, l := range sampleLines(f) {
		f.Add(l)
	}
	f.Add(mkLine(func(m map[int]string) {
		m[5] = "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLEID"
	}))
	f.Add(mkLine(func(m map[int]string) { m[17] = `"a" "b"` }))
	f.Add(mkLine(func(m map[int]string) { m[16], m[17] = `"x "y" z"`, "\"\xff\"" }) + "\r\n\n  \n")
	f.Add(mkLine(upTo(17)) + "\n" + mkLine(upTo(3)))
	f.Fuzz(func(t *testing.T, input string) {
		res := readAll(t, input, "fuzz.log", Options{BatchRows: 7})
		if res.err != nil {
			t.Fatalf("I/O error from a string: %v", res.err)
		}
		if want := int64(strings.Count(input, "\n")); res.stats.Lines != want && res.stats.Lines != want+1 {
			t.Errorf("%d lines counted, input has %d newlines", res.stats.Lines, want)
		}
		for _, rj := range res.rejects {
			if rj.Reason == "" {
				t.Errorf("reject without a reason: %+v", rj)
			}
			if rj.Field != "" && schema.S3ServerAccess.Index(rj.Field) < 0 {
				t.Errorf("reject names unknown field %q", rj.Field)
			}
			if rj.Line < 1 || rj.Column < 0 || rj.Column > len(rj.Raw)+1 {
				t.Errorf("reject position %d:%d outside the line (%d bytes)", rj.Line, rj.Column, len(rj.Raw))
			}
		}
		for _, row := range res.rows {
			for name, v := range row {
				switch v := v.(type) {
				case string:
					if !utf8.ValidString(v) {
						t.Errorf("%s = %q is not valid UTF-8", name, v)
					}
				case []string:
					for _, s := range v {
						if !utf8.ValidString(s) {
							t.Errorf("%s element %q is not valid UTF-8", name, s)
						}
					}
				}
			}
			if row["bucketowner"] == nil || row["time"] == nil {
				t.Errorf("row without bucketowner or time: %v", row)
			}
		}
	})
}

package loader

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/s3logs/s3logs/internal/gen"
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
			if rj.Reason == "" || !slices.Contains(schema.RejectKinds(), rj.Kind) {
				t.Errorf("reject without a reason or a kind: %+v", rj)
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

// naturalCorpus returns lines for comparing the shortcut natural with the
// full search: the samples, generated lines with a high share of traps,
// and variants that break the natural shape in each of its places.
func naturalCorpus(t testing.TB) []string {
	lines := sampleLines(t)
	var b bytes.Buffer
	if err := gen.Write(&b, 5000, gen.Options{Seed: 9, TrapRate: 0.3}); err != nil {
		t.Fatal(err)
	}
	lines = append(lines, strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")...)
	for _, f := range []func(map[int]string){
		func(m map[int]string) { m[16] = `" x"` },                    // a referrer that starts with a space
		func(m map[int]string) { m[17] = `" Mozilla"` },              // a user agent that starts with a space
		func(m map[int]string) { m[17] = `"a" "b"` },                 // eight quotes
		func(m map[int]string) { m[16], m[17] = `"-"`, `""a b" c"` }, // a user agent with a quote after its open
		func(m map[int]string) { m[16], m[17] = `"-"`, `"-"` },
		func(m map[int]string) { m[9] = `"GET /a" 200 - 1 2 3 4 "x" HTTP/1.1"` }, // a URI that holds the next fields
		func(m map[int]string) { m[10] = "2OO" },                                 // fails strictMid
		func(m map[int]string) { m[20] = "V4" },                                  // fails strictTail
		func(m map[int]string) { m[17] = `"ua"x` },                               // no space after the last quote
		func(m map[int]string) { m[9], m[16], m[17] = "-", "-", "-" },            // no quotes
	} {
		for _, n := range []int{16, 17, 18, 25, 26, 28} {
			lines = append(lines, mkLine(func(m map[int]string) { upTo(n)(m); f(m) }))
		}
	}
	return lines
}

// TestNaturalAgrees checks that the shortcut natural gives, on every line,
// exactly what the full search gives: the same fields or the same reject.
func TestNaturalAgrees(t *testing.T) {
	lines := naturalCorpus(t)
	taken := 0
	for _, l := range lines {
		if sameAsFull(t, []byte(l)) {
			taken++
		}
	}
	// Most generated lines have the natural shape; if none took the
	// shortcut, this test would compare the search with itself.
	if taken < len(lines)/2 {
		t.Errorf("the shortcut read %d of %d lines, want most", taken, len(lines))
	}
}

// FuzzNatural compares the shortcut with the full search on arbitrary lines.
func FuzzNatural(f *testing.F) {
	for _, l := range naturalCorpus(f)[:200] {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		sameAsFull(t, []byte(line))
	})
}

// sameAsFull parses line with and without the shortcut, fails the test if
// the results differ, and reports whether the shortcut was taken.
func sameAsFull(t testing.TB, line []byte) bool {
	t.Helper()
	var fast, full parser
	full.full = true
	okFast, okFull := fast.parse(line), full.parse(line)
	switch {
	case okFast != okFull:
		t.Errorf("%q: parsed %v with the shortcut, %v without", line, okFast, okFull)
	case !okFast && fast.err != full.err:
		t.Errorf("%q: rejected with %+v with the shortcut, %+v without", line, fast.err, full.err)
	case okFast && !reflect.DeepEqual(fast.row, full.row):
		t.Errorf("%q: row %+v with the shortcut, %+v without", line, fast.row, full.row)
	}
	return fast.shortcut
}

package queries

import (
	"errors"
	"strings"
	"testing"
)

// FuzzExpand checks that Expand never panics, that every failure is a
// MacroError, and that text without a macro name comes back unchanged.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM t WHERE p_occurs_between('2021-01-01', '2021-01-02', a)",
		"p_occurs_since('6 d') AND p_occurs_since(900, x)",
		"p_occurs_since(')'", "p_occurs_between(f(1, 2), '(,)')", "-- p_occurs_since(1)\n/* x */ 'y''z' \"q\" $$ $x $$",
		"p_occurs_between(p_occurs_since('1 w'), now())", "p_occurs_since('99999999999999999999 s')",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Expand(s)
		if err != nil {
			if !errors.Is(err, ErrMacro) {
				t.Fatalf("Expand(%q): error %v is not a MacroError", s, err)
			}
			return
		}
		if !strings.Contains(strings.ToLower(s), "p_occurs_") && out != s {
			t.Fatalf("Expand(%q) = %q, changed text without macros", s, out)
		}
	})
}

// FuzzParse checks that Parse never panics and that every failure is a
// HeaderError.
func FuzzParse(f *testing.F) {
	f.Add("-- name: q\n-- title: T\n-- param: x int default=1\n\nSELECT $x")
	f.Add("-- name: q\n-- title: T\n-- tags: [a, b]\n-- param: s string one_of=a|b \"d\"\n\nSELECT $s, p_occurs_since('1 d')")
	f.Add("-- name: q\n-- name: q\n")
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse("q.sql", []byte(src))
		if err != nil {
			if !errors.Is(err, ErrHeader) {
				t.Fatalf("Parse(%q): error %v is not a HeaderError", src, err)
			}
			return
		}
		if q.Name != "q" || q.Title == "" || q.SQL == "" {
			t.Fatalf("Parse(%q) = %+v without name, title or SQL", src, q)
		}
	})
}

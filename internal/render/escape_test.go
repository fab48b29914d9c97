package render

import (
	"strings"
	"testing"
)

func TestEscapeOnTerminal(t *testing.T) {
	d := openDB(t)
	const q = `SELECT 'a' || chr(27) || '[31mred' || chr(27) || ']0;pwned' || chr(7) || chr(155) || '2J' || chr(13) || 'x' || chr(8238) || 'y' || chr(10) || 'z' AS v, 1 AS "k` + "\x1b" + `e"`
	for _, tc := range []struct {
		format Format
		want   string // with Escape
	}{
		{Table, " v                                               | k\\x1Be\n-------------------------------------------------+-------\n a\\x1B[31mred\\x1B]0;pwned\\x07\\x9B2J\\rx\\u202Ey\\nz |      1\n(1 row)\n"},
		{CSV, "v,k\\x1Be\n\"a\\x1B[31mred\\x1B]0;pwned\\x07\\x9B2J\\rx\\u202Ey\nz\",1\n"},
		{Markdown, "| v | k\\\\x1Be |\n| --- | ---: |\n| a\\\\x1B[31mred\\\\x1B]0;pwned\\\\x07\\\\x9B2J<br>x\\\\u202Ey<br>z | 1 |\n"},
		{Line, "     v = a\\x1B[31mred\\x1B]0;pwned\\x07\\x9B2J\\rx\\u202Ey\nz\nk\\x1Be = 1\n"},
		{NDJSON, `{"v":"a\u001b[31mred\u001b]0;pwned\u0007\u009b2J\rx\u202ey\nz","k\\x1Be":1}` + "\n"},
	} {
		t.Run(tc.format.String(), func(t *testing.T) {
			got, _, err := render(t, d, q, Options{Format: tc.format, Escape: true})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("escaped:\ngot  %q\nwant %q", got, tc.want)
			}
			if strings.ContainsAny(got, "\x1b\x07\r\u009b\u202e") {
				t.Errorf("a control character reached the output: %q", got)
			}
			raw, _, err := render(t, d, q, Options{Format: tc.format})
			if err != nil {
				t.Fatal(err)
			}
			if tc.format != Table && tc.format != NDJSON && !strings.Contains(raw, "a\x1b[31mred\x1b]0;pwned\x07\u009b2J") {
				t.Errorf("without Escape the bytes must be exact, got %q", raw)
			}
		})
	}
}

func TestVisible(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain é€😀", "plain é€😀"},
		{"a\x1b[2Jb", `a\x1B[2Jb`},
		{"\u009b31m", `\x9B31m`},
		{"a\xffb", `a\xFFb`},
		{"r\u202eev", `r\u202Eev`},
		{"\t\n\r\x7f", `\t\n\r\x7F`},
	} {
		if got := Visible(tc.in); got != tc.want {
			t.Errorf("Visible(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

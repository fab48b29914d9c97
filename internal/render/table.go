package render

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// ANSI escapes used when Options.Color is set.
const (
	ansiDim   = "\x1b[2m"
	ansiBold  = "\x1b[1m"
	ansiReset = "\x1b[0m"
)

// ellipsis marks a cut value, and stands for the columns a table too wide
// for the terminal leaves out.
const ellipsis = "…"

// A column is squeezed down to its header's width, but at least
// minColWidth and at most maxMinColWidth (or its natural width, if smaller),
// before columns are left out instead: a table of readable headers beats one
// of "bucke…".
const (
	minColWidth    = 6
	maxMinColWidth = 16
)

// cell is one table cell: its text with control characters made visible,
// and whether it is NULL.
type cell struct {
	s    string
	null bool
}

// tableWriter buffers the rows (all, or Options.MaxRows) to size the
// columns, like psql:
//
//	 bucket | httpstatus
//	--------+-----------
//	 logs   |        200
//	(1 row)
type tableWriter struct {
	opts  Options
	cols  []column
	cells [][]cell
}

func (t *tableWriter) row(vals []any) error {
	if t.opts.MaxRows > 0 && len(t.cells) >= t.opts.MaxRows {
		return nil
	}
	r := make([]cell, len(vals))
	for i, v := range vals {
		if v == nil {
			r[i] = cell{s: nullText(t.opts, "NULL"), null: true}
		} else {
			r[i] = cell{s: Visible(text(v, t.cols[i].t, false))}
		}
	}
	t.cells = append(t.cells, r)
	return nil
}

func (t *tableWriter) finish(w io.Writer, n int) error {
	widths, shown := t.layout()
	var b strings.Builder
	if len(t.cols) > 0 {
		head := make([]cell, len(t.cols))
		for i, c := range t.cols {
			head[i] = cell{s: Visible(c.name)}
		}
		t.writeLine(&b, head, widths, shown, true)
		t.writeRule(&b, widths, shown)
		for _, r := range t.cells {
			t.writeLine(&b, r, widths, shown, false)
		}
	}
	b.WriteString(t.footer(n, shown))
	_, err := io.WriteString(w, b.String())
	return err
}

func (t *tableWriter) footer(n, shown int) string {
	s := fmt.Sprintf("(%d rows", n)
	if n == 1 {
		s = "(1 row"
	}
	if len(t.cells) < n {
		s += fmt.Sprintf(", first %d shown", len(t.cells))
	}
	if shown < len(t.cols) {
		s += fmt.Sprintf(", %d of %d columns shown: .mode line shows all", shown, len(t.cols))
	}
	return s + ")\n"
}

// layout returns the width of every column and how many columns (from the
// left) are shown. Columns start at their widest cell (capped by MaxCell);
// while the table is wider than Options.Width the widest column loses one
// position at a time, down to minColWidth; if that is not enough, columns
// are left out from the right, a "…" column stands for them, and the
// remaining columns are fitted again.
func (t *tableWriter) layout() (widths []int, shown int) {
	natural := make([]int, len(t.cols))
	for i, c := range t.cols {
		natural[i] = t.capped(displayWidth(c.name))
		for _, r := range t.cells {
			natural[i] = max(natural[i], t.capped(displayWidth(r[i].s)))
		}
	}
	if t.opts.Width <= 0 || len(natural) == 0 {
		return natural, len(natural)
	}
	mins := make([]int, len(t.cols))
	for i, c := range t.cols {
		mins[i] = min(natural[i], max(minColWidth, min(displayWidth(c.name), maxMinColWidth)))
	}
	for shown = len(natural); shown > 1; shown-- {
		budget := t.opts.Width
		if shown < len(natural) {
			budget -= displayWidth(" | " + ellipsis)
		}
		if widths, ok := shrink(natural[:shown], mins[:shown], budget); ok {
			return widths, shown
		}
	}
	widths, _ = shrink(natural[:1], []int{min(natural[0], minColWidth)}, t.opts.Width)
	return widths, min(1, len(natural))
}

// shrink returns a copy of natural narrowed, widest first, until a line
// fits in budget; ok is false when it cannot fit with every column at least
// as wide as its mins.
func shrink(natural, mins []int, budget int) (widths []int, ok bool) {
	widths = append([]int(nil), natural...)
	for lineWidth(widths) > budget {
		j := -1
		for i, w := range widths {
			if w > mins[i] && (j < 0 || w > widths[j]) {
				j = i
			}
		}
		if j < 0 {
			return widths, false
		}
		widths[j]--
	}
	return widths, true
}

func (t *tableWriter) capped(w int) int {
	if t.opts.MaxCell > 0 {
		return min(w, t.opts.MaxCell)
	}
	return w
}

// lineWidth is the printed width of a line with these column widths: a
// space, the cells separated by " | ", no trailing space.
func lineWidth(widths []int) int {
	n := 1 + 3*(len(widths)-1)
	for _, w := range widths {
		n += w
	}
	return n
}

func (t *tableWriter) writeLine(b *strings.Builder, r []cell, widths []int, shown int, head bool) {
	var line strings.Builder
	for i := 0; i < shown; i++ {
		if i > 0 {
			line.WriteString(" | ")
		} else {
			line.WriteString(" ")
		}
		s := cut(r[i].s, widths[i])
		pad := strings.Repeat(" ", widths[i]-displayWidth(s))
		if t.opts.Color && (r[i].null || head) {
			code := ansiDim
			if head {
				code = ansiBold
			}
			s = code + s + ansiReset
		}
		if t.cols[i].numeric {
			line.WriteString(pad + s)
		} else {
			line.WriteString(s + pad)
		}
	}
	if shown < len(t.cols) {
		line.WriteString(" | " + ellipsis)
	}
	b.WriteString(strings.TrimRight(line.String(), " "))
	b.WriteString("\n")
}

func (t *tableWriter) writeRule(b *strings.Builder, widths []int, shown int) {
	for i := 0; i < shown; i++ {
		if i > 0 {
			b.WriteString("+")
		}
		n := widths[i] + 2
		if i == shown-1 && shown == len(t.cols) {
			n-- // no trailing space on the last column
		}
		b.WriteString(strings.Repeat("-", n))
	}
	if shown < len(t.cols) {
		b.WriteString("+--")
	}
	b.WriteString("\n")
}

// Visible makes control characters visible, so that a value neither
// drives a terminal nor leaves its line: \n, \r and \t as those escapes,
// other C0 and C1 controls, DEL and bytes that are not UTF-8 as \xNN, and
// the bidirectional overrides that reorder a line on screen as \u202E.
// Text without any of them is returned as it is.
func Visible(s string) string { return visibleKeep(s, nil) }

// keepLineBreaks keeps line breaks and tabs, for the formats that show a
// value over several lines (line) or quote it (CSV).
func keepLineBreaks(r rune) bool { return r == '\n' || r == '\t' }

// visibleKeep is Visible, except that the runes keep says are left as they
// are.
func visibleKeep(s string, keep func(rune) bool) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02X`, s[i])
		case keep != nil && keep(r):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case isControl(r):
			fmt.Fprintf(&b, `\x%02X`, r)
		case isBidi(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsEscape reports whether Visible would change s.
func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if isControl(rune(c)) {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || isControl(r) || isBidi(r) {
			return true
		}
		i += size
	}
	return false
}

// isControl reports whether r is a C0 or C1 control or DEL. C1 controls
// (U+0080 to U+009F) include CSI, which some terminals obey as ESC [.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }

// isBidi reports whether r is a bidirectional formatting character, which
// makes a terminal show text in another order than it is stored.
func isBidi(r rune) bool {
	return r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// displayWidth is the number of terminal columns s takes.
func displayWidth(s string) int { return runewidth.StringWidth(s) }

// cut shortens s to at most w terminal columns, ending it with "…" when
// anything was cut.
func cut(s string, w int) string {
	if displayWidth(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	return runewidth.Truncate(s, w, ellipsis)
}

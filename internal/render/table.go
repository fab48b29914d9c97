package render

import (
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strconv"
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

// A column of free text is squeezed, widest first, down to readableWidth
// (or its natural width, if smaller; its header's, up to maxHeaderWidth,
// if wider) before columns are left out instead; a column of whole values
// (numbers, times, addresses, status codes: see wholeColumn) is never cut.
// Every column cut to "2024-03…" told nothing.
const (
	readableWidth  = 20
	maxHeaderWidth = 32
)

// cell is one table cell: its text with control characters made visible,
// and whether it is NULL.
type cell struct {
	s    string
	null bool
}

// tableWindow is how many rows a Table reads before it sizes its columns
// and starts printing; later rows are cut to those widths. Like psql's
// FETCH_COUNT, it keeps memory bounded for any number of rows: a table of
// 1M rows used to be buffered whole (9.5 GB and 283 s).
const tableWindow = 1000

// tableWriter sizes the columns from the first tableWindow rows (or all,
// when fewer), like psql, then prints the rows as they come:
//
//	 bucket | httpstatus
//	--------+-----------
//	 logs   |        200
//	(1 row)
type tableWriter struct {
	w      io.Writer
	opts   Options
	cols   []column
	cells  [][]cell // the first window, until the layout is made
	widths []int    // the layout, once made
	shown  int      // columns shown
	laid   bool
	n      int // rows read
	nShown int // rows printed

	// Once the layout is made, each row reuses these: the cells of the
	// columns shown, and the line. A million rows of 36 columns allocated
	// 36 million pads and cells, half the table's CPU time.
	cellBuf []cell
	line    []byte
}

func (t *tableWriter) row(vals []any) error {
	t.n++
	if t.opts.MaxRows > 0 && t.n > t.opts.MaxRows {
		return nil
	}
	if t.laid {
		// Only the columns shown are formatted.
		r := t.cellBuf[:t.shown]
		for i, v := range vals[:t.shown] {
			r[i] = t.cell(i, v)
		}
		t.nShown++
		return t.writeLine(r, false)
	}
	r := make([]cell, len(vals))
	for i, v := range vals {
		r[i] = t.cell(i, v)
	}
	t.cells = append(t.cells, r)
	if len(t.cells) >= tableWindow {
		return t.layOut()
	}
	return nil
}

// cell is the table cell of value v of column i.
func (t *tableWriter) cell(i int, v any) cell {
	if v == nil {
		return cell{s: nullText(t.opts, "NULL"), null: true}
	}
	return cell{s: Visible(text(v, t.cols[i].t, false))}
}

// layOut sizes the columns from the rows read so far and prints the
// header and those rows.
func (t *tableWriter) layOut() error {
	t.laid = true
	t.widths, t.shown = t.layout()
	t.cellBuf = make([]cell, t.shown)
	if len(t.cols) == 0 {
		return nil
	}
	head := make([]cell, len(t.cols))
	for i, c := range t.cols {
		head[i] = cell{s: Visible(c.name)}
	}
	if err := t.writeLine(head, true); err != nil {
		return err
	}
	if err := t.writeRule(); err != nil {
		return err
	}
	for _, r := range t.cells {
		t.nShown++
		if err := t.writeLine(r, false); err != nil {
			return err
		}
	}
	t.cells = nil
	return nil
}

func (t *tableWriter) finish(w io.Writer, n int) error {
	if !t.laid {
		if err := t.layOut(); err != nil {
			return err
		}
	}
	_, err := io.WriteString(t.w, t.footer(n, t.shown))
	return err
}

func (t *tableWriter) footer(n, shown int) string {
	s := fmt.Sprintf("(%d rows", n)
	if n == 1 {
		s = "(1 row"
	}
	if t.nShown < n {
		s += fmt.Sprintf(", first %d shown", t.nShown)
	}
	if shown < len(t.cols) {
		s += "; not shown: " + droppedNames(t.cols[shown:])
		if t.opts.ShowAll != "" {
			s += "; " + t.opts.ShowAll + " shows every column"
		}
	}
	return s + ")\n"
}

// droppedNames lists the columns a table leaves out: the first few by
// name, then how many more.
func droppedNames(cols []column) string {
	const named = 6
	names := make([]string, 0, named)
	for i, c := range cols {
		if i == named {
			return fmt.Sprintf("%s and %d more", strings.Join(names, ", "), len(cols)-named)
		}
		names = append(names, Visible(c.name))
	}
	return strings.Join(names, ", ")
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
		if t.wholeColumn(i) {
			mins[i] = natural[i]
		} else {
			mins[i] = min(natural[i], max(readableWidth, min(displayWidth(c.name), maxHeaderWidth)))
		}
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
	// Not even one column fits readably: cut the first as far as needed.
	budget := t.opts.Width
	if len(natural) > 1 {
		budget -= displayWidth(" | " + ellipsis)
	}
	widths, _ = shrink(natural[:1], []int{1}, budget)
	return widths, 1
}

// wholeColumn reports whether column i must not be cut: its type says so,
// or every value of it in the window is a number, time, address or UUID
// written as text (a VARCHAR remoteip, SUMMARIZE's min and max).
func (t *tableWriter) wholeColumn(i int) bool {
	if t.cols[i].t.isWhole() {
		return true
	}
	seen := false
	for _, r := range t.cells {
		if r[i].null {
			continue
		}
		if !wholeValue(r[i].s) {
			return false
		}
		seen = true
	}
	return seen
}

// atomicText matches dates and times as DuckDB and RFC 3339 write them.
var atomicText = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?|\d{2}:\d{2}:\d{2}(\.\d+)?|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)

// wholeValue reports whether s is one value that reads wrong when cut: a
// number, an IP address or network, a date or time, a UUID.
func wholeValue(s string) bool {
	if len(s) > 48 || s == "" {
		return false
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return true
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	return atomicText.MatchString(s)
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

func (t *tableWriter) writeLine(r []cell, head bool) error {
	line := t.line[:0]
	for i := 0; i < t.shown; i++ {
		if i > 0 {
			line = append(line, " | "...)
		} else {
			line = append(line, ' ')
		}
		s, sw := fit(r[i].s, t.widths[i])
		pad := t.widths[i] - sw
		color := t.opts.Color && (r[i].null || head)
		if t.cols[i].numeric {
			line = appendSpaces(line, pad)
		}
		if color {
			code := ansiDim
			if head {
				code = ansiBold
			}
			line = append(line, code...)
		}
		line = append(line, s...)
		if color {
			line = append(line, ansiReset...)
		}
		if !t.cols[i].numeric {
			line = appendSpaces(line, pad)
		}
	}
	if t.shown < len(t.cols) {
		line = append(line, " | "+ellipsis...)
	}
	for len(line) > 0 && line[len(line)-1] == ' ' {
		line = line[:len(line)-1]
	}
	line = append(line, '\n')
	t.line = line
	_, err := t.w.Write(line)
	return err
}

// spaces is padding appendSpaces copies from.
var spaces = []byte(strings.Repeat(" ", 256))

// appendSpaces appends n spaces to b.
func appendSpaces(b []byte, n int) []byte {
	for n > 0 {
		k := min(n, len(spaces))
		b = append(b, spaces[:k]...)
		n -= k
	}
	return b
}

func (t *tableWriter) writeRule() error {
	var b strings.Builder
	for i := 0; i < t.shown; i++ {
		if i > 0 {
			b.WriteString("+")
		}
		n := t.widths[i] + 2
		if i == t.shown-1 && t.shown == len(t.cols) {
			n-- // no trailing space on the last column
		}
		b.WriteString(strings.Repeat("-", n))
	}
	if t.shown < len(t.cols) {
		b.WriteString("+--")
	}
	b.WriteString("\n")
	_, err := io.WriteString(t.w, b.String())
	return err
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

// displayWidth is the number of terminal columns s takes. Printable ASCII,
// nearly every log field, is one column a byte; runewidth's grapheme
// segmentation, needed for the rest, cost a table of 200,000 log rows 40 s.
func displayWidth(s string) int {
	if isPrintableASCII(s) {
		return len(s)
	}
	return runewidth.StringWidth(s)
}

// isPrintableASCII reports whether every byte of s is printable ASCII.
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// fit is cut that also returns the width of its result; it measures a
// value that is not ASCII once when it fits (twice was a sixth of a large
// table's CPU time).
func fit(s string, w int) (string, int) {
	if isPrintableASCII(s) {
		if len(s) <= w {
			return s, len(s)
		}
		if w <= 0 {
			return "", 0
		}
		return s[:w-1] + ellipsis, w
	}
	if sw := runewidth.StringWidth(s); sw <= w {
		return s, sw
	}
	if w <= 0 {
		return "", 0
	}
	s = runewidth.Truncate(s, w, ellipsis)
	return s, displayWidth(s)
}

// cut shortens s to at most w terminal columns, ending it with "…" when
// anything was cut.
func cut(s string, w int) string {
	if displayWidth(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	if isPrintableASCII(s) {
		return s[:w-1] + ellipsis
	}
	return runewidth.Truncate(s, w, ellipsis)
}

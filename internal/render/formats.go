package render

import (
	"bufio"
	"encoding/csv"
	"io"
	"strings"
	"time"
)

// csvWriter writes a header line and RFC 4180 records (quoted as needed,
// "\n" line endings). Timestamps are RFC 3339 UTC; NULL is Options.Null.
type csvWriter struct {
	cw     *csv.Writer
	cols   []column
	null   string
	escape bool // Options.Escape
	rec    []string
}

func newCSVWriter(w io.Writer, opts Options, cols []column) *csvWriter {
	c := &csvWriter{cw: csv.NewWriter(w), cols: cols, null: opts.Null, escape: opts.Escape, rec: make([]string, len(cols))}
	for i, col := range cols {
		c.rec[i] = col.name
	}
	c.cw.Write(c.rec) // errors surface from Flush in finish or row
	return c
}

func (c *csvWriter) row(vals []any) error {
	for i, v := range vals {
		c.rec[i] = c.field(v, c.cols[i].t)
		if c.escape {
			c.rec[i] = visibleKeep(c.rec[i], keepLineBreaks)
		}
	}
	c.cw.Write(c.rec)
	return c.cw.Error()
}

func (c *csvWriter) field(v any, t *dtype) string {
	switch x := v.(type) {
	case nil:
		return c.null
	case string:
		return x
	case time.Time:
		return timeJSON(x, t) // timestamps in RFC 3339 UTC, as in JSON
	}
	return text(v, t, false)
}

func (c *csvWriter) finish(io.Writer, int) error {
	c.cw.Flush()
	return c.cw.Error()
}

// jsonWriter writes one JSON object per row, keys in column order: one per
// line (NDJSON) or as the elements of one array (JSON).
type jsonWriter struct {
	w     io.Writer
	cols  []column
	array bool
	buf   []byte
	n     int
}

func (j *jsonWriter) row(vals []any) error {
	b := j.buf[:0]
	if j.array {
		if j.n == 0 {
			b = append(b, "[\n"...)
		} else {
			b = append(b, ",\n"...)
		}
	}
	b = append(b, '{')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, j.cols[i].name)
		b = append(b, ':')
		b = appendJSON(b, v, j.cols[i].t)
	}
	b = append(b, '}')
	if !j.array {
		b = append(b, '\n')
	}
	j.buf = b
	j.n++
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) finish(w io.Writer, n int) error {
	if !j.array {
		return nil
	}
	end := "\n]\n"
	if n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(w, end)
	return err
}

// markdownWriter writes a GitHub pipe table: pipes in values escaped as
// "\|", line breaks as "<br>", numeric columns right-aligned.
type markdownWriter struct {
	w      io.Writer
	opts   Options
	cols   []column
	header bool // written
}

func (m *markdownWriter) line(cells []string) error {
	var b strings.Builder
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" ")
		b.WriteString(c)
		b.WriteString(" |")
	}
	b.WriteString("\n")
	_, err := io.WriteString(m.w, b.String())
	return err
}

func (m *markdownWriter) cell(s string) string {
	if m.opts.Escape {
		s = visibleKeep(s, func(r rune) bool { return r == '\n' || r == '\r' }) // line breaks become <br>
	}
	s = strings.NewReplacer(`\`, `\\`, "|", `\|`, "\r\n", "<br>", "\n", "<br>", "\r", "<br>").Replace(s)
	if m.opts.MaxCell > 0 {
		s = cut(s, m.opts.MaxCell)
	}
	return s
}

func (m *markdownWriter) row(vals []any) error {
	if err := m.writeHeader(); err != nil {
		return err
	}
	cells := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			cells[i] = nullText(m.opts, "NULL")
		} else {
			cells[i] = m.cell(text(v, m.cols[i].t, false))
		}
	}
	return m.line(cells)
}

func (m *markdownWriter) writeHeader() error {
	if m.header {
		return nil
	}
	m.header = true
	names := make([]string, len(m.cols))
	rules := make([]string, len(m.cols))
	for i, c := range m.cols {
		names[i] = m.cell(c.name)
		rules[i] = "---"
		if c.numeric {
			rules[i] = "---:"
		}
	}
	if err := m.line(names); err != nil {
		return err
	}
	return m.line(rules)
}

func (m *markdownWriter) finish(io.Writer, int) error { return m.writeHeader() }

// lineWriter writes "name = value" for every column, names right-aligned,
// values whole (line breaks kept), and a blank line between rows.
type lineWriter struct {
	w     io.Writer
	opts  Options
	cols  []column
	names []string
	n     int
}

func (l *lineWriter) row(vals []any) error {
	if l.names == nil {
		width := 0
		for _, c := range l.cols {
			width = max(width, displayWidth(c.name))
		}
		l.names = make([]string, len(l.cols))
		for i, c := range l.cols {
			l.names[i] = strings.Repeat(" ", width-displayWidth(c.name)) + c.name
		}
	}
	bw := bufio.NewWriter(l.w)
	if l.n > 0 {
		bw.WriteString("\n")
	}
	for i, v := range vals {
		s := nullText(l.opts, "NULL")
		if v != nil {
			s = text(v, l.cols[i].t, false)
			if l.opts.Escape {
				s = visibleKeep(s, keepLineBreaks)
			}
		}
		bw.WriteString(l.names[i])
		bw.WriteString(" = ")
		bw.WriteString(s)
		bw.WriteString("\n")
	}
	l.n++
	return bw.Flush()
}

func (l *lineWriter) finish(io.Writer, int) error { return nil }

// nullText is the text of NULL: Options.Null, or def when it is empty.
func nullText(opts Options, def string) string {
	if opts.Null != "" {
		return opts.Null
	}
	return def
}

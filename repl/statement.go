package repl

import "strings"

// Statement is one complete statement taken from the input: SQL text ending
// at a ";" that is outside quotes and comments (the ";" is kept), or a
// meta-command line starting with ".", which needs no ";".
type Statement struct {
	Text string
	Meta bool // a meta-command: Text is the line, without its line ending
	Line int  // 1-based line of the input the statement starts on
}

// Buffer accumulates input and cuts it into complete statements. It knows
// SQL's quoting: 'strings' (with ” inside), E'strings' (with \'),
// "identifiers", -- line comments, /* nested block comments */ and
// $tag$ dollar-quoted text $tag$, so that a ";" inside any of them does not
// end a statement. The zero value is ready to use.
type Buffer struct {
	text string // input not yet returned as a statement
	line int    // 1-based line of the first byte of text, less one
	done int    // lines consumed before text
}

// Write appends input (typed or pasted, any number of lines).
func (b *Buffer) Write(s string) { b.text += s }

// Next returns the next complete statement, if the buffered input holds one.
// Blank input and comments between statements are skipped.
func (b *Buffer) Next() (Statement, bool) {
	start := skipSpaceAndComments(b.text)
	b.consume(start)
	if b.text == "" {
		return Statement{}, false
	}
	line := b.done + 1
	if b.text[0] == '.' {
		end := strings.IndexByte(b.text, '\n')
		if end < 0 {
			return Statement{}, false
		}
		st := Statement{Text: strings.TrimRight(b.text[:end], " \t\r"), Meta: true, Line: line}
		b.consume(end + 1)
		return st, true
	}
	end, ok := statementEnd(b.text)
	if !ok {
		return Statement{}, false
	}
	st := Statement{Text: strings.TrimSpace(b.text[:end]), Line: line}
	b.consume(end)
	return st, true
}

// Flush returns what is left at the end of the input as a last statement
// (an unterminated SQL statement or meta-command), and empties the buffer.
func (b *Buffer) Flush() (Statement, bool) {
	if st, ok := b.Next(); ok {
		return st, true
	}
	b.consume(skipSpaceAndComments(b.text))
	if b.text == "" {
		return Statement{}, false
	}
	st := Statement{Text: strings.TrimSpace(b.text), Meta: b.text[0] == '.', Line: b.done + 1}
	b.consume(len(b.text))
	return st, true
}

// Split cuts script into its statements as the shell reads them, in
// order: SQL ending at a ";" outside quotes, comments and dollar-quoted
// text, meta-command lines, and at the end whatever is left without a ";".
// s3logs query runs several statements with it.
func Split(script string) []Statement {
	var b Buffer
	b.Write(script)
	var sts []Statement
	for {
		st, ok := b.Flush()
		if !ok {
			return sts
		}
		sts = append(sts, st)
	}
}

// Pending returns the buffered input that does not yet form a statement.
func (b *Buffer) Pending() string { return b.text }

// Reset drops the buffered input.
func (b *Buffer) Reset() { b.done += strings.Count(b.text, "\n"); b.text = "" }

func (b *Buffer) consume(n int) {
	b.done += strings.Count(b.text[:n], "\n")
	b.text = b.text[n:]
}

// Complete reports whether text holds at least one statement and nothing
// after the last one but blanks and comments: the shell executes on Enter
// only then, and otherwise starts a new line of the same statement.
func Complete(text string) bool {
	var b Buffer
	b.Write(text + "\n") // a meta-command is complete at the end of its line
	n := 0
	for {
		if _, ok := b.Next(); !ok {
			break
		}
		n++
	}
	return n > 0 && strings.TrimSpace(b.Pending()) == ""
}

// skipSpaceAndComments returns the length of the blanks and comments that
// start s.
func skipSpaceAndComments(s string) int {
	i := 0
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == ';':
			i++
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return len(s)
			}
			i += j + 1
		case strings.HasPrefix(s[i:], "/*"):
			j, ok := blockCommentEnd(s, i)
			if !ok {
				return i // an unfinished comment: wait for more input
			}
			i = j
		default:
			return i
		}
	}
	return i
}

// statementEnd returns the index just after the ";" that ends the SQL
// statement at the start of s, or ok false when s has none yet.
func statementEnd(s string) (end int, ok bool) {
	for i := 0; i < len(s); {
		tok := lexAt(s, i)
		if !tok.closed {
			return 0, false
		}
		if tok.kind == tokPunct && s[i] == ';' {
			return i + 1, true
		}
		i = tok.end
	}
	return 0, false
}

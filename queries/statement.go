package queries

import "strings"

// Statement is one complete statement taken from input by a Buffer: SQL
// text ending at a ";" outside strings, quoted names and comments (the ";"
// is kept), or a meta-command line (starting with "." or "\", or exit,
// quit or help alone on a line), which needs no ";".
type Statement struct {
	Text   string
	Meta   bool // a meta-command: Text is the line, without its line ending
	Line   int  // 1-based line of the input the statement starts on
	Offset int  // byte offset of Text in the input
}

// Buffer accumulates SQL input (typed line by line, pasted, or read from a
// script) and cuts it into complete statements, using Lex: a ";" inside a
// string, E'string', "quoted name", comment (block comments nest) or
// $tag$ dollar-quoted text $tag$ does not end a statement. The zero value
// is ready to use.
type Buffer struct {
	text string // input not yet returned as a statement
	done int    // lines consumed before text
	off  int    // bytes consumed before text
}

// Write appends input: any number of lines, or part of one.
func (b *Buffer) Write(s string) { b.text += s }

// Next returns the next complete statement, if the buffered input holds
// one. Blanks, comments and empty statements (";") before it are skipped.
func (b *Buffer) Next() (Statement, bool) {
	b.consume(skipSpaceAndComments(b.text, false))
	if b.text == "" {
		return Statement{}, false
	}
	if isMetaLine(b.text) {
		end := strings.IndexByte(b.text, '\n')
		if end < 0 {
			return Statement{}, false
		}
		st := Statement{Text: strings.TrimRight(b.text[:end], " \t\r"), Meta: true, Line: b.done + 1, Offset: b.off}
		b.consume(end + 1)
		return st, true
	}
	end, ok := statementEnd(b.text)
	if !ok {
		return Statement{}, false
	}
	st := b.statement(end)
	b.consume(end)
	return st, true
}

// Flush returns what is left at the end of the input as a last statement
// (an unterminated SQL statement or meta-command) when Next has none, and
// empties the buffer.
func (b *Buffer) Flush() (Statement, bool) {
	if st, ok := b.Next(); ok {
		return st, true
	}
	b.consume(skipSpaceAndComments(b.text, true))
	if b.text == "" {
		return Statement{}, false
	}
	st := b.statement(len(b.text))
	st.Meta = isMetaLine(b.text)
	b.consume(len(b.text))
	return st, true
}

// shellWords are the lines psql and duckdb users type to leave or get
// help; on a line of their own at the start of a statement they are
// meta-commands (the shell maps them to .quit and .help), not the start of
// a statement that would swallow the next lines.
var shellWords = []string{"exit", "quit", "help"}

// isMetaLine reports whether text, at the start of a statement, begins
// with a meta-command line: ".name", a psql backslash command (\q, \d,
// \dt, \?), or one of shellWords alone on its line (an optional ";"
// after it).
func isMetaLine(text string) bool {
	if text[0] == '.' || text[0] == '\\' {
		return true
	}
	line, _, _ := strings.Cut(text, "\n")
	line = strings.TrimRight(line, " \t\r;")
	for _, w := range shellWords {
		if strings.EqualFold(line, w) {
			return true
		}
	}
	return false
}

// statement returns the statement b.text[:end], without the blanks around
// it (Next has skipped those before it).
func (b *Buffer) statement(end int) Statement {
	return Statement{Text: strings.TrimRight(b.text[:end], " \t\n\r\f\v"), Line: b.done + 1, Offset: b.off}
}

// Pending returns the buffered input that does not yet form a statement.
func (b *Buffer) Pending() string { return b.text }

func (b *Buffer) consume(n int) {
	b.done += strings.Count(b.text[:n], "\n")
	b.off += n
	b.text = b.text[n:]
}

// Split cuts script into its statements, in order, as the shell reads
// them: SQL ending at a ";", meta-command lines, and at the end whatever
// is left without a ";". s3logs query runs several statements with it.
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

// Complete reports whether text holds at least one statement and nothing
// after the last one but blanks and comments: the shell runs the input on
// Enter only then, and otherwise starts a new line of the same input.
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

// skipSpaceAndComments returns the length of the blanks, comments and ";"
// that start s. An unterminated comment is skipped only at the end of the
// input (final): until then more input may close it or, for a block
// comment, it is a statement DuckDB will reject.
func skipSpaceAndComments(s string, final bool) int {
	i := 0
	for i < len(s) {
		t := Lex(s, i)
		blank := t.Kind == TokSpace || t.Kind == TokPunct && s[i] == ';' ||
			t.Kind == TokComment && (t.Closed || final && s[i] == '-')
		if !blank {
			return i
		}
		i = t.End
	}
	return i
}

// statementEnd returns the offset just after the ";" that ends the SQL
// statement at the start of s, or false when s has none yet.
func statementEnd(s string) (end int, ok bool) {
	for i := 0; i < len(s); {
		t := Lex(s, i)
		if !t.Closed {
			return 0, false
		}
		if t.Kind == TokPunct && s[i] == ';' {
			return i + 1, true
		}
		i = t.End
	}
	return 0, false
}

// noResultWords are the first words of statements whose result (an empty
// "Count" column) is not worth showing; INSERT, UPDATE and DELETE show their
// count, as in DuckDB's shell.
var noResultWords = map[string]bool{
	"CREATE": true, "DROP": true, "ALTER": true, "SET": true, "RESET": true, "ATTACH": true,
	"DETACH": true, "USE": true, "BEGIN": true, "COMMIT": true, "ROLLBACK": true, "ABORT": true,
	"END": true, "CHECKPOINT": true, "FORCE": true, "COMMENT": true, "VACUUM": true,
	"START": true, "LOAD": true, "INSTALL": true,
}

// NoResult reports whether sql is a statement run for its effect only
// (CREATE, SET, BEGIN...), whose empty result is not printed.
func NoResult(sql string) bool {
	for _, t := range Tokens(sql) {
		return t.Kind == TokWord && noResultWords[strings.ToUpper(sql[t.Start:t.End])]
	}
	return false
}

// Prepare turns the text of one SQL statement, as typed or split from a
// script, into what DuckDB runs: Panther's macros expanded (Expand) and
// the final ";" dropped. noResult is NoResult of the result. The error is
// Expand's.
func Prepare(text string) (sql string, noResult bool, err error) {
	sql, err = Expand(strings.TrimRight(strings.TrimSpace(text), ";"))
	if err != nil {
		return "", false, err
	}
	return sql, NoResult(sql), nil
}

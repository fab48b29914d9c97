package queries

import "strings"

// TokenKind is the lexical class of a Token: as much of SQL's grammar as
// s3logs needs to find where statements end, which words are macros,
// parameters and table names, and what is inside quotes or comments.
type TokenKind int

// The token kinds.
const (
	TokSpace   TokenKind = iota // blanks: space, \t, \n, \r, \f, \v
	TokComment                  // -- to end of line, or /* ... */ (block comments nest)
	TokString                   // '...', E'...' (backslash escapes), $$...$$ or $tag$...$tag$
	TokQuoted                   // "identifier"
	TokWord                     // identifier, keyword or number
	TokParam                    // $1 or $name
	TokPunct                    // any other single byte
)

// Token is one token of a SQL text s: s[Start:End]. Closed is false when s
// ends inside it: an unterminated string, quoted identifier or block
// comment, a line comment without its line end, or a lone "$" at the end
// (a dollar quote may follow).
type Token struct {
	Kind       TokenKind
	Start, End int
	Closed     bool
}

// Lex returns the token that starts at s[i], lexing as DuckDB (PostgreSQL's
// scanner) does: a doubled quote stands for one inside '...' and "...",
// E'...' strings take backslash escapes, block comments nest, a $tag$ does
// not start with a digit ($1 is a parameter), and a byte >= 0x80 is an
// identifier character (a UTF-8 letter of a name), as are ASCII letters,
// digits, "_" and, after the first byte of a word, "$".
func Lex(s string, i int) Token {
	c := s[i]
	switch {
	case isSpace(c):
		j := i + 1
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		return Token{TokSpace, i, j, true}
	case c == '-' && i+1 < len(s) && s[i+1] == '-':
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			return Token{TokComment, i, len(s), false} // more of the comment may follow
		}
		return Token{TokComment, i, i + j, true}
	case c == '/' && i+1 < len(s) && s[i+1] == '*':
		j, ok := blockCommentEnd(s, i)
		return Token{TokComment, i, j, ok}
	case c == '\'':
		j, ok := quotedEnd(s, i+1, '\'', false)
		return Token{TokString, i, j, ok}
	case (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'' && (i == 0 || !IsIdentByte(s[i-1])):
		j, ok := quotedEnd(s, i+2, '\'', true)
		return Token{TokString, i, j, ok}
	case c == '"':
		j, ok := quotedEnd(s, i+1, '"', false)
		return Token{TokQuoted, i, j, ok}
	case c == '$':
		return lexDollar(s, i)
	case IsIdentByte(c):
		j := i + 1
		for j < len(s) && (IsIdentByte(s[j]) || s[j] == '$') {
			j++
		}
		return Token{TokWord, i, j, true}
	}
	return Token{TokPunct, i, i + 1, true}
}

// lexDollar lexes what starts with "$" at s[i]: a dollar-quoted string
// $$...$$ or $tag$...$tag$, or a parameter $1 or $name.
func lexDollar(s string, i int) Token {
	j := i + 1
	for j < len(s) && IsIdentByte(s[j]) {
		j++
	}
	if j < len(s) && s[j] == '$' && (j == i+1 || !isDigit(s[i+1])) {
		tag := s[i : j+1]
		k := strings.Index(s[j+1:], tag)
		if k < 0 {
			return Token{TokString, i, len(s), false}
		}
		return Token{TokString, i, j + 1 + k + len(tag), true}
	}
	if j == i+1 && j == len(s) {
		return Token{TokParam, i, j, false} // a lone "$" at the end: maybe a dollar quote to come
	}
	return Token{TokParam, i, j, true}
}

// quotedEnd returns the offset just after the closing quote q of a quoted
// text whose content starts at s[i], and false when s ends first. A doubled
// quote stands for one; with backslash, \ escapes the next byte.
func quotedEnd(s string, i int, q byte, backslash bool) (int, bool) {
	for i < len(s) {
		switch {
		case backslash && s[i] == '\\':
			i += 2
		case s[i] == q:
			if i+1 < len(s) && s[i+1] == q {
				i += 2
				continue
			}
			return i + 1, true
		default:
			i++
		}
	}
	return len(s), false
}

// blockCommentEnd returns the offset just after the */ that closes the /*
// at s[i], counting nested comments, and false when s ends first.
func blockCommentEnd(s string, i int) (int, bool) {
	depth := 0
	for i < len(s)-1 {
		switch {
		case s[i] == '/' && s[i+1] == '*':
			depth++
			i += 2
		case s[i] == '*' && s[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i, true
			}
		default:
			i++
		}
	}
	return len(s), false
}

// IsIdentByte reports whether c may be part of an unquoted identifier:
// ASCII letters, digits, "_", and every byte >= 0x80, as in DuckDB, so
// that a name such as café or 名前 is one word.
func IsIdentByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c >= 0x80
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// Tokens returns the tokens of s other than blanks and comments, in order.
func Tokens(s string) []Token {
	var out []Token
	for i := 0; i < len(s); {
		t := Lex(s, i)
		if t.Kind != TokSpace && t.Kind != TokComment {
			out = append(out, t)
		}
		i = t.End
	}
	return out
}

// position returns the 1-based line and column of byte offset off in s.
func position(s string, off int) (line, col int) {
	line, col = 1, 1
	for i := 0; i < off && i < len(s); i++ {
		if s[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// paramRefs returns the distinct $name parameter references of s (not in
// strings, quoted names or comments), in order of first use. Positional
// references ($1) are returned as their digits.
func paramRefs(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range Tokens(s) {
		if t.Kind != TokParam {
			continue
		}
		if name := s[t.Start+1 : t.End]; name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

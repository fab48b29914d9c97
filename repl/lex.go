package repl

import "strings"

// tokKind is the kind of a SQL token, as far as the shell needs to know:
// where statements end and which words name tables.
type tokKind int

const (
	tokSpace   tokKind = iota
	tokComment         // -- to end of line, or /* nested */
	tokString          // 'text', E'text', $tag$text$tag$
	tokQuoted          // "identifier"
	tokWord            // identifier, keyword or number
	tokParam           // $1, $name
	tokPunct           // any other single character
)

// token is one token of s: s[start:end]. closed is false when s ends
// inside it (an unterminated string or comment).
type token struct {
	kind       tokKind
	start, end int
	closed     bool
}

// lexAt returns the token starting at s[i].
func lexAt(s string, i int) token {
	c := s[i]
	switch {
	case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
			j++
		}
		return token{tokSpace, i, j, true}
	case strings.HasPrefix(s[i:], "--"):
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			return token{tokComment, i, len(s), false} // more of the comment may follow
		}
		return token{tokComment, i, i + j, true}
	case strings.HasPrefix(s[i:], "/*"):
		j, ok := blockCommentEnd(s, i)
		return token{tokComment, i, j, ok}
	case c == '\'':
		j, ok := quotedEnd(s, i+1, '\'', false)
		return token{tokString, i, j, ok}
	case (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'' && (i == 0 || !isIdentByte(s[i-1])):
		j, ok := quotedEnd(s, i+2, '\'', true)
		return token{tokString, i, j, ok}
	case c == '"':
		j, ok := quotedEnd(s, i+1, '"', false)
		return token{tokQuoted, i, j, ok}
	case c == '$':
		return lexDollar(s, i)
	case isIdentByte(c):
		j := i
		for j < len(s) && (isIdentByte(s[j]) || s[j] == '$') {
			j++
		}
		return token{tokWord, i, j, true}
	}
	return token{tokPunct, i, i + 1, true}
}

// lexDollar lexes what starts with "$": a dollar-quoted string $$...$$ or
// $tag$...$tag$, or a parameter $1 / $name.
func lexDollar(s string, i int) token {
	j := i + 1
	for j < len(s) && isIdentByte(s[j]) {
		j++
	}
	tag := s[i:j]
	if j < len(s) && s[j] == '$' && (len(tag) == 1 || !isDigit(tag[1])) {
		tag = s[i : j+1]
		k := strings.Index(s[j+1:], tag)
		if k < 0 {
			return token{tokString, i, len(s), false}
		}
		return token{tokString, i, j + 1 + k + len(tag), true}
	}
	if j == i+1 && j == len(s) {
		return token{tokParam, i, j, false} // a lone "$" at the end: maybe a dollar quote to come
	}
	return token{tokParam, i, j, true}
}

// quotedEnd returns the index after the closing quote q of a quoted text
// whose content starts at s[i]; a doubled quote stands for one, and with
// backslash a \ escapes the next byte.
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

// blockCommentEnd returns the index after the */ that closes the /* at
// s[i], counting nested comments as DuckDB's (PostgreSQL's) parser does.
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

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// tokens returns the tokens of s that are not blanks or comments.
func tokens(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		t := lexAt(s, i)
		if t.kind != tokSpace && t.kind != tokComment {
			out = append(out, t)
		}
		i = t.end
	}
	return out
}

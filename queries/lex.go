package queries

import "strings"

// kind is the lexical class of one element of SQL text.
type kind int

const (
	code    kind = iota // any byte outside the elements below
	literal             // '...' or E'...' string, or $$...$$ / $tag$...$tag$ dollar-quoted string
	quoted              // "..." identifier
	comment             // -- to end of line, or /* ... */ (nested)
)

// next returns the end (exclusive) of the lexical element that starts at
// s[i] and its kind, lexing as DuckDB does: string literals (with E'...'
// backslash escapes), quoted identifiers, comments (block comments nest)
// and dollar-quoted strings ($$...$$ or $tag$...$tag$) are one element
// each; any other byte is a code element of length one. An unterminated
// element extends to the end of s.
func next(s string, i int) (end int, k kind) {
	switch c := s[i]; {
	case c == '\'' || c == '"':
		k = literal
		if c == '"' {
			k = quoted
		}
		return quotedEnd(s, i+1, c, false), k
	case (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'' && (i == 0 || !isIdentChar(s[i-1])):
		return quotedEnd(s, i+2, '\'', true), literal
	case c == '-' && i+1 < len(s) && s[i+1] == '-':
		for j := i + 2; j < len(s); j++ {
			if s[j] == '\n' {
				return j, comment
			}
		}
		return len(s), comment
	case c == '/' && i+1 < len(s) && s[i+1] == '*':
		depth := 0
		for j := i; j+1 < len(s); {
			switch {
			case s[j] == '/' && s[j+1] == '*':
				depth++
				j += 2
			case s[j] == '*' && s[j+1] == '/':
				depth--
				j += 2
				if depth == 0 {
					return j, comment
				}
			default:
				j++
			}
		}
		return len(s), comment
	case c == '$':
		// $tag$ opens a dollar-quoted string closed by the same tag; a tag
		// does not start with a digit ($1 is a parameter).
		j := i + 1
		for j < len(s) && isIdentChar(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '$' && (j == i+1 || !('0' <= s[i+1] && s[i+1] <= '9')) {
			tag := s[i : j+1]
			if e := strings.Index(s[j+1:], tag); e >= 0 {
				return j + 1 + e + len(tag), literal
			}
			return len(s), literal
		}
	}
	return i + 1, code
}

// quotedEnd returns the offset just after the closing quote q of a quoted
// element whose content starts at s[i], or len(s) when it is not closed. A
// doubled quote stands for one; with backslash, \ escapes the next byte.
func quotedEnd(s string, i int, q byte, backslash bool) int {
	for i < len(s) {
		switch {
		case backslash && s[i] == '\\':
			i += 2
		case s[i] == q:
			if i+1 < len(s) && s[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || '0' <= c && c <= '9'
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

// paramRefs returns the distinct $name parameter references in the code of
// s (not in literals or comments), in order of first use. Positional
// references ($1) are returned as their digits.
func paramRefs(s string) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(s); {
		end, k := next(s, i)
		if k != code || s[i] != '$' {
			i = end
			continue
		}
		j := i + 1
		for j < len(s) && isIdentChar(s[j]) {
			j++
		}
		if name := s[i+1 : j]; name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
		i = j
	}
	return out
}

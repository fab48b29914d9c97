package queries

// kind is the lexical class of one element of SQL text.
type kind int

const (
	code    kind = iota // any byte outside the elements below
	literal             // '...' string, or $$...$$ dollar-quoted string
	quoted              // "..." identifier
	comment             // -- to end of line, or /* ... */
)

// next returns the end (exclusive) of the lexical element that starts at
// s[i] and its kind. String literals, quoted identifiers, comments and
// dollar-quoted strings are one element each; any other byte is a code
// element of length one. An unterminated element extends to the end of s.
func next(s string, i int) (end int, k kind) {
	switch c := s[i]; {
	case c == '\'' || c == '"':
		// A doubled quote inside is an escaped quote, not the end.
		j := i + 1
		for j < len(s) {
			if s[j] == c {
				if j+1 < len(s) && s[j+1] == c {
					j += 2
					continue
				}
				if c == '"' {
					return j + 1, quoted
				}
				return j + 1, literal
			}
			j++
		}
		if c == '"' {
			return len(s), quoted
		}
		return len(s), literal
	case c == '-' && i+1 < len(s) && s[i+1] == '-':
		for j := i + 2; j < len(s); j++ {
			if s[j] == '\n' {
				return j, comment
			}
		}
		return len(s), comment
	case c == '/' && i+1 < len(s) && s[i+1] == '*':
		for j := i + 2; j+1 < len(s); j++ {
			if s[j] == '*' && s[j+1] == '/' {
				return j + 2, comment
			}
		}
		return len(s), comment
	case c == '$' && i+1 < len(s) && s[i+1] == '$':
		for j := i + 2; j+1 < len(s); j++ {
			if s[j] == '$' && s[j+1] == '$' {
				return j + 2, literal
			}
		}
		return len(s), literal
	}
	return i + 1, code
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

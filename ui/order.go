package ui

import (
	"regexp"
	"strings"
)

// unorderedWords are the clauses after which DuckDB does not keep the row
// order from one run to the next (parallel hash tables), unless the
// statement says ORDER BY.
var unorderedWords = regexp.MustCompile(`(?i)\b(GROUP\s+BY|DISTINCT|JOIN|UNION|INTERSECT|EXCEPT|PIVOT|UNPIVOT)\b`)

var orderBy = regexp.MustCompile(`(?i)\bORDER\s+BY\b`)

// unstableOrder reports whether pages of text, run again for each page,
// could disagree on the row order: it groups, joins or removes duplicates
// and has no ORDER BY. String literals, quoted names and comments do not
// count. Such a statement's result is held whole instead (they are small
// as a rule: aggregates).
func unstableOrder(text string) bool {
	code := stripLiterals(text)
	return unorderedWords.MatchString(code) && !orderBy.MatchString(code)
}

// stripLiterals blanks out '...' strings, "..." names, -- and /* */
// comments, so that words inside them are not taken for clauses.
func stripLiterals(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\'' || s[i] == '"':
			q := s[i]
			j := i + 1
			for j < len(s) && !(s[j] == q && (j+1 >= len(s) || s[j+1] != q)) {
				if s[j] == q { // a doubled quote
					j++
				}
				j++
			}
			i = j + 1
			b.WriteByte(' ')
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return b.String()
			}
			i += j
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return b.String()
			}
			i += j + 4
			b.WriteByte(' ')
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

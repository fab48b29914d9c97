package queries

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// fnmatch reports whether name matches the shell glob pattern as Python's
// fnmatch does on POSIX (case-sensitive): * matches any run of characters,
// dots and slashes included; ? one character; [seq] and [!seq] a character
// class. A malformed class is matched literally, as Python does. A pattern
// checkGlob rejects (a reversed range) matches nothing.
func fnmatch(name, pattern string) bool {
	re, err := globRE(pattern)
	return err == nil && re.MatchString(name)
}

// checkGlob returns an error when pattern has a class that cannot match,
// such as the reversed range [z-a], or a "[" that opens no class (fnmatch
// matches it literally, as Python does, but in a configuration it is far
// more likely a typo that would quietly make a rule match nothing; [[]
// matches a literal "[").
func checkGlob(pattern string) error {
	if i := unclosedClass(pattern); i >= 0 {
		return fmt.Errorf("bad glob %q: the [ at position %d opens no class (write [[] for a literal [)", pattern, i+1)
	}
	if _, err := globRE(pattern); err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return fmt.Errorf("bad glob %q: %s %s", pattern, se.Code, se.Expr)
		}
		return fmt.Errorf("bad glob %q: %v", pattern, err)
	}
	return nil
}

// unclosedClass returns the rune index of the first "[" of pattern that
// translateGlob matches literally for want of a closing "]", or -1.
func unclosedClass(pattern string) int {
	p := []rune(pattern)
	for i := 0; i < len(p); i++ {
		if p[i] != '[' {
			continue
		}
		j := classEnd(p, i)
		if j >= len(p) {
			return i
		}
		i = j
	}
	return -1
}

// classEnd returns the index of the "]" that closes the class opened by
// the "[" at p[i] (a "]" first in the class, after an optional "!", is a
// member), or len(p) when none does.
func classEnd(p []rune, i int) int {
	j := i + 1
	if j < len(p) && p[j] == '!' {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	for j < len(p) && p[j] != ']' {
		j++
	}
	return j
}

var globCache sync.Map // pattern -> *regexp.Regexp

func globRE(pattern string) (*regexp.Regexp, error) {
	if re, ok := globCache.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(translateGlob(pattern))
	if err != nil {
		return nil, err
	}
	globCache.Store(pattern, re)
	return re, nil
}

// translateGlob converts a glob into an anchored regular expression.
func translateGlob(pattern string) string {
	p := []rune(pattern)
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			j := classEnd(p, i)
			if j >= len(p) {
				b.WriteString(`\[`)
				continue
			}
			class := string(p[i+1 : j])
			neg := strings.HasPrefix(class, "!")
			if neg {
				class = class[1:]
			}
			if neg {
				b.WriteString("[^")
			} else {
				b.WriteString("[")
			}
			for _, r := range class {
				// Every member is literal but the - of a range: escaped,
				// [ cannot start a POSIX class such as [:alpha:].
				if r != '-' && r < utf8.RuneSelf && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
			b.WriteString("]")
			i = j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`\z`)
	return b.String()
}

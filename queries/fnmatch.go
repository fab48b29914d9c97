package queries

import (
	"regexp"
	"strings"
	"sync"
)

// fnmatch reports whether name matches the shell glob pattern as Python's
// fnmatch does on POSIX (case-sensitive): * matches any run of characters,
// dots and slashes included; ? one character; [seq] and [!seq] a character
// class. A malformed class is matched literally, as Python does.
func fnmatch(name, pattern string) bool {
	return globRE(pattern).MatchString(name)
}

var globCache sync.Map // pattern -> *regexp.Regexp

func globRE(pattern string) *regexp.Regexp {
	if re, ok := globCache.Load(pattern); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(translateGlob(pattern))
	globCache.Store(pattern, re)
	return re
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
			if j >= len(p) {
				b.WriteString(`\[`)
				continue
			}
			class := string(p[i+1 : j])
			neg := strings.HasPrefix(class, "!")
			if neg {
				class = class[1:]
			}
			class = strings.ReplaceAll(class, `\`, `\\`)
			if strings.HasPrefix(class, "^") {
				class = `\` + class
			}
			if neg {
				b.WriteString("[^" + class + "]")
			} else {
				b.WriteString("[" + class + "]")
			}
			i = j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`\z`)
	return b.String()
}

package awscfg

import "strings"

// Redact returns s with the user information of every URL in it (the
// "user:password@" of http://user:password@host) replaced by "REDACTED@",
// so that a message can name an endpoint without its credentials. It works
// on text, not on parsed URLs, because the URLs worth redacting are often
// the ones that do not parse (a password holding "/" or a space makes
// url.Parse fail, and its error quotes the whole URL).
func Redact(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		quote := quoteBefore(s[:i])
		b.WriteString(s[:i+3])
		s = s[i+3:]
		// The authority ends at the closing quote of a quoted URL (a
		// password may hold a space), else at white space or a quote; its
		// user information ends at its last '@'.
		end := strings.IndexAny(s, " \t\n\"'`<>")
		if quote != 0 {
			end = strings.IndexByte(s, quote)
		}
		if end < 0 {
			end = len(s)
		}
		if at := strings.LastIndexByte(s[:end], '@'); at >= 0 {
			b.WriteString("REDACTED@")
			s = s[at+1:]
		}
	}
}

// quoteBefore returns the quote character just before the scheme that
// ends prefix ("http" of `"http`), or 0.
func quoteBefore(prefix string) byte {
	j := len(prefix)
	for j > 0 && isSchemeChar(prefix[j-1]) {
		j--
	}
	if j > 0 && strings.IndexByte("\"'`", prefix[j-1]) >= 0 {
		return prefix[j-1]
	}
	return 0
}

func isSchemeChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-'
}

package awscfg

import (
	"regexp"
	"strings"
)

// secretPatterns match credentials a server may echo in its error text
// (an S3-compatible server's 500 quoting the request's Authorization
// header, a presigned URL in a message): access key ids, SigV4 credential
// scopes and signatures, session tokens, Authorization header values,
// secret keys written as key=value, and the user info of URLs. Each is
// replaced by its name and [redacted].
var secretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	// An Authorization header's value, whatever its scheme (SigV4, SigV2's
	// "AWS KEYID:SIGNATURE", Basic): up to the end of the line or quote.
	{regexp.MustCompile(`(?i)(authorization["']?\s*[:=]\s*)[^\r\n"'<]+`), "${1}[redacted]"},
	// Query or header parameters of SigV4 and SigV2 presigned requests.
	{regexp.MustCompile(`(?i)\b((?:x-amz-)?(?:credential|signature|security-token)|awsaccesskeyid)(["']?\s*[=:]\s*["']?)[^\s,&"'<]+`), "${1}${2}[redacted]"},
	{regexp.MustCompile(`(?i)\b(aws_secret_access_key|secret_?access_?key|aws_session_token)(["']?\s*[=:]\s*["']?)[^\s,&"'<]+`), "${1}${2}[redacted]"},
	// Access key ids: long-term (AKIA), temporary (ASIA) and the other
	// IAM unique-id prefixes.
	{regexp.MustCompile(`\b(?:AKIA|ASIA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|AGPA|ABIA|ACCA)[A-Z0-9]{12,}\b`), "[redacted key id]"},
}

// Redact returns s with the credentials a server's text may carry replaced
// by [redacted]: access key ids (AKIA..., ASIA...), Credential=,
// Signature=, X-Amz-Credential=, X-Amz-Signature=, X-Amz-Security-Token=,
// Authorization header values, secret keys given as key=value, and user
// info in URLs. Every message of this package that carries text from a
// server goes through it.
func Redact(s string) string {
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return redactUserinfo(s)
}

// redactUserinfo returns s with the user information of every URL in it
// (the "user:password@" of http://user:password@host) replaced by
// "[redacted]@". It works on text, not on parsed URLs, because the URLs
// worth redacting are often the ones that do not parse (a password holding
// "/" or a space makes url.Parse fail, and its error quotes the whole URL).
func redactUserinfo(s string) string {
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
			b.WriteString("[redacted]@")
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

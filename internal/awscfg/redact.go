package awscfg

import "regexp"

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
	// user:password@ in a URL.
	{regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@`), "${1}[redacted]@"},
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
	return s
}

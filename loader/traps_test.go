package loader

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/s3logs/s3logs/schema"
)

// baseFields is a 26-field line (AWS's documented example), one element
// per field, quotes included.
func baseFields() []string {
	return []string{
		"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", // 1 bucketowner
		"DOC-EXAMPLE-BUCKET1",          // 2 bucket
		"[06/Feb/2019:00:00:38 +0000]", // 3 time
		"192.0.2.3",                    // 4 remoteip
		"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", // 5 requester
		"3E57427F3EXAMPLE",    // 6 requestid
		"REST.GET.VERSIONING", // 7 operation
		"-",                   // 8 key
		`"GET /DOC-EXAMPLE-BUCKET1?versioning HTTP/1.1"`, // 9 requesturi
		"200",             // 10 httpstatus
		"-",               // 11 errorcode
		"113",             // 12 bytessent
		"-",               // 13 objectsize
		"7",               // 14 totaltime
		"-",               // 15 turnaroundtime
		`"-"`,             // 16 referrer
		`"S3Console/0.4"`, // 17 useragent
		"-",               // 18 versionid
		"s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=", // 19 hostid
		"SigV4",                       // 20 signatureversion
		"ECDHE-RSA-AES128-GCM-SHA256", // 21 ciphersuite
		"AuthHeader",                  // 22 authenticationtype
		"DOC-EXAMPLE-BUCKET1.s3.us-west-1.amazonaws.com", // 23 hostheader
		"TLSV1.2", // 24 tlsVersion
		"-",       // 25 accesspointarn
		"-",       // 26 aclrequired
	}
}

// mkLine returns the base line after edit changed its fields (1-based).
func mkLine(edit func(f map[int]string)) string {
	f := map[int]string{}
	for i, v := range baseFields() {
		f[i+1] = v
	}
	edit(f)
	var parts []string
	for i := 1; ; i++ {
		v, ok := f[i]
		if !ok {
			break
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, " ")
}

// upTo returns an edit that keeps fields 1..n only.
func upTo(n int) func(map[int]string) {
	return func(f map[int]string) {
		for k := range f {
			if k > n {
				delete(f, k)
			}
		}
	}
}

// TestTrapsParsed covers the traps of the format that must load, with the
// values they must load as.
func TestTrapsParsed(t *testing.T) {
	oai := "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLEID"
	tests := []struct {
		name string
		line string
		want map[string]any
	}{
		{"base line", mkLine(func(map[int]string) {}), map[string]any{
			"bucketowner": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", "time": "2019-02-06T00:00:38Z",
			"requesturi": "GET /DOC-EXAMPLE-BUCKET1?versioning HTTP/1.1", "httpstatus": int64(200), "errorcode": nil,
			"bytessent": int64(113), "objectsize": nil, "totaltime": int64(7), "key": nil, "referrer": nil,
			"useragent": "S3Console/0.4", "tlsVersion": "TLSV1.2", "aclrequired": nil, "additionalFields": nil,
			"p_log_type": "AWS.S3ServerAccess", "p_source_id": "test.log", "p_source_label": "",
			"p_parse_time": "2026-01-02T03:04:05Z", "p_event_time": "2019-02-06T00:00:38Z",
		}},
		{"CloudFront OAI requester with spaces", mkLine(func(f map[int]string) { f[5] = oai }), map[string]any{
			"requester": oai, "requestid": "3E57427F3EXAMPLE", "operation": "REST.GET.VERSIONING",
			"p_any_aws_arns": []string{oai}, "p_any_aws_account_ids": nil,
		}},
		{"requester with spaces, UUID request id, four-part operation", mkLine(func(f map[int]string) {
			f[5], f[6], f[7] = oai, "0e6e7f67-2d1b-4b6f-9b1a-6f1f3b0c8d2e", "S3.COMPUTE.OBJECT.CHECKSUM"
		}), map[string]any{
			"requester": oai, "requestid": "0e6e7f67-2d1b-4b6f-9b1a-6f1f3b0c8d2e", "operation": "S3.COMPUTE.OBJECT.CHECKSUM", "key": nil,
		}},
		{"key that looks like an operation", mkLine(func(f map[int]string) { f[8] = "README.MD" }), map[string]any{
			"requester": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", "operation": "REST.GET.VERSIONING", "key": "README.MD",
		}},
		{"runs of spaces and trailing spaces", strings.ReplaceAll(mkLine(func(f map[int]string) { f[17] = `"a  b"` }), "200 -", "200   -") + "   ", map[string]any{
			"httpstatus": int64(200), "errorcode": nil, "useragent": "a  b", "aclrequired": nil,
		}},
		{"CRLF ending", mkLine(func(map[int]string) {}) + "\r\n", map[string]any{"aclrequired": nil, "tlsVersion": "TLSV1.2"}},
		{"27 and more fields go to additionalFields raw", mkLine(func(f map[int]string) { f[27], f[28], f[29] = "us-east-1", "-", "x=y" }), map[string]any{
			"aclrequired": nil, "additionalFields": []string{"us-east-1", "-", "x=y"},
		}},
		{"24 fields (up to tlsVersion)", mkLine(upTo(24)), map[string]any{"tlsVersion": "TLSV1.2", "accesspointarn": nil, "aclrequired": nil}},
		{"19 fields (up to hostid)", mkLine(upTo(19)), map[string]any{
			"hostid": "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=", "signatureversion": nil,
		}},
		{"positive offset to UTC", mkLine(func(f map[int]string) { f[3] = "[01/Jan/2020:00:30:00 +0530]" }), map[string]any{
			"time": "2019-12-31T19:00:00Z", "p_event_time": "2019-12-31T19:00:00Z",
		}},
		{"negative offset to UTC", mkLine(func(f map[int]string) { f[3] = "[31/Dec/2019:23:30:00 -0100]" }), map[string]any{"time": "2020-01-01T00:30:00Z"}},
		{"leap day", mkLine(func(f map[int]string) { f[3] = "[29/Feb/2024:12:00:00 +0000]" }), map[string]any{"time": "2024-02-29T12:00:00Z"}},
		{"quote in referrer", mkLine(func(f map[int]string) { f[16] = `"foo "bar" baz"` }), map[string]any{"referrer": `foo "bar" baz`, "useragent": "S3Console/0.4"}},
		{"quote inside user agent", mkLine(func(f map[int]string) {
			f[17] = `"Mozilla/5.0 (Linux; Android 5.1; Alba 10" Build/LMY47I) AppleWebKit/537.36"`
		}), map[string]any{"useragent": `Mozilla/5.0 (Linux; Android 5.1; Alba 10" Build/LMY47I) AppleWebKit/537.36`, "versionid": nil, "signatureversion": "SigV4"}},
		{"quote then space in request URI", mkLine(func(f map[int]string) { f[9] = `"GET /a" b HTTP/1.1"` }), map[string]any{"requesturi": `GET /a" b HTTP/1.1`, "httpstatus": int64(200)}},
		{"forged fields inside user agent stay in the user agent", mkLine(func(f map[int]string) {
			f[17] = `"x" - AAAA SigV4 NULL-CIPHER AuthHeader evil.example TLSv1.0 - -"`
		}), map[string]any{"useragent": `x" - AAAA SigV4 NULL-CIPHER AuthHeader evil.example TLSv1.0 - -`, "ciphersuite": "ECDHE-RSA-AES128-GCM-SHA256", "hostheader": "DOC-EXAMPLE-BUCKET1.s3.us-west-1.amazonaws.com"}},
		{"empty quoted user agent is empty, not NULL", mkLine(func(f map[int]string) { f[17] = `""` }), map[string]any{"useragent": ""}},
		{"invalid UTF-8 becomes U+FFFD", mkLine(func(f map[int]string) { f[17] = "\"caf\xe9 \xff\"" }), map[string]any{"useragent": "caf\uFFFD \uFFFD"}},
		{"valid UTF-8 kept", mkLine(func(f map[int]string) { f[8] = "caf%C3%A9/é" }), map[string]any{"key": "caf%C3%A9/é"}},
		{"IPv6 remote IP", mkLine(func(f map[int]string) { f[4] = "2001:db8::1" }), map[string]any{"remoteip": "2001:db8::1", "p_any_ip_addresses": []string{"2001:db8::1"}}},
		{"invalid remote IP kept, not indexed", mkLine(func(f map[int]string) { f[4] = "192.0.2.300" }), map[string]any{"remoteip": "192.0.2.300", "p_any_ip_addresses": nil}},
		{"IAM user ARN account", mkLine(func(f map[int]string) { f[5] = "arn:aws:iam::123456789012:user/alice" }), map[string]any{
			"p_any_aws_arns": []string{"arn:aws:iam::123456789012:user/alice"}, "p_any_aws_account_ids": []string{"123456789012"},
		}},
		{"bare - user agent after a quoted referrer (mixed quoting, unambiguous)", mkLine(func(f map[int]string) { f[17] = "-" }), map[string]any{
			"referrer": nil, "useragent": nil, "versionid": nil, "signatureversion": "SigV4", "tlsVersion": "TLSV1.2",
		}},
		{"bare - request URI with quoted referrer and user agent", mkLine(func(f map[int]string) { f[7], f[9] = "BATCH.DELETE.OBJECT", "-" }), map[string]any{
			"requesturi": nil, "httpstatus": int64(200), "referrer": nil, "useragent": "S3Console/0.4", "hostheader": "DOC-EXAMPLE-BUCKET1.s3.us-west-1.amazonaws.com",
		}},
		{"byte order mark before the first line", "\xef\xbb\xbf" + mkLine(func(map[int]string) {}), map[string]any{
			"bucketowner": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
		}},
		{"largest int64", mkLine(func(f map[int]string) { f[13] = "9223372036854775807" }), map[string]any{"objectsize": int64(9223372036854775807)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRow(t, tt.line, tt.want)
		})
	}
}

// TestTrapsRejected covers lines that must be rejected, with where and why.
func TestTrapsRejected(t *testing.T) {
	base := mkLine(func(map[int]string) {})
	colOf := func(line, sub string) int { return strings.Index(line, sub) + 1 }
	tests := []struct {
		name   string
		line   string
		col    int // 0: computed as the column of at
		at     string
		field  string
		kind   schema.RejectKind
		reason string // exact
	}{
		{name: "status is not a number", line: strings.Replace(base, " 200 ", " 2OO ", 1), at: "2OO",
			field: "httpstatus", kind: schema.RejectInteger, reason: `invalid integer "2OO"`},
		{name: "bytes sent is not a number", line: strings.Replace(base, " 113 ", " 11x ", 1), at: "11x",
			field: "bytessent", kind: schema.RejectInteger, reason: `invalid integer "11x"`},
		{name: "negative number", line: strings.Replace(base, " 7 ", " -7 ", 1), at: "-7",
			field: "totaltime", kind: schema.RejectInteger, reason: `invalid integer "-7"`},
		{name: "number overflows int64", line: strings.Replace(base, " 113 ", " 9223372036854775808 ", 1), at: "9223372036854775808",
			field: "bytessent", kind: schema.RejectInteger, reason: `invalid integer "9223372036854775808"`},
		{name: "31 February", line: strings.Replace(base, "06/Feb", "31/Feb", 1), at: "[31/Feb",
			field: "time", kind: schema.RejectTime, reason: `invalid time "[31/Feb/2019:00:00:38 +0000]", want [dd/Mon/yyyy:hh:mm:ss +hhmm]`},
		{name: "29 February of a common year", line: strings.Replace(base, "06/Feb/2019", "29/Feb/2019", 1), at: "[29/Feb",
			field: "time", kind: schema.RejectTime, reason: `invalid time "[29/Feb/2019:00:00:38 +0000]", want [dd/Mon/yyyy:hh:mm:ss +hhmm]`},
		{name: "hour 25", line: strings.Replace(base, "2019:00:00:38", "2019:25:00:38", 1), at: "[06/Feb",
			field: "time", kind: schema.RejectTime, reason: `invalid time "[06/Feb/2019:25:00:38 +0000]", want [dd/Mon/yyyy:hh:mm:ss +hhmm]`},
		{name: "unknown month", line: strings.Replace(base, "06/Feb", "06/Fev", 1), at: "[06/Fev",
			field: "time", kind: schema.RejectTime, reason: `invalid time "[06/Fev/2019:00:00:38 +0000]", want [dd/Mon/yyyy:hh:mm:ss +hhmm]`},
		{name: "year 0", line: strings.Replace(base, "06/Feb/2019", "06/Feb/0000", 1), at: "[06/Feb",
			field: "time", kind: schema.RejectTime, reason: `time "[06/Feb/0000:00:00:38 +0000]" is outside the years 0001 to 9999 (UTC): no S3 log holds it`},
		{name: "past 9999 in UTC", line: strings.Replace(base, "06/Feb/2019:00:00:38 +0000", "31/Dec/9999:23:00:38 -0100", 1), at: "[31/Dec",
			field: "time", kind: schema.RejectTime, reason: `time "[31/Dec/9999:23:00:38 -0100]" is outside the years 0001 to 9999 (UTC): no S3 log holds it`},
		{name: "time without offset", line: strings.Replace(base, " +0000]", "]", 1), at: "[06/Feb",
			field: "time", kind: schema.RejectTime, reason: `invalid time "[06/Feb/2019:00:00:38]", want [dd/Mon/yyyy:hh:mm:ss +hhmm]`},
		{name: "bucket owner is required", line: "-" + base[64:], col: 1,
			field: "bucketowner", kind: schema.RejectRequired, reason: "required field is -"},
		{name: "ends after the referrer", line: mkLine(upTo(16)), col: len(mkLine(upTo(16))) + 1,
			field: "useragent", kind: schema.RejectTruncated, reason: "truncated line: it ends before field 17 (useragent); a line has at least 17 fields, through useragent"},
		{name: "ends after the status", line: mkLine(upTo(10)), col: len(mkLine(upTo(10))) + 1,
			field: "errorcode", kind: schema.RejectTruncated, reason: "truncated line: it ends before field 11 (errorcode); a line has at least 17 fields, through useragent"},
		{name: "three fields", line: mkLine(upTo(3)), col: len(mkLine(upTo(3))) + 1,
			field: "remoteip", kind: schema.RejectTruncated, reason: "truncated line: it ends before field 4 (remoteip); a line has at least 17 fields, through useragent"},
		{name: "NUL byte", line: strings.Replace(base, "S3Console", "S3\x00Console", 1), at: "\x00",
			kind: schema.RejectBinary, reason: "binary data (NUL byte): not a log line"},
		{name: "another format (JSON)", line: `{"eventVersion":"1.08","userIdentity":{"type":"Root"}}`, col: 0,
			kind: schema.RejectNotLog, reason: "not an S3 server access log line: no [dd/Mon/yyyy:hh:mm:ss +hhmm] time as the third field"},
		{name: "another format (Apache)", line: `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326`, at: "frank",
			kind: schema.RejectNotLog, reason: "not an S3 server access log line: no [dd/Mon/yyyy:hh:mm:ss +hhmm] time as the third field"},
		{name: "two fields", line: "a b", col: 4,
			kind: schema.RejectNotLog, reason: "not an S3 server access log line: no [dd/Mon/yyyy:hh:mm:ss +hhmm] time as the third field"},
		{name: "truncated inside the request URI", line: mkLine(upTo(8)) + ` "GET /DOC-EXAM`, at: `"GET`,
			field: "requesturi", kind: schema.RejectTruncated, reason: "truncated line: unterminated quote"},
		{name: "ambiguous quoting", line: mkLine(func(f map[int]string) { f[17] = `"a" "b"` }), at: `"GET`,
			field: "requesturi", kind: schema.RejectAmbiguous, reason: "ambiguous quoting: the quoted request URI, referrer and user agent can be read more than one way"},
		{name: "request URI quote never closed before a space", line: strings.Replace(base, `HTTP/1.1"`, "HTTP/1.1", 1), at: `"GET`,
			field: "requesturi", kind: schema.RejectQuoting, reason: "cannot tell where the quoted fields end: no reading of the request URI, referrer and user agent fits the fields that follow (at best: referrer at column 482: want a quoted referrer or -)"},
		{name: "unquoted user agent", line: mkLine(func(f map[int]string) { f[17] = "curl/7.38.0" }), at: `"GET`,
			field: "requesturi", kind: schema.RejectQuoting, reason: "cannot tell where the quoted fields end: no reading of the request URI, referrer and user agent fits the fields that follow (at best: useragent at column 296: want a quoted user agent or -)"},
		{name: "unquoted request URI", line: strings.Replace(base, `"GET /DOC-EXAMPLE-BUCKET1?versioning HTTP/1.1"`, "GET", 1), at: "GET 200",
			field: "requesturi", kind: schema.RejectQuoting, reason: `want a quoted request ("GET /key HTTP/1.1") or -`},
		{name: "crafted to take quadratic time", line: mkLine(upTo(8)) + ` "GET /` + strings.Repeat(`" 200 - 1 1 1 1 "a" x`, 20000), at: `"GET`,
			field: "requesturi", kind: schema.RejectAmbiguous, reason: "ambiguous quoting: too many possible ends of the quoted fields to try"},
		{name: "more quotes than the search budget", line: mkLine(upTo(8)) + ` "GET /` + strings.Repeat(`"`, 1<<20+5), at: `"GET`,
			field: "requesturi", kind: schema.RejectAmbiguous, reason: "ambiguous quoting: too many possible ends of the quoted fields to try"},
		{name: "no operation", line: mkLine(upTo(4)) + strings.Repeat(" x", maxRequesterTokens+8), at: "x",
			field: "operation", kind: schema.RejectOperation, reason: "no operation (like REST.GET.OBJECT) within 32 fields after the remote IP"},
		{name: "ends before the operation", line: mkLine(upTo(4)) + strings.Repeat(" x", 5), col: len(mkLine(upTo(4))) + 11,
			field: "operation", kind: schema.RejectTruncated, reason: "truncated line: it ends before field 7 (operation); a line has at least 17 fields, through useragent"},
		{name: "missing requester", line: strings.Replace(base, "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE", "3E57427F3EXAMPLE", 1), at: "3E57427F3EXAMPLE",
			field: "requester", kind: schema.RejectRequester, reason: `missing requester or request id before operation "REST.GET.VERSIONING"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row, rej := parseOne(t, tt.line)
			if rej == nil {
				t.Fatalf("parsed, want a reject; row: %v", row)
			}
			col := tt.col
			if tt.at != "" {
				col = colOf(tt.line, tt.at)
			}
			if tt.name == "another format (JSON)" {
				col = len(tt.line) + 1
			}
			got := *rej
			if got.Kind != tt.kind || !errors.Is(rej, tt.kind) {
				t.Errorf("kind %v, want %v", got.Kind, tt.kind)
			}
			if got.Source != "test.log" || got.Line != 1 || got.Column != col || got.Field != tt.field || got.Reason != tt.reason || string(got.Raw) != tt.line {
				t.Errorf("reject\n got %s:%d:%d: %s: %s (raw %q)\nwant test.log:1:%d: %s: %s (raw %q)",
					got.Source, got.Line, got.Column, got.Field, got.Reason, got.Raw, col, tt.field, tt.reason, tt.line)
			}
		})
	}
}

func TestRejectError(t *testing.T) {
	tests := []struct {
		rej  Reject
		want string
	}{
		{Reject{Source: "access.log", Line: 1234, Column: 57, Field: "httpstatus", Reason: `invalid integer "2OO"`}, `access.log:1234:57: httpstatus: invalid integer "2OO"`},
		{Reject{Source: "a.log", Line: 3, Reason: "line longer than 10 bytes"}, "a.log:3: line longer than 10 bytes"},
		{Reject{Source: "a.log", Line: 3, Column: 1, Reason: "binary data (NUL byte): not a log line"}, "a.log:3:1: binary data (NUL byte): not a log line"},
	}
	for _, tt := range tests {
		if got := tt.rej.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// TestRejectWrapsKind checks that a Reject, wrapped once more by a caller,
// still answers errors.Is for its kind (and no other) and errors.As.
func TestRejectWrapsKind(t *testing.T) {
	_, rej := parseOne(t, strings.Replace(mkLine(func(map[int]string) {}), " 200 ", " 2OO ", 1))
	if rej == nil {
		t.Fatal("parsed, want a reject")
	}
	err := fmt.Errorf("load: %w", rej)
	for _, k := range schema.RejectKinds() {
		if got, want := errors.Is(err, k), k == schema.RejectInteger; got != want {
			t.Errorf("errors.Is(err, %v) = %v, want %v", k, got, want)
		}
	}
	var got *Reject
	if !errors.As(err, &got) || got.Field != "httpstatus" || got.Line != 1 {
		t.Errorf("errors.As: %v, %+v", errors.As(err, &got), got)
	}
	var kind schema.RejectKind
	if !errors.As(err, &kind) || kind != schema.RejectInteger {
		t.Errorf("errors.As kind = %v, want %v", kind, schema.RejectInteger)
	}
}

// TestIndex checks the bitmaps of index and the lookups on them
// (tokenEnd, skipSpaces, the quote positions, the ASCII flag) against
// plain loops, on lines of every length around the 64-byte blocks, with
// runs of spaces across block ends, quotes, and bytes that are not ASCII
// (0xa0 and 0xa2 differ from a space and a quote in the high bit only).
func TestIndex(t *testing.T) {
	var p parser
	pattern := []byte("ab \"c  d\" \xa0\xa2    e\"f   " + strings.Repeat(" ", 70) + "gh\"i")
	for n := 0; n <= 200; n++ {
		for _, shift := range []int{0, 1, 7, 31} {
			line := make([]byte, n)
			for i := range line {
				line[i] = pattern[(i+shift)%len(pattern)]
			}
			if n == 150 {
				line = bytes.ReplaceAll(line, []byte("\xa0"), []byte("x")) // a long line of ASCII
				line = bytes.ReplaceAll(line, []byte("\xa2"), []byte("y"))
			}
			p.line = line
			ascii, nul := p.index(line)
			if want := !bytes.ContainsFunc(line, func(r rune) bool { return r >= 0x80 }); ascii != want || nul {
				t.Errorf("index(%q) = %v, %v, want %v, false", line, ascii, nul, want)
			}
			var quotes []int
			for i := 0; i <= n; i++ {
				end, next := i, i
				for end < n && line[end] != ' ' {
					end++
				}
				for next < n && line[next] == ' ' {
					next++
				}
				if got := p.tokenEnd(i); got != end {
					t.Errorf("tokenEnd(%q, %d) = %d, want %d", line, i, got, end)
				}
				if got := p.skipSpaces(i); got != next {
					t.Errorf("skipSpaces(%q, %d) = %d, want %d", line, i, got, next)
				}
				if i < n && line[i] == '"' {
					quotes = append(quotes, i)
				}
			}
			for _, from := range []int{0, 3, 64, 65, 130} {
				if from >= n {
					continue
				}
				p.quotes = p.quotes[:0]
				p.quoted(from) // fills p.quotes first, whatever it then decides
				var want []int
				for _, q := range quotes {
					if q >= from {
						want = append(want, q)
					}
				}
				if !slices.Equal(p.quotes, want) {
					t.Errorf("quotes of %q from %d = %v, want %v", line, from, p.quotes, want)
				}
			}
		}
	}
}

// TestIndexBlocks holds indexBlocks (assembly on amd64) to the portable
// indexBlocksGo and to plain loops, on random blocks rich in spaces,
// quotes, NULs and high bytes.
func TestIndexBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte{' ', '"', 0, 0x80, 0xa0, 0xa2, 0xff, 0x7f, '!', 'a', 0x20 | 0x80, 0x22 | 0x80}
	for n := 0; n <= 5; n++ {
		for range 300 {
			b := make([]byte, 64*n)
			kinds := 1 + rng.IntN(len(alphabet))
			for i := range b {
				b[i] = alphabet[rng.IntN(kinds)]
			}
			sp, qt := make([]uint64, n), make([]uint64, n)
			sp2, qt2 := make([]uint64, n), make([]uint64, n)
			hi, nul := indexBlocks(b, sp, qt)
			hi2, nul2 := indexBlocksGo(b, sp2, qt2)
			wantHi, wantNul := bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x80 || r == utf8.RuneError }), bytes.IndexByte(b, 0) >= 0
			if hi != wantHi || nul != wantNul || hi2 != wantHi || nul2 != wantNul {
				t.Fatalf("%x: hi, nul = %v, %v (Go %v, %v), want %v, %v", b, hi, nul, hi2, nul2, wantHi, wantNul)
			}
			for w := range n {
				var ws, wq uint64
				for j := range 64 {
					if b[w*64+j] == ' ' {
						ws |= 1 << j
					}
					if b[w*64+j] == '"' {
						wq |= 1 << j
					}
				}
				if sp[w] != ws || qt[w] != wq || sp2[w] != ws || qt2[w] != wq {
					t.Fatalf("%x block %d: spaces %x quotes %x (Go %x %x), want %x %x", b, w, sp[w], qt[w], sp2[w], qt2[w], ws, wq)
				}
			}
		}
	}
}

// TestIsOperation covers the operation shapes S3 logs and the tokens that
// stand next to them.
func TestIsOperation(t *testing.T) {
	for tok, want := range map[string]bool{
		"REST.GET.OBJECT": true, "S3.COMPUTE.OBJECT.CHECKSUM": true, "SOAP.CreateBucket": true, "WEBSITE.GET.OBJECT": true,
		"BATCH.DELETE.OBJECT": true, "S3.EXPIRE.OBJECT": true, "REST.GET.LOGGING_STATUS": true,
		"3E57427F3EXAMPLE": false, "0e6e7f67-2d1b-4b6f-9b1a-6f1f3b0c8d2e": false, "REST": false, "REST.": false,
		"rest.get.object": false, ".GET": false, "REST..GET": false, "ABCDEFGHIJKL.X": false, "E2EXAMPLEID": false, "-": false,
		"ABCDEFGHIJ.X": true, "ABCDEFGHIJK.X": false, "ABCDEFGH.X": true, "ABCDEFGHIJ": false, "A.B": true, "A1234567.Bc_d": true,
	} {
		if got := isOperation([]byte(tok)); got != want {
			t.Errorf("isOperation(%q) = %v, want %v", tok, got, want)
		}
	}
}

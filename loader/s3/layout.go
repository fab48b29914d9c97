package s3

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// The two key layouts of S3 server access logs (see FORMAT.md):
//
//	simple:      [DestinationPrefix]YYYY-MM-DD-hh-mm-ss-UniqueString
//	partitioned: [DestinationPrefix]SourceAccountId/SourceRegion/SourceBucket/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-UniqueString
var (
	// logName matches the name part of both layouts, at the end of a key.
	logName = regexp.MustCompile(`(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[^/]+$`)
	// dayFolder matches what precedes the name in the partitioned layout;
	// group 1 is the source-bucket prefix, group 2 the day.
	dayFolder = regexp.MustCompile(`^((?:.*/)?\d{12}/[a-z]{2}(?:-[a-z]+)+-\d+/[^/]+/)(\d{4}/\d{2}/\d{2})/$`)
	// sourcePrefix matches a prefix that starts with a source-bucket
	// prefix (DestinationPrefix + account/region/bucket/); group 1 is it.
	sourcePrefix = regexp.MustCompile(`^((?:.*/)?\d{12}/[a-z]{2}(?:-[a-z]+)+-\d+/[^/]+/)`)
)

// layout is a key layout.
type layout int

const (
	unknown     layout = iota // a key that follows neither layout
	simple                    // [DestinationPrefix]YYYY-MM-DD-hh-mm-ss-UniqueString
	partitioned               // [DestinationPrefix]Account/Region/Bucket/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-UniqueString
)

// String returns the layout's name, for messages.
func (l layout) String() string {
	return [...]string{"unknown", "simple", "partitioned"}[l]
}

// keyInfo is what a key says about its object.
type keyInfo struct {
	layout layout
	base   string    // simple: the DestinationPrefix; partitioned: the source-bucket prefix
	t      time.Time // simple: delivery time from the name; partitioned: the day folder
}

// parseKey classifies key. The time of a simple key is the one in its
// name; that of a partitioned key is its day folder.
func parseKey(key string) keyInfo {
	m := logName.FindStringSubmatchIndex(key)
	if m == nil {
		return keyInfo{}
	}
	t, err := time.Parse(keyFormat, key[m[0]:m[0]+len(keyFormat)])
	if err != nil {
		return keyInfo{}
	}
	base := key[:m[0]]
	if d := dayFolder.FindStringSubmatch(base); d != nil {
		day, err := time.Parse(dayFormat, d[2])
		if err != nil {
			return keyInfo{}
		}
		return keyInfo{layout: partitioned, base: d[1], t: day}
	}
	return keyInfo{layout: simple, base: base, t: t}
}

// parseURL splits s3://bucket/prefix. The prefix may be empty; it is used
// as given (a trailing "/" is not added: s3://b/logs also matches
// logs-old/, as in S3 itself).
func parseURL(s string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%s: not an s3:// URL (want s3://bucket/prefix)", s)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%s: no bucket name (want s3://bucket/prefix)", s)
	}
	if strings.ContainsAny(bucket, " ?#") {
		return "", "", fmt.Errorf("%s: invalid bucket name %q", s, bucket)
	}
	return bucket, prefix, nil
}

// objectURL is the s3:// name of a key, used as Object.Name and ID.
func objectURL(bucket, key string) string {
	return "s3://" + bucket + "/" + key
}

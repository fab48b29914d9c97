package s3

import (
	"strings"
	"testing"
	"time"
)

func TestParseKey(t *testing.T) {
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		key  string
		want keyInfo
	}{
		{"logs/2024-01-02-03-04-05-0A1B2C3D4E5F6A7B", keyInfo{simple, "logs/", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"2024-01-02-03-04-05-0A1B2C3D4E5F6A7B", keyInfo{simple, "", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"access-log-2024-01-02-03-04-05-X.gz", keyInfo{simple, "access-log-", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"logs/123456789012/us-east-1/my-bucket/2024/01/02/2024-01-02-23-59-59-ABC", keyInfo{partitioned, "logs/123456789012/us-east-1/my-bucket/", day(2024, 1, 2)}},
		{"123456789012/eu-west-3/b.example/2023/12/31/2024-01-01-00-10-00-ABC", keyInfo{partitioned, "123456789012/eu-west-3/b.example/", day(2023, 12, 31)}},
		{"a/b/123456789012/us-gov-west-1/b/2024/02/29/2024-02-29-10-00-00-Z", keyInfo{partitioned, "a/b/123456789012/us-gov-west-1/b/", day(2024, 2, 29)}},
		// An account segment that is not 12 digits, or a region that is not
		// one, makes a simple layout under a folder.
		{"logs/12345/us-east-1/b/2024/01/02/2024-01-02-03-04-05-A", keyInfo{simple, "logs/12345/us-east-1/b/2024/01/02/", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"logs/2024-13-02-03-04-05-A", keyInfo{}},
		{"logs/2024-01-02-03-04-05", keyInfo{}},
		{"logs/2024-01-02-03-04-05-A/", keyInfo{}},
		{"logs/README", keyInfo{}},
		{"", keyInfo{}},
	}
	for _, tc := range tests {
		got := parseKey(tc.key)
		if got.layout != tc.want.layout || got.base != tc.want.base || !got.t.Equal(tc.want.t) {
			t.Errorf("parseKey(%q) = {%v %q %v}, want {%v %q %v}", tc.key, got.layout, got.base, got.t, tc.want.layout, tc.want.base, tc.want.t)
		}
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url, bucket, prefix, err string
	}{
		{url: "s3://b/logs/", bucket: "b", prefix: "logs/"},
		{url: "s3://b", bucket: "b"},
		{url: "s3://b/", bucket: "b"},
		{url: "s3://b/a%20b/x", bucket: "b", prefix: "a%20b/x"},
		{url: "s3:///x", err: "s3:///x: no bucket name (want s3://bucket/prefix)"},
		{url: "/tmp/x", err: "/tmp/x: not an s3:// URL (want s3://bucket/prefix)"},
		{url: "s3://a b/x", err: `s3://a b/x: invalid bucket name "a b"`},
	}
	for _, tc := range tests {
		b, p, err := parseURL(tc.url)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("parseURL(%q) err = %v, want %s", tc.url, err, tc.err)
			}
			continue
		}
		if err != nil || b != tc.bucket || p != tc.prefix {
			t.Errorf("parseURL(%q) = %q, %q, %v; want %q, %q", tc.url, b, p, err, tc.bucket, tc.prefix)
		}
	}
}

func TestWindowKeep(t *testing.T) {
	at := func(d, h int) time.Time { return time.Date(2024, 1, d, h, 0, 0, 0, time.UTC) }
	w := window{since: at(10, 6), until: at(11, 0), margin: 3 * time.Hour} // listed: [Jan 10 03:00, Jan 11 03:00)
	tests := []struct {
		t    time.Time
		day  bool
		want bool
	}{
		{at(10, 2), false, false},
		{at(10, 3), false, true},
		{at(11, 2), false, true},
		{at(11, 3), false, false},
		{at(9, 0), true, false}, // Jan 9 ends before Jan 10 03:00
		{at(10, 0), true, true},
		{at(11, 0), true, true}, // Jan 11 starts before Jan 11 03:00
		{at(12, 0), true, false},
	}
	for _, tc := range tests {
		if got := w.keep(tc.t, tc.day); got != tc.want {
			t.Errorf("keep(%v, day=%v) = %v, want %v", tc.t, tc.day, got, tc.want)
		}
	}
	if got := (window{}).keep(at(1, 0), false); !got {
		t.Errorf("an unbounded window drops a key")
	}
	if got, want := ceilDay(at(11, 3)), at(12, 0); !got.Equal(want) {
		t.Errorf("ceilDay = %v, want %v", got, want)
	}
	if got, want := ceilDay(at(11, 0)), at(11, 0); !got.Equal(want) {
		t.Errorf("ceilDay of midnight = %v, want %v", got, want)
	}
}

// FuzzParseKey checks that any key is classified without panicking, and
// that a recognised key's base is a prefix of it ending where the layout
// says.
func FuzzParseKey(f *testing.F) {
	for _, k := range []string{
		"logs/2024-01-02-03-04-05-0A1B2C3D4E5F6A7B",
		"logs/123456789012/us-east-1/my-bucket/2024/01/02/2024-01-02-23-59-59-ABC",
		"123456789012/eu-west-3/b/2023/12/31/2024-01-01-00-10-00-ABC.gz",
		"logs/README", "", "/", "2024-01-02-03-04-05-",
	} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		info := parseKey(key)
		switch info.layout {
		case unknown:
			if info.base != "" || !info.t.IsZero() {
				t.Errorf("unknown key %q has base %q, time %v", key, info.base, info.t)
			}
		case simple:
			if !strings.HasPrefix(key, info.base) || logName.FindStringIndex(key)[0] != len(info.base) {
				t.Errorf("simple key %q: base %q is not what precedes the name", key, info.base)
			}
		case partitioned:
			day := info.t.Format(dayFormat) + "/"
			if !strings.HasPrefix(key, info.base+day) {
				t.Errorf("partitioned key %q does not start with base %q and day %s", key, info.base, day)
			}
		}
	})
}

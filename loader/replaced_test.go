package loader

import (
	"slices"
	"strings"
	"testing"
)

// TestReplaced checks which values of a line with bytes that are not
// valid UTF-8 are marked (Reader.Replaced, Stats.Replaced), and that valid
// UTF-8 (4-byte sequences, and U+FFFD written in the log itself) is not.
func TestReplaced(t *testing.T) {
	line := func(key, ua, extra string) string {
		return `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 ` +
			`79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.OBJECT ` + key +
			` "GET /awsexamplebucket/` + key + ` HTTP/1.1" 200 - 113 - 7 - "-" "` + ua + `" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= ` +
			`SigV2 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket.s3.amazonaws.com TLSv1.2 - -` + extra
	}
	tests := []struct {
		name string
		line string
		want []string // the fields marked
	}{
		{"ASCII", line("a.txt", "S3Console/0.4", ""), nil},
		{"4-byte UTF-8", line("\xf0\x9f\x98\x80.txt", "agent \xf0\x9f\x98\x80", ""), nil},
		{"U+FFFD in the log", line("\xef\xbf\xbd.txt", "\xef\xbf\xbd", ""), nil},
		{"invalid user agent", line("a.txt", "agent \xff\xfe", ""), []string{"useragent"}},
		{"invalid key", line("caf\xe9.txt", "S3Console/0.4", ""), []string{"key", "requesturi"}},
		{"cut 4-byte sequence", line("a.txt", "agent \xf0\x9f\x98", ""), []string{"useragent"}},
		{"invalid additional field", line("a.txt", "S3Console/0.4", " ok \xc3("), []string{"additionalFields"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := line("first.txt", "x", "") + "\n" + tt.line + "\n"
			r := NewReader(strings.NewReader(input), "src", Options{ParseTime: testParseTime})
			defer r.Release()
			var got []string
			for r.Next() {
				ids := r.RecordBatch().Column(r.RecordBatch().Schema().FieldIndices("p_row_id")[0])
				for _, m := range r.Replaced() {
					if m.Line != 2 || m.Row != 1 || m.RowID != ids.ValueStr(m.Row) {
						t.Errorf("mark %+v, want line 2, row 1, p_row_id %s", m, ids.ValueStr(1))
					}
					got = append(got, m.Field)
				}
			}
			st := r.Stats()
			if st.Rows != 2 || !slices.Equal(got, tt.want) {
				t.Errorf("rows %d, fields marked %q; want 2 rows, %q", st.Rows, got, tt.want)
			}
			if want := int64(min(len(tt.want), 1)); st.Replaced != want {
				t.Errorf("Stats.Replaced = %d, want %d", st.Replaced, want)
			}
		})
	}
}

// TestReplacedJSON checks that a JSON record's values are marked as a text
// line's are: raw bytes that are not valid UTF-8 in a string are marked,
// valid 4-byte UTF-8 is not.
func TestReplacedJSON(t *testing.T) {
	rec := func(key, ua string) string {
		return `{"bucket_name":"b","request_time":"2026-07-01T00:00:00.000Z","bucket_owner_id":"o","http_status":200,"key_name":"` + key + `","user_agent":"` + ua + `"}`
	}
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"valid", rec("\xf0\x9f\x98\x80", "ok"), nil},
		{"invalid key and agent", rec("a\xff", "b\xc3"), []string{"key", "useragent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.line+"\n"), "src", Options{ParseTime: testParseTime, Format: FormatJSON})
			defer r.Release()
			var got []string
			for r.Next() {
				for _, m := range r.Replaced() {
					got = append(got, m.Field)
				}
			}
			if st := r.Stats(); st.Rows != 1 || !slices.Equal(got, tt.want) || st.Replaced != int64(min(len(tt.want), 1)) {
				t.Errorf("stats %+v, fields marked %q; want 1 row, %q", st, got, tt.want)
			}
		})
	}
}

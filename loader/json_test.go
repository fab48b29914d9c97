package loader

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/schema"
)

// noExtraTraps are the traps whose lines a JSON record says exactly: every
// trap but unknown fields after the 27th, which have no AWS key.
const noExtraTraps = gen.AllTraps &^ gen.TrapExtraFields

// textAndJSON returns n generated requests as text lines and as JSON lines.
func textAndJSON(n int, seed int64) (text, js []byte) {
	g := gen.New(gen.Options{Seed: seed, TrapRate: 0.05, Traps: noExtraTraps})
	for range n {
		r := g.Next()
		text = append(r.AppendLine(text), '\n')
		js = append(r.AppendJSON(js), '\n')
	}
	return text, js
}

// TestJSONSameRowsAsText reads the same generated requests as text and as
// JSON lines, from the same source id, and compares every column of every
// row, p_ columns included (p_row_id too: it is of the source and line).
func TestJSONSameRowsAsText(t *testing.T) {
	text, js := textAndJSON(5000, 12)
	want := readAll(t, string(text), "same.log", Options{BatchRows: 700})
	got := readAll(t, string(js), "same.log", Options{BatchRows: 700, Format: FormatJSON})
	for _, rj := range got.rejects {
		t.Fatalf("JSON rejected: %v\n%s", rj.Error(), rj.Raw)
	}
	if len(got.rows) != len(want.rows) || len(want.rejects) != 0 {
		t.Fatalf("%d JSON rows, %d text rows (%d text rejects)", len(got.rows), len(want.rows), len(want.rejects))
	}
	for i := range want.rows {
		if !reflect.DeepEqual(got.rows[i], want.rows[i]) {
			for _, c := range schema.S3ServerAccess.Columns {
				if g, w := got.rows[i][c.Name], want.rows[i][c.Name]; !reflect.DeepEqual(g, w) {
					t.Errorf("line %d %s: JSON %#v, text %#v", i+1, c.Name, g, w)
				}
			}
			t.Fatalf("line %d differs:\n%s", i+1, bytes.Split(js, []byte("\n"))[i])
		}
	}
}

// jsonCases are single JSON lines and what they become: the columns named
// in row, or a reject of kind in field.
var jsonCases = []struct {
	name  string
	line  string
	row   map[string]any
	kind  schema.RejectKind
	field string
}{
	{name: "minimal", line: `{"request_time":"2026-07-01T12:34:56.789Z"}`,
		row: map[string]any{"time": "2026-07-01T12:34:56.789Z", "p_event_time": "2026-07-01T12:34:56.789Z", "bucketowner": nil, "httpstatus": nil, "additionalFields": nil}},
	{name: "subset", line: `{"bucket_name":"b1","request_time":"2026-07-01T00:00:00.000Z","http_status":403,"remote_ip":"192.0.2.9","requester":"arn:aws:iam::123456789012:user/x"}`,
		row: map[string]any{"bucket": "b1", "httpstatus": int64(403), "remoteip": "192.0.2.9", "p_any_ip_addresses": []string{"192.0.2.9"},
			"p_any_aws_arns": []string{"arn:aws:iam::123456789012:user/x"}, "p_any_aws_account_ids": []string{"123456789012"}, "useragent": nil}},
	{name: "keys in any order, whitespace", line: " { \"http_status\" : 200 ,\t\"request_time\" : \"2026-07-01T00:00:00Z\" } ",
		row: map[string]any{"httpstatus": int64(200), "time": "2026-07-01T00:00:00Z"}},
	{name: "keys out of AWS's order", line: `{"http_status":404,"bucket_owner_id":"o","request_time":"2026-07-01T00:00:00Z","bucket_name":"b","schema_version_id":"V_1_0"}`,
		row: map[string]any{"httpstatus": int64(404), "bucketowner": "o", "bucket": "b", "additionalFields": nil}},
	{name: "escapes", line: `{"request_time":"2026-07-01T00:00:00.1Z","user_agent":"a \"q\" \\ \u00e9 \ud83d\ude00 \/ \t","key_name":"\ud800x"}`,
		row: map[string]any{"useragent": "a \"q\" \\ é 😀 / \t", "key": "\ufffdx", "time": "2026-07-01T00:00:00.1Z"}},
	{name: "dash is NULL as in text", line: `{"request_time":"2026-07-01T00:00:00Z","error_code":"-","source_region":"-"}`,
		row: map[string]any{"errorcode": nil, "additionalFields": nil}},
	{name: "offset converted to UTC, microseconds kept", line: `{"request_time":"2026-07-01T02:00:00.123456789+02:00"}`,
		row: map[string]any{"time": "2026-07-01T00:00:00.123456Z"}},
	{name: "source_region first", line: `{"request_time":"2026-07-01T00:00:00Z","source_region":"eu-west-1"}`,
		row: map[string]any{"additionalFields": []string{"eu-west-1"}}},
	{name: "implied arn and known version not stored", line: `{"schema_version_id":"V_1_0","bucket_arn":"arn:aws:s3:::b","bucket_name":"b","request_time":"2026-07-01T00:00:00Z"}`,
		row: map[string]any{"bucket": "b", "additionalFields": nil}},
	{name: "other arn, new version and unknown keys kept", line: `{"schema_version_id":"V_2_0","bucket_arn":"arn:aws-cn:s3:::b","bucket_name":"b","request_time":"2026-07-01T00:00:00Z","new_field":"x","n":1.5,"o":{"a":[1,true,null]},"gone":null}`,
		row: map[string]any{"additionalFields": []string{"-", "bucket_arn=arn:aws-cn:s3:::b", "schema_version_id=V_2_0", "new_field=x", "n=1.5", `o={"a":[1,true,null]}`}}},
	{name: "timestamp prefix wrapper", line: `2026-07-01T12:34:56.790Z {"request_time":"2026-07-01T12:34:56.789Z","bucket_name":"b"}`,
		row: map[string]any{"bucket": "b", "time": "2026-07-01T12:34:56.789Z"}},
	{name: "message string wrapper", line: `{"timestamp":1782909296789,"message":"{\"request_time\":\"2026-07-01T12:34:56.789Z\",\"bucket_name\":\"b\\\"q\"}"}`,
		row: map[string]any{"bucket": `b"q`, "time": "2026-07-01T12:34:56.789Z", "additionalFields": nil}},
	{name: "message object wrapper", line: `{"id":"1","message":{"request_time":"2026-07-01T12:34:56.789Z","bucket_name":"b"}}`,
		row: map[string]any{"bucket": "b", "additionalFields": nil}},
	{name: "message beside record keys is an unknown key", line: `{"request_time":"2026-07-01T00:00:00Z","message":"hi"}`,
		row: map[string]any{"additionalFields": []string{"-", "message=hi"}}},
	{name: "BOM-free invalid UTF-8 kept as U+FFFD", line: "{\"request_time\":\"2026-07-01T00:00:00Z\",\"user_agent\":\"a\xffb\"}",
		row: map[string]any{"useragent": "a\ufffdb"}},

	{name: "no time", line: `{"bucket_name":"b"}`, kind: schema.RejectNoTime},
	{name: "null time", line: `{"request_time":null}`, kind: schema.RejectNoTime},
	{name: "empty object", line: `{}`, kind: schema.RejectNoTime},
	{name: "bad time", line: `{"request_time":"2026-02-30T00:00:00Z"}`, kind: schema.RejectTime, field: "time"},
	{name: "text time", line: `{"request_time":"[06/Feb/2019:00:00:38 +0000]"}`, kind: schema.RejectTime, field: "time"},
	{name: "epoch time", line: `{"request_time":1782909296789}`, kind: schema.RejectType, field: "time"},
	{name: "string status", line: `{"request_time":"2026-07-01T00:00:00Z","http_status":"200"}`, kind: schema.RejectType, field: "httpstatus"},
	{name: "number bucket", line: `{"request_time":"2026-07-01T00:00:00Z","bucket_name":7}`, kind: schema.RejectType, field: "bucket"},
	{name: "bool region", line: `{"request_time":"2026-07-01T00:00:00Z","source_region":true}`, kind: schema.RejectType},
	{name: "object for string", line: `{"request_time":"2026-07-01T00:00:00Z","user_agent":{"a":1}}`, kind: schema.RejectType, field: "useragent"},
	{name: "negative", line: `{"request_time":"2026-07-01T00:00:00Z","object_size":-1}`, kind: schema.RejectInteger, field: "objectsize"},
	{name: "fraction", line: `{"request_time":"2026-07-01T00:00:00Z","total_duration":1.5}`, kind: schema.RejectInteger, field: "totaltime"},
	{name: "overflow", line: `{"request_time":"2026-07-01T00:00:00Z","bytes_sent_size":99999999999999999999}`, kind: schema.RejectInteger, field: "bytessent"},
	{name: "leading zero", line: `{"request_time":"2026-07-01T00:00:00Z","http_status":0200}`, kind: schema.RejectJSON},
	{name: "truncated", line: `{"request_time":"2026-07-01T00:00:00Z","bucket_name":"b`, kind: schema.RejectJSON},
	{name: "truncated after comma", line: `{"request_time":"2026-07-01T00:00:00Z",`, kind: schema.RejectJSON},
	{name: "truncated in escape", line: `{"request_time":"2026-07-01T00:00:00Z","bucket_name":"b\u00`, kind: schema.RejectJSON},
	{name: "duplicate key", line: `{"request_time":"2026-07-01T00:00:00Z","bucket_name":"a","bucket_name":"b"}`, kind: schema.RejectJSON},
	{name: "trailing garbage", line: `{"request_time":"2026-07-01T00:00:00Z"} x`, kind: schema.RejectJSON},
	{name: "concatenated records", line: `{"request_time":"2026-07-01T00:00:00Z"}{"request_time":"2026-07-01T00:00:00Z"}`, kind: schema.RejectJSON},
	{name: "raw control character", line: "{\"request_time\":\"2026-07-01T00:00:00Z\",\"key_name\":\"a\tb\"}", kind: schema.RejectJSON},
	{name: "bad escape", line: `{"request_time":"2026-07-01T00:00:00Z","key_name":"a\qb"}`, kind: schema.RejectJSON},
	{name: "NUL escape", line: `{"request_time":"2026-07-01T00:00:00Z","key_name":"a\u0000b"}`, kind: schema.RejectBinary},
	{name: "single quotes", line: `{'request_time':'2026-07-01T00:00:00Z'}`, kind: schema.RejectJSON},
	{name: "deep nesting", line: `{"request_time":"2026-07-01T00:00:00Z","x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`, kind: schema.RejectJSON},
	{name: "array", line: `[{"request_time":"2026-07-01T00:00:00Z"}]`, kind: schema.RejectNotLog},
	{name: "text line", line: `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET / HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4"`, kind: schema.RejectNotLog},
	{name: "bad prefix", line: `hello {"request_time":"2026-07-01T00:00:00Z"}`, kind: schema.RejectNotLog},
	{name: "broken wrapped record", line: `{"message":"{\"request_time\":\"2026-07-01T00:00:00Z\""}`, kind: schema.RejectJSON},
	{name: "subscription batch", line: `{"messageType":"DATA_MESSAGE","logGroup":"g","logEvents":[{"id":"1","timestamp":1,"message":"{}"}]}`, kind: schema.RejectNotLog},
	{name: "wrapper without record", line: `{"message":"hello"}`, kind: schema.RejectNoTime},
}

func TestJSONRecords(t *testing.T) {
	for _, tc := range jsonCases {
		t.Run(tc.name, func(t *testing.T) {
			res := readAll(t, tc.line, "t.json", Options{Format: FormatJSON})
			if tc.kind != 0 {
				if len(res.rejects) != 1 || len(res.rows) != 0 {
					t.Fatalf("%d rows, %d rejects; want one reject of kind %v (rows %v)", len(res.rows), len(res.rejects), tc.kind, res.rows)
				}
				rj := &res.rejects[0]
				if !errors.Is(rj, tc.kind) || rj.Field != tc.field || rj.Reason == "" || rj.Line != 1 || string(rj.Raw) != tc.line {
					t.Errorf("reject %v (kind %v, field %q), want kind %v field %q", rj.Error(), rj.Kind, rj.Field, tc.kind, tc.field)
				}
				return
			}
			if len(res.rejects) != 0 || len(res.rows) != 1 {
				t.Fatalf("%d rows, rejects %v", len(res.rows), res.rejects)
			}
			for k, w := range tc.row {
				if g := res.rows[0][k]; !reflect.DeepEqual(g, w) {
					t.Errorf("%s = %#v, want %#v", k, g, w)
				}
			}
		})
	}
}

// TestJSONHugeString reads a record with a value of several megabytes,
// and one cut off inside it.
func TestJSONHugeString(t *testing.T) {
	big := strings.Repeat("A\\\"é", 1<<20)
	line := `{"request_time":"2026-07-01T00:00:00Z","user_agent":"` + big + `"}`
	res := readAll(t, line+"\n"+line[:len(line)/2]+"\n", "huge.json", Options{Format: FormatJSON})
	if len(res.rows) != 1 || len(res.rejects) != 1 {
		t.Fatalf("%d rows, %d rejects; want 1 and 1", len(res.rows), len(res.rejects))
	}
	if ua := res.rows[0]["useragent"].(string); ua != strings.Repeat(`A"é`, 1<<20) {
		t.Errorf("useragent of %d bytes differs", len(ua))
	}
	if rj := res.rejects[0]; rj.Kind != schema.RejectJSON || rj.Line != 2 {
		t.Errorf("reject %v", rj.Error())
	}
}

// TestJSONTimeWindow checks Since and Until on JSON rows, to the millisecond.
func TestJSONTimeWindow(t *testing.T) {
	in := `{"request_time":"2026-07-01T00:00:00.999Z"}` + "\n" + `{"request_time":"2026-07-01T00:00:01.000Z"}` + "\n"
	since, _ := parseISOTime([]byte("2026-07-01T00:00:01Z"))
	res := readAll(t, in, "w.json", Options{Format: FormatJSON, Since: timeOfMicros(since)})
	if len(res.rows) != 1 || res.stats.Filtered != 1 || res.rows[0]["time"] != "2026-07-01T00:00:01Z" {
		t.Fatalf("rows %v, stats %+v", res.rows, res.stats)
	}
}

// FuzzJSON feeds arbitrary lines to the JSON reader: no panic, every line
// a row (valid UTF-8, with a time) or a reject with a kind and a reason,
// and no Arrow memory left (readAll).
func FuzzJSON(f *testing.F) {
	_, js := textAndJSON(20, 3)
	for _, l := range bytes.Split(js, []byte("\n")) {
		f.Add(string(l))
	}
	for _, tc := range jsonCases {
		if len(tc.line) < 4096 {
			f.Add(tc.line)
		}
	}
	f.Fuzz(func(t *testing.T, input string) {
		for _, l := range strings.Split(input, "\n") {
			sameParse(t, []byte(strings.TrimSuffix(l, "\r")))
		}
		res := readAll(t, input, "fuzz.json", Options{BatchRows: 5, Format: FormatJSON})
		if res.err != nil {
			t.Fatal(res.err)
		}
		for _, rj := range res.rejects {
			if rj.Reason == "" || !slices.Contains(schema.RejectKinds(), rj.Kind) {
				t.Errorf("reject without a reason or a kind: %+v", rj)
			}
			if rj.Field != "" && schema.S3ServerAccess.Index(rj.Field) < 0 {
				t.Errorf("reject names unknown field %q", rj.Field)
			}
			if rj.Line < 1 || rj.Column < 0 || rj.Column > len(rj.Raw)+1 {
				t.Errorf("reject position %d:%d outside the line (%d bytes)", rj.Line, rj.Column, len(rj.Raw))
			}
		}
		for _, row := range res.rows {
			if row["time"] == nil {
				t.Errorf("row without a time: %v", row)
			}
			for name, v := range row {
				switch v := v.(type) {
				case string:
					if !utf8.ValidString(v) {
						t.Errorf("%s = %q is not valid UTF-8", name, v)
					}
				case []string:
					for _, s := range v {
						if !utf8.ValidString(s) {
							t.Errorf("%s element %q is not valid UTF-8", name, s)
						}
					}
				}
			}
		}
	})
}

// BenchmarkJSONReader measures the whole parse of the benchmark's requests
// written as JSON lines, to Arrow; compare its lines/s with
// BenchmarkTextReaderSameRequests in the same run.
func BenchmarkJSONReader(b *testing.B) {
	_, js := textAndJSON(benchLines, 1)
	benchFormat(b, js, FormatJSON)
}

// BenchmarkTextReaderSameRequests is BenchmarkJSONReader's baseline: the
// same requests as text lines.
func BenchmarkTextReaderSameRequests(b *testing.B) {
	text, _ := textAndJSON(benchLines, 1)
	benchFormat(b, text, FormatText)
}

func benchFormat(b *testing.B, data []byte, f Format) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), "bench", Options{Allocator: memory.DefaultAllocator, Format: f})
		for r.Next() {
		}
		if st := r.Stats(); st.Rows != benchLines {
			b.Fatalf("%d rows, %d rejected", st.Rows, st.Rejected)
		}
		r.Release()
	}
	b.ReportMetric(float64(benchLines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func timeOfMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// BenchmarkJSONvsText parses the same requests as text and as JSON lines
// in alternation within each iteration, so that both see the same machine
// load (the benchmarks above, run one after the other on a shared machine,
// can differ by 2x from load alone), and reports each one's lines/s and
// json/text, their ratio (the target is at least 0.5).
func BenchmarkJSONvsText(b *testing.B) {
	text, js := textAndJSON(benchLines, 1)
	var tText, tJSON time.Duration
	parse := func(data []byte, f Format) time.Duration {
		start := time.Now()
		r := NewReader(bytes.NewReader(data), "bench", Options{Allocator: memory.DefaultAllocator, Format: f})
		for r.Next() {
		}
		if st := r.Stats(); st.Rows != benchLines {
			b.Fatalf("%v: %d rows, %d rejected", f, st.Rows, st.Rejected)
		}
		r.Release()
		return time.Since(start)
	}
	b.SetBytes(int64(len(text) + len(js)))
	b.ReportAllocs()
	for b.Loop() {
		tText += parse(text, FormatText)
		tJSON += parse(js, FormatJSON)
	}
	n := float64(benchLines) * float64(b.N)
	b.ReportMetric(n/tText.Seconds(), "text-lines/s")
	b.ReportMetric(n/tJSON.Seconds(), "json-lines/s")
	b.ReportMetric(tText.Seconds()/tJSON.Seconds(), "json/text")
}

// TestJSONClean holds jsonClean to its byte-by-byte definition.
func TestJSONClean(t *testing.T) {
	slow := func(b []byte) bool {
		for _, c := range b {
			if c == '\\' || c < 0x20 {
				return false
			}
		}
		return true
	}
	base := []byte(`{"request_time":"2026-07-01T00:00:00Z","user_agent":"aé \u007f x"}`)
	for i := range base {
		for _, c := range []byte{0, 0x1f, 0x20, '\\', 0x7f, 0x80, 0xff, '"'} {
			b := append([]byte(nil), base...)
			b[i] = c
			if got, want := jsonClean(b), slow(b); got != want {
				t.Errorf("byte %d = %#x: jsonClean %v, want %v", i, c, got, want)
			}
		}
	}
}

// sameParse reports whether the fast path (fastObject) and the general one
// read line alike: the same row, or the same reject.
func sameParse(t testing.TB, line []byte) bool {
	var fast, slow jsonParser
	slow.noFast = true
	okF, okS := fast.parse(line), slow.parse(line)
	if okF != okS {
		t.Errorf("fast %v (%s), general %v (%s): %q", okF, fast.err.reason, okS, slow.err.reason, line)
		return false
	}
	if !okF {
		if fast.err != slow.err {
			t.Errorf("fast rejects %+v, general %+v: %q", fast.err, slow.err, line)
			return false
		}
		return true
	}
	fv, sv := fast.values(), slow.values()
	for c := range schema.NumLogFields {
		a, b := fast.row.v[c], slow.row.v[c]
		if a.isNull() != b.isNull() || !a.isNull() && (fast.row.n[c] != slow.row.n[c] || string(fv[a.s:a.e]) != string(sv[b.s:b.e])) {
			t.Errorf("column %s differs: %q", schema.S3ServerAccess.Columns[c].Name, line)
			return false
		}
	}
	var fe, se []string
	for _, x := range fast.row.extra {
		fe = append(fe, string(fv[x.s:x.e]))
	}
	for _, x := range slow.row.extra {
		se = append(se, string(sv[x.s:x.e]))
	}
	if fast.row.time != slow.row.time || fast.row.utf8 != slow.row.utf8 || !reflect.DeepEqual(fe, se) {
		t.Errorf("time, utf8 or extras differ (%v, %v): %q", fe, se, line)
		return false
	}
	return true
}

// TestJSONFastAgrees holds the fast path to the general one on generated
// records, the table's cases, and each of them cut and altered at every
// position.
func TestJSONFastAgrees(t *testing.T) {
	_, js := textAndJSON(300, 9)
	lines := bytes.Split(bytes.TrimSpace(js), []byte("\n"))
	for _, tc := range jsonCases {
		lines = append(lines, []byte(tc.line))
	}
	for _, l := range lines {
		sameParse(t, l)
	}
	for _, l := range lines[:3] {
		for i := range l {
			for _, c := range []byte{'"', ',', '}', ':', ' ', '1', 'n', '-', '.', '{'} {
				m := append([]byte(nil), l...)
				m[i] = c
				if !sameParse(t, m) || !sameParse(t, l[:i]) {
					return
				}
			}
		}
	}
}

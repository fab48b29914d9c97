package render

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/s3logs/s3logs/internal/db"
)

// openDB opens an in-memory s3logs database for a test.
func openDB(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// render runs query and renders it with opts.
func render(t *testing.T, d *db.DB, query string, opts Options) (string, int, error) {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	defer rows.Close()
	var b strings.Builder
	n, err := Write(&b, rows, opts)
	return b.String(), n, err
}

// sample is a small result with the value types s3logs produces: text,
// numbers, UTC timestamps, lists and NULLs.
const sample = `SELECT * FROM (VALUES
	('awsexamplebucket1', TIMESTAMPTZ '2019-02-06 00:00:38+00', 200::BIGINT, ['a', 'b']::VARCHAR[]),
	('logs|prod', TIMESTAMPTZ '2019-02-06 00:00:38.25+00', NULL, NULL),
	(NULL, NULL, 4040::BIGINT, []::VARCHAR[])
) t(bucket, time, httpstatus, additionalFields)`

func TestWriteFormats(t *testing.T) {
	d := openDB(t)
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"ndjson", Options{Format: NDJSON}, `{"bucket":"awsexamplebucket1","time":"2019-02-06T00:00:38Z","httpstatus":200,"additionalFields":["a","b"]}
{"bucket":"logs|prod","time":"2019-02-06T00:00:38.25Z","httpstatus":null,"additionalFields":null}
{"bucket":null,"time":null,"httpstatus":4040,"additionalFields":[]}
`},
		{"json", Options{Format: JSON}, `[
{"bucket":"awsexamplebucket1","time":"2019-02-06T00:00:38Z","httpstatus":200,"additionalFields":["a","b"]},
{"bucket":"logs|prod","time":"2019-02-06T00:00:38.25Z","httpstatus":null,"additionalFields":null},
{"bucket":null,"time":null,"httpstatus":4040,"additionalFields":[]}
]
`},
		{"csv", Options{Format: CSV}, `bucket,time,httpstatus,additionalFields
awsexamplebucket1,2019-02-06T00:00:38Z,200,"[a, b]"
logs|prod,2019-02-06T00:00:38.25Z,,
,,4040,[]
`},
		{"markdown", Options{Format: Markdown}, `| bucket | time | httpstatus | additionalFields |
| --- | --- | ---: | --- |
| awsexamplebucket1 | 2019-02-06 00:00:38+00 | 200 | [a, b] |
| logs\|prod | 2019-02-06 00:00:38.25+00 | NULL | NULL |
| NULL | NULL | 4040 | [] |
`},
		{"line", Options{Format: Line}, `          bucket = awsexamplebucket1
            time = 2019-02-06 00:00:38+00
      httpstatus = 200
additionalFields = [a, b]

          bucket = logs|prod
            time = 2019-02-06 00:00:38.25+00
      httpstatus = NULL
additionalFields = NULL

          bucket = NULL
            time = NULL
      httpstatus = 4040
additionalFields = []
`},
		{"table", Options{Format: Table}, ` bucket            | time                      | httpstatus | additionalFields
-------------------+---------------------------+------------+-----------------
 awsexamplebucket1 | 2019-02-06 00:00:38+00    |        200 | [a, b]
 logs|prod         | 2019-02-06 00:00:38.25+00 |       NULL | NULL
 NULL              | NULL                      |       4040 | []
(3 rows)
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, n, err := render(t, d, sample, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if n != 3 {
				t.Errorf("n = %d, want 3", n)
			}
			if got != tc.want {
				t.Errorf("Write(%v) =\n%s\nwant\n%s", tc.opts.Format, got, tc.want)
			}
		})
	}
}

// TestValues checks how each DuckDB type reaches the text and JSON formats.
func TestValues(t *testing.T) {
	d := openDB(t)
	for _, tc := range []struct {
		name, expr string
		text, json string
	}{
		{"varchar", `'a "q" <b>'`, `a "q" <b>`, `"a \"q\" <b>"`},
		{"newline", `'a' || chr(10) || 'b'`, "a\nb", `"a\nb"`},
		{"bigint", `-9007199254740993::BIGINT`, `-9007199254740993`, `-9007199254740993`},
		{"integer", `42::INTEGER`, `42`, `42`},
		{"utinyint", `7::UTINYINT`, `7`, `7`},
		{"hugeint", `170141183460469231731687303715884105727::HUGEINT`, `170141183460469231731687303715884105727`, `170141183460469231731687303715884105727`},
		{"double", `1.5::DOUBLE`, `1.5`, `1.5`},
		{"double big", `1e20::DOUBLE`, `1e+20`, `1e+20`},
		{"double nan", `'NaN'::DOUBLE`, `nan`, `"NaN"`},
		{"float", `0.1::FLOAT`, `0.1`, `0.1`},
		{"decimal", `123.450::DECIMAL(10,3)`, `123.45`, `123.45`},
		{"bool", `true`, `true`, `true`},
		{"timestamptz", `TIMESTAMPTZ '2019-02-06 00:00:38.123456+00'`, `2019-02-06 00:00:38.123456+00`, `"2019-02-06T00:00:38.123456Z"`},
		{"timestamptz offset", `TIMESTAMPTZ '2019-02-06 02:00:38+02'`, `2019-02-06 00:00:38+00`, `"2019-02-06T00:00:38Z"`},
		{"timestamp", `TIMESTAMP '2019-02-06 00:00:38'`, `2019-02-06 00:00:38`, `"2019-02-06T00:00:38Z"`},
		{"date", `DATE '2019-02-06'`, `2019-02-06`, `"2019-02-06"`},
		{"time", `TIME '01:02:03.5'`, `01:02:03.5`, `"01:02:03.5"`},
		{"interval", `INTERVAL '1 year 2 months 3 days 04:05:06.5'`, `1 year 2 months 3 days 04:05:06.5`, `"1 year 2 months 3 days 04:05:06.5"`},
		{"interval zero", `INTERVAL '0 seconds'`, `00:00:00`, `"00:00:00"`},
		{"interval negative", `-INTERVAL '90 minutes'`, `-01:30:00`, `"-01:30:00"`},
		{"list", `['a', 'b c', NULL, 'x,y', '']`, `[a, b c, NULL, 'x,y', '']`, `["a","b c",null,"x,y",""]`},
		{"nested list", `[[1, 2], [3]]`, `[[1, 2], [3]]`, `[[1,2],[3]]`},
		{"struct order", `{'z': 1, 'a': ['x'], 'm': NULL}`, `{'z': 1, 'a': [x], 'm': NULL}`, `{"z":1,"a":["x"],"m":null}`},
		{"struct quoted name", `{'a "b"': 1}`, `{'a "b"': 1}`, `{"a \"b\"":1}`},
		{"list of struct", `[{'k': 'v', 'n': 2}]`, `[{'k': v, 'n': 2}]`, `[{"k":"v","n":2}]`},
		{"map", `MAP {'k': 1, 'a': 2}`, `{k=1, a=2}`, `{"k":1,"a":2}`},
		{"blob", `'\x01ab\x5C'::BLOB`, `\x01ab\x5C`, `"\\x01ab\\x5C"`},
		{"uuid", `'8b2ad65e-0f3c-4a0e-9f5c-0b1c2d3e4f50'::UUID`, `8b2ad65e-0f3c-4a0e-9f5c-0b1c2d3e4f50`, `"8b2ad65e-0f3c-4a0e-9f5c-0b1c2d3e4f50"`},
		{"array", `[1, 2]::INTEGER[2]`, `[1, 2]`, `[1,2]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := "SELECT " + tc.expr + " AS v"
			got, _, err := render(t, d, q, Options{Format: Line})
			if err != nil {
				t.Fatal(err)
			}
			if want := "v = " + tc.text + "\n"; got != want {
				t.Errorf("line: got %q, want %q", got, want)
			}
			got, _, err = render(t, d, q, Options{Format: NDJSON})
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"v":` + tc.json + "}\n"; got != want {
				t.Errorf("ndjson: got %s, want %s", got, want)
			}
		})
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", `"plain"`},
		{"<&>", `"<&>"`},
		{"q\"b\\", `"q\"b\\"`},
		{"\t\r\n\x01\x7f", `"\t\r\n\u0001\u007f"`},
		{"a\xffb", `"a\ufffdb"`},
		{"é€😀", `"é€😀"`},
	} {
		if got := string(appendJSONString(nil, tc.in)); got != tc.want {
			t.Errorf("appendJSONString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestTable(t *testing.T) {
	d := openDB(t)
	const wide = `SELECT 'a fairly long bucket name' AS bucket, 'GET /awsexamplebucket1/photos/2019/08/puppy.jpg HTTP/1.1' AS request, 200 AS status`
	for _, tc := range []struct {
		name, query string
		opts        Options
		want        string
	}{
		{"fits", wide, Options{Width: 120}, ` bucket                    | request                                                  | status
---------------------------+----------------------------------------------------------+-------
 a fairly long bucket name | GET /awsexamplebucket1/photos/2019/08/puppy.jpg HTTP/1.1 |    200
(1 row)
`},
		// 60 columns: the widest column (request) shrinks first, then both in turn.
		{"shrinks widest", wide, Options{Width: 60}, ` bucket                  | request                  | status
-------------------------+--------------------------+-------
 a fairly long bucket n… | GET /awsexamplebucket1/… |    200
(1 row)
`},
		// Below a readable width (20) columns are left out, named, and the
		// hint speaks the syntax of where the table is printed.
		{"leaves columns out", wide, Options{Width: 24, ShowAll: "--format line"}, ` bucket              | …
---------------------+--
 a fairly long buck… | …
(1 row; not shown: request, status; --format line shows every column)
`},
		{"keeps columns readable", `SELECT repeat('o', 64) AS bucketowner, repeat('b', 40) AS bucket, repeat('r', 64) AS requestid, 1 AS n`,
			Options{Width: 50, ShowAll: ".mode line"}, ` bucketowner           | bucket                | …
-----------------------+-----------------------+--
 oooooooooooooooooooo… | bbbbbbbbbbbbbbbbbbbb… | …
(1 row; not shown: requestid, n; .mode line shows every column)
`},
		{"all fit at a readable width", `SELECT repeat('o', 64) AS bucketowner, repeat('b', 40) AS bucket, repeat('r', 64) AS requestid, 1 AS n`,
			Options{Width: 72}, ` bucketowner          | bucket               | requestid             | n
----------------------+----------------------+-----------------------+--
 ooooooooooooooooooo… | bbbbbbbbbbbbbbbbbbb… | rrrrrrrrrrrrrrrrrrrr… | 1
(1 row)
`},
		{"max cell", wide, Options{MaxCell: 10}, ` bucket     | request    | status
------------+------------+-------
 a fairly … | GET /awse… |    200
(1 row)
`},
		{"max rows", `SELECT i FROM range(5) t(i)`, Options{MaxRows: 2}, ` i
--
 0
 1
(5 rows, first 2 shown)
`},
		{"empty", `SELECT 1 AS one WHERE false`, Options{}, ` one
----
(0 rows)
`},
		{"null text and colour", `SELECT NULL::VARCHAR AS v, 'x' AS w`, Options{Color: true, Null: "∅"}, " \x1b[1mv\x1b[0m | \x1b[1mw\x1b[0m\n---+--\n \x1b[2m∅\x1b[0m | x\n(1 row)\n"},
		{"control characters", `SELECT 'a' || chr(10) || 'b' || chr(9) || 'c' AS v`, Options{}, ` v
--------
 a\nb\tc
(1 row)
`},
		{"wide runes", `SELECT '日本語' AS v, 'x' AS w`, Options{}, ` v      | w
--------+--
 日本語 | x
(1 row)
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := render(t, d, tc.query, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
				if tc.opts.Width > 0 && displayWidth(l) > tc.opts.Width && !strings.HasPrefix(l, "(") {
					t.Errorf("line %q is %d wide, more than %d", l, displayWidth(l), tc.opts.Width)
				}
			}
		})
	}
}

// failWriter fails every write after the first ok bytes.
type failWriter struct{ ok int }

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.ok {
		n := f.ok
		f.ok = 0
		return n, errors.New("disk full")
	}
	f.ok -= len(p)
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	d := openDB(t)
	for _, f := range []Format{Table, CSV, JSON, NDJSON, Markdown, Line} {
		rows, err := d.Query(`SELECT i, repeat('x', 100) AS s FROM range(10000) t(i)`)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Write(&failWriter{ok: 10}, rows, Options{Format: f})
		rows.Close()
		if err == nil || err.Error() != "disk full" {
			t.Errorf("%v: err = %v, want disk full", f, err)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Format
		wantErr string
	}{
		{"table", Table, ""},
		{"CSV", CSV, ""},
		{"json", JSON, ""},
		{"ndjson", NDJSON, ""},
		{"markdown", Markdown, ""},
		{"line", Line, ""},
		{"yaml", 0, `unknown format "yaml": want one of table, csv, json, ndjson, markdown, line`},
		{"box", Table, ""},
		{"DuckBox", Table, ""},
	} {
		got, err := ParseFormat(tc.in)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("ParseFormat(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseFormat(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if got.String() != strings.ToLower(tc.in) && formatAliases[strings.ToLower(tc.in)] != got {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
}

func TestParseType(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"VARCHAR", "VARCHAR"},
		{"VARCHAR[]", "LIST<VARCHAR>"},
		{"INTEGER[2][]", "LIST<ARRAY<INTEGER>>"},
		{"DECIMAL(18,3)", "DECIMAL"},
		{`STRUCT("z" INTEGER, "a ""b""" VARCHAR[])`, `STRUCT{z INTEGER, a "b" LIST<VARCHAR>}`},
		{`MAP(VARCHAR, STRUCT("x" BIGINT))[]`, `LIST<MAP<VARCHAR, STRUCT{x BIGINT}>>`},
	} {
		if got := parseType(tc.in).String(); got != tc.want {
			t.Errorf("parseType(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestTableWholeValues is issue 20's SELECT * ... LIMIT 5 and SUMMARIZE on
// a terminal: times, addresses, numbers and status codes stay whole (they
// read "2024-03…" before), free text shrinks first, and columns that would
// fall below a readable width are left out and named.
func TestTableWholeValues(t *testing.T) {
	d := openDB(t)
	if _, err := d.Exec(`INSERT INTO aws_s3serveraccess (bucketowner, bucket, time, remoteip, requester, operation, key, requesturi, httpstatus, bytessent, useragent)
		SELECT repeat('79a59df900b949e5', 4), 'awsexamplebucket1', TIMESTAMPTZ '2024-03-05 10:00:00+00' + to_minutes(i), '2001:db8:85a3::8a2e:370:' || i,
		'arn:aws:iam::123456789012:user/alice', 'REST.GET.OBJECT', 'photos/2024/03/' || i || '/puppy.jpg',
		'GET /awsexamplebucket1/photos/2024/03/' || i || '/puppy.jpg HTTP/1.1', 200, 1000 * i, 'aws-cli/2.15.0 Python/3.11 Linux'
		FROM range(5) r(i)`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query string
		whole []string // values that must appear uncut
	}{
		{"SELECT bucketowner, bucket, time, remoteip, requester, operation, key, requesturi, httpstatus, bytessent, useragent FROM aws_s3serveraccess LIMIT 5",
			[]string{"2024-03-05 10:00:00+00", "2001:db8:85a3::8a2e:370:4", "not shown: requester, operation, key, requesturi, httpstatus, bytessent and 1 more; --format line shows every column"}},
		{"SUMMARIZE SELECT time, bytessent FROM aws_s3serveraccess", []string{"2024-03-05 10:00:00+00", "2024-03-05 10:04:00+00"}},
	} {
		got, _, err := render(t, d, tc.query, Options{Width: 120, ShowAll: "--format line"})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.whole {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q is not whole in\n%s", tc.query, w, got)
			}
		}
		for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
			if displayWidth(l) > 120 && !strings.HasPrefix(l, "(") {
				t.Errorf("line %q is wider than 120", l)
			}
		}
		if strings.Contains(tc.query, "LIMIT") && !strings.Contains(got, "not shown: ") {
			t.Errorf("%s: no column named as left out:\n%s", tc.query, got)
		}
	}
}

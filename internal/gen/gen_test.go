package gen

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/s3logs/s3logs/schema"
)

func write(t *testing.T, n int, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, n, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDeterministic(t *testing.T) {
	opts := Options{Seed: 42, TrapRate: 0.05}
	a, b := write(t, 5000, opts), write(t, 5000, opts)
	if !bytes.Equal(a, b) {
		t.Fatal("same options gave different bytes")
	}
	opts.Seed = 43
	if c := write(t, 5000, opts); bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same bytes")
	}
	// Next (records that own their memory) renders exactly what Write wrote.
	g := New(Options{Seed: 42, TrapRate: 0.05})
	var viaNext []byte
	for i := 0; i < 5000; i++ {
		r := g.Next()
		viaNext = append(r.AppendLine(viaNext), '\n')
	}
	if sha256.Sum256(viaNext) != sha256.Sum256(a) {
		t.Fatal("Next().AppendLine and Write disagree")
	}
}

func TestRecordsOwnTheirMemory(t *testing.T) {
	g := New(Options{Seed: 7})
	first := g.Next()
	want := string(first.Line())
	for i := 0; i < 100; i++ {
		g.Next()
		g.AppendNext(nil)
	}
	if got := string(first.Line()); got != want {
		t.Fatalf("record changed after later calls:\n got %s\nwant %s", got, want)
	}
}

func TestFieldCounts(t *testing.T) {
	const n = 40000
	g := New(Options{Seed: 1})
	got := map[int]int{}
	for i := 0; i < n; i++ {
		r := g.Next()
		fields, err := refSplit(string(r.Line()))
		if err != nil {
			t.Fatal(err)
		}
		if len(fields) != r.Fields {
			t.Fatalf("line has %d fields, record says %d: %s", len(fields), r.Fields, r.Line())
		}
		got[r.Fields]++
	}
	for _, fc := range fieldCounts {
		want := float64(fc.w) * n / 1000
		if diff := math.Abs(float64(got[fc.n]) - want); diff > 5*math.Sqrt(want)+5 {
			t.Errorf("%d fields: %d lines, want about %.0f", fc.n, got[fc.n], want)
		}
		delete(got, fc.n)
	}
	if len(got) != 0 {
		t.Errorf("unexpected field counts without traps: %v", got)
	}
}

func TestFixedFieldCount(t *testing.T) {
	for n := 18; n <= 27; n++ {
		g := New(Options{Seed: int64(n), Fields: n})
		for i := 0; i < 500; i++ {
			r := g.Next()
			fields, err := refSplit(string(r.Line()))
			if err != nil {
				t.Fatal(err)
			}
			if len(fields) != n || r.Fields != n {
				t.Fatalf("Fields %d: line has %d, record %d: %s", n, len(fields), r.Fields, r.Line())
			}
		}
	}
}

// TestOracle renders lines and reads them back with refSplit: every column
// must equal the Record's value. Lines with quote or requester traps are
// beyond refSplit and checked in TestTraps.
func TestOracle(t *testing.T) {
	g := New(Options{Seed: 3, TrapRate: 0.02, Traps: TrapExtraFields})
	for i := 0; i < 50000; i++ {
		r := g.Next()
		line := string(r.Line())
		fields, err := refSplit(line)
		if err != nil {
			t.Fatalf("line %d: %v: %s", i, err, line)
		}
		vals, err := refValues(fields)
		if err != nil {
			t.Fatalf("line %d: %v: %s", i, err, line)
		}
		for c := 0; c <= schema.ColAdditionalFields; c++ {
			if want := r.Column(c); !reflect.DeepEqual(vals[c], want) {
				t.Fatalf("line %d column %s: read %#v, record %#v\n%s", i, schema.S3ServerAccess.Columns[c].Name, vals[c], want, line)
			}
		}
	}
}

func TestColumnTypes(t *testing.T) {
	g := New(Options{Seed: 5})
	r := g.Next()
	for c := 0; c <= schema.ColAdditionalFields; c++ {
		v := r.Column(c)
		if v == nil {
			continue
		}
		var ok bool
		switch schema.S3ServerAccess.Columns[c].Type {
		case schema.String:
			_, ok = v.(string)
		case schema.BigInt:
			_, ok = v.(int64)
		case schema.Timestamp:
			var tm time.Time
			tm, ok = v.(time.Time)
			ok = ok && tm.Location() == time.UTC
		case schema.StringList:
			_, ok = v.([]string)
		}
		if !ok {
			t.Errorf("column %s: %T does not match %v", schema.S3ServerAccess.Columns[c].Name, v, schema.S3ServerAccess.Columns[c].Type)
		}
	}
}

// quoted returns the rendering of a quoted field of r.
func quoted(s string) string { return `"` + s + `"` }

var statusRE = regexp.MustCompile(`^(-|[0-9]{3})$`)

// checkClosers checks the promise of Trap: after each inner '"' followed by
// a space, the next token cannot be taken for the field that must follow.
func checkClosers(t *testing.T, v string, okNext func(tok string) bool) {
	t.Helper()
	for i := 0; i < len(v); i++ {
		if v[i] != '"' || i+1 == len(v) || v[i+1] != ' ' {
			continue
		}
		next, _, _ := strings.Cut(v[i+2:]+" ", " ")
		if !okNext(next) {
			t.Errorf("ambiguous inner quote in %q before %q", v, next)
		}
	}
}

func TestTraps(t *testing.T) {
	g := New(Options{Seed: 9, TrapRate: 0.1})
	seen := map[Trap]int{}
	for i := 0; i < 20000; i++ {
		r := g.Next()
		line := string(r.Line())
		seen[r.Traps]++
		switch r.Traps {
		case 0:
		case TrapQuoteInURI:
			if !strings.Contains(r.RequestURI.String, `"`) || !strings.Contains(line, quoted(r.RequestURI.String)+" ") {
				t.Fatalf("URI trap not rendered: %s", line)
			}
			checkClosers(t, r.RequestURI.String, func(tok string) bool { return !statusRE.MatchString(tok) })
		case TrapQuoteInReferrer:
			if !strings.Contains(r.Referrer.String, `"`) || !strings.Contains(line, quoted(r.Referrer.String)+" ") {
				t.Fatalf("referrer trap not rendered: %s", line)
			}
			checkClosers(t, r.Referrer.String, func(tok string) bool { return tok[0] != '"' && tok[0] != '-' })
		case TrapQuoteInUserAgent:
			if !strings.Contains(r.UserAgent.String, `"`) || !strings.Contains(line, quoted(r.UserAgent.String)) {
				t.Fatalf("user agent trap not rendered: %s", line)
			}
			checkClosers(t, r.UserAgent.String, func(string) bool { return false })
		case TrapSpaceInRequester:
			if !strings.Contains(r.Requester.String, " ") || !strings.Contains(line, " "+r.Requester.String+" ") {
				t.Fatalf("requester trap not rendered: %s", line)
			}
		case TrapExtraFields:
			if n := len(r.AdditionalFields); n < 2 || n > 4 || r.Fields != 26+n {
				t.Fatalf("extra fields trap: %d additional, %d fields: %s", n, r.Fields, line)
			}
		default:
			t.Fatalf("line carries several traps %v", r.Traps)
		}
		if r.Traps != TrapQuoteInURI && r.Traps != TrapQuoteInReferrer && r.Traps != TrapQuoteInUserAgent {
			for _, s := range []string{r.RequestURI.String, r.Referrer.String, r.UserAgent.String} {
				if strings.Contains(s, `"`) {
					t.Fatalf("quote outside a quote trap (%v): %s", r.Traps, line)
				}
			}
		}
	}
	for trap := Trap(1); trap <= AllTraps; trap <<= 1 {
		if seen[trap] < 300 {
			t.Errorf("trap %v: %d lines of 20000 at rate 0.1, want about 400", trap, seen[trap])
		}
	}
	if g := New(Options{Seed: 9}); g.opts.TrapRate != 0 {
		t.Fatal("zero Options must not set traps")
	} else {
		for i := 0; i < 20000; i++ {
			if r := g.Next(); r.Traps != 0 {
				t.Fatalf("trap %v with TrapRate 0", r.Traps)
			}
		}
	}
}

func TestOnlySelectedTraps(t *testing.T) {
	g := New(Options{Seed: 2, TrapRate: 1, Traps: TrapSpaceInRequester | TrapExtraFields})
	for i := 0; i < 2000; i++ {
		if r := g.Next(); r.Traps != TrapSpaceInRequester && r.Traps != TrapExtraFields {
			t.Fatalf("trap %v not selected", r.Traps)
		}
	}
}

var (
	uuidRE  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	reqIDRE = regexp.MustCompile(`^[0-9A-F]{16}$`)
)

// TestRealism checks that the mix holds what parsers and detections must
// face, each feature at a plausible rate.
func TestRealism(t *testing.T) {
	const n = 40000
	g := New(Options{Seed: 11})
	count := map[string]int{}
	var bytesTotal int
	for i := 0; i < n; i++ {
		r := g.Next()
		line := r.Line()
		bytesTotal += len(line) + 1
		if !utf8.Valid(line) || bytes.ContainsAny(line, "\n\r\x00") {
			t.Fatalf("line is not clean UTF-8 text: %q", line)
		}
		op := r.Operation.String
		count[op]++
		if r.HTTPStatus.Valid {
			count[fmt.Sprintf("status %dxx", r.HTTPStatus.Int64/100)]++
		}
		count["error "+r.ErrorCode.String]++
		count["tls "+r.TLSVersion.String]++
		count["sig "+r.SignatureVersion.String]++
		count["auth "+r.AuthenticationType.String]++
		if strings.Contains(r.RemoteIP.String, ":") {
			count["ipv6"]++
		}
		if !r.Requester.Valid {
			count["anonymous"]++
		}
		if strings.Contains(r.Requester.String, ":assumed-role/") {
			count["assumed-role"]++
		}
		if strings.HasPrefix(r.Requester.String, "svc:") {
			count["svc"]++
		}
		if r.AccessPointARN.Valid {
			count["access point"]++
		}
		if r.ACLRequired.String == "Yes" {
			count["aclrequired"]++
		}
		if r.Offset != 0 {
			count["offset"]++
		}
		switch op {
		case "BATCH.DELETE.OBJECT":
			if !r.BareDash || r.RequestURI.Valid || r.UserAgent.Valid || !bytes.Contains(line, []byte(" - 204 ")) {
				t.Fatalf("batch delete without bare dashes: %s", line)
			}
		case "S3.EXPIRE.OBJECT":
			if r.Requester.String != "AmazonS3" || r.RemoteIP.Valid || r.HTTPStatus.Valid {
				t.Fatalf("odd lifecycle line: %s", line)
			}
		case "S3.COMPUTE.OBJECT.CHECKSUM":
			if !uuidRE.MatchString(r.RequestID.String) {
				t.Fatalf("checksum request id %q is not a UUID", r.RequestID.String)
			}
		default:
			if !reqIDRE.MatchString(r.RequestID.String) {
				t.Fatalf("request id %q", r.RequestID.String)
			}
		}
	}
	atLeast := map[string]int{
		"REST.GET.OBJECT": n / 3, "REST.PUT.OBJECT": n / 20, "REST.HEAD.OBJECT": n / 20, "REST.DELETE.OBJECT": n / 100,
		"BATCH.DELETE.OBJECT": n / 100, "S3.EXPIRE.OBJECT": n / 100, "REST.GET.BUCKET": n / 50, "WEBSITE.GET.OBJECT": n / 100,
		"S3.COMPUTE.OBJECT.CHECKSUM": n / 1000, "REST.PUT.BUCKETPOLICY": n / 2000, "REST.PUT.ACL": n / 2000,
		"status 2xx": n / 2, "status 3xx": n / 100, "status 4xx": n / 100, "status 5xx": n / 2000,
		"error AccessDenied": n / 100, "error NoSuchKey": n / 100, "error NoSuchBucketPolicy": n / 20000,
		"tls TLSv1": n / 500, "tls TLSv1.1": n / 500, "tls TLSv1.2": n / 4, "tls TLSv1.3": n / 4, "tls ": n / 100,
		"sig SigV2": n / 100, "sig SigV4": n / 2, "sig ": n / 50, "auth QueryString": n / 100, "auth AuthHeader": n / 2,
		"ipv6": n / 10, "anonymous": n / 50, "assumed-role": n / 10, "svc": n / 100,
		"access point": n / 100, "aclrequired": n / 200, "offset": n / 100,
	}
	for k, min := range atLeast {
		if count[k] < min {
			t.Errorf("%s: %d of %d lines, want at least %d", k, count[k], n, min)
		}
	}
	if avg := bytesTotal / n; avg < 400 || avg > 650 {
		t.Errorf("average line is %d bytes, want 400..650 (the benchmark's 1M lines should be about 500 MB)", avg)
	}
}

func TestAppendNextAllocs(t *testing.T) {
	g := New(Options{Seed: 1})
	buf := make([]byte, 0, 8192)
	allocs := testing.AllocsPerRun(5000, func() { buf = g.AppendNext(buf[:0]) })
	if allocs != 0 {
		t.Fatalf("AppendNext allocates %.2f times per line, want 0", allocs)
	}
}

func BenchmarkWrite(b *testing.B) {
	g := New(Options{Seed: 1, TrapRate: DefaultTrapRate})
	buf := make([]byte, 0, 8192)
	var n int64
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = g.AppendNext(buf[:0])
		n += int64(len(buf) + 1)
	}
	b.SetBytes(n / int64(b.N))
}

func BenchmarkNext(b *testing.B) {
	g := New(Options{Seed: 1, TrapRate: DefaultTrapRate})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		g.Next()
	}
}

// TestEditedRecord checks the documented way to make a particular request:
// edit the fields of a generated Record, and its line follows.
func TestEditedRecord(t *testing.T) {
	g := New(Options{Seed: 4, Fields: 27})
	r := g.Next()
	r.Requester = sql.NullString{String: "arn:aws:iam::111122223333:user/mallory", Valid: true}
	r.Operation = sql.NullString{String: "REST.PUT.BUCKETPOLICY", Valid: true}
	r.HTTPStatus = sql.NullInt64{Int64: 403, Valid: true}
	r.ErrorCode = sql.NullString{String: "AccessDenied", Valid: true}
	r.Time = time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
	fields, err := refSplit(string(r.Line()))
	if err != nil {
		t.Fatal(err)
	}
	vals, err := refValues(fields)
	if err != nil {
		t.Fatal(err)
	}
	for c := 0; c <= schema.ColAdditionalFields; c++ {
		if want := r.Column(c); !reflect.DeepEqual(vals[c], want) {
			t.Errorf("column %d: line has %#v, record %#v", c, vals[c], want)
		}
	}
	if vals[schema.ColRequester] != "arn:aws:iam::111122223333:user/mallory" || vals[schema.ColHttpstatus] != int64(403) {
		t.Errorf("edits not rendered: %s", r.Line())
	}
}

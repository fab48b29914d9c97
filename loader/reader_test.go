package loader

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/schema"
)

func TestReaderFraming(t *testing.T) {
	l1 := mkLine(func(map[int]string) {})
	l2 := mkLine(func(f map[int]string) { f[2] = "second" })
	bad := strings.Replace(l1, " 200 ", " 2OO ", 1)
	tests := []struct {
		name    string
		input   string
		opts    Options
		buckets []string // bucket of each row, in order
		lines   []int64  // line number of each reject
		stats   Stats
	}{
		{"empty input", "", Options{}, nil, nil, Stats{}},
		{"LF", l1 + "\n" + l2 + "\n", Options{}, []string{"DOC-EXAMPLE-BUCKET1", "second"}, nil,
			Stats{Lines: 2, Rows: 2, Bytes: int64(len(l1) + len(l2) + 2)}},
		{"CRLF", l1 + "\r\n" + l2 + "\r\n", Options{}, []string{"DOC-EXAMPLE-BUCKET1", "second"}, nil,
			Stats{Lines: 2, Rows: 2, Bytes: int64(len(l1) + len(l2) + 4)}},
		{"no final newline", l1 + "\n" + l2, Options{}, []string{"DOC-EXAMPLE-BUCKET1", "second"}, nil,
			Stats{Lines: 2, Rows: 2, Bytes: int64(len(l1) + len(l2) + 1)}},
		{"blank lines", "\n" + l1 + "\n  \r\n\t\n" + l2 + "\n\n", Options{}, []string{"DOC-EXAMPLE-BUCKET1", "second"}, nil,
			Stats{Lines: 6, Rows: 2, Blank: 4, Bytes: int64(len(l1) + len(l2) + 10)}},
		{"rejects keep their line numbers", l1 + "\n" + bad + "\n" + l2 + "\n" + bad + "\n", Options{}, []string{"DOC-EXAMPLE-BUCKET1", "second"}, []int64{2, 4},
			Stats{Lines: 4, Rows: 2, Rejected: 2, Bytes: int64(len(l1) + len(l2) + 2*len(bad) + 4)}},
		{"byte order mark on the first line", "\xef\xbb\xbf" + l1 + "\n", Options{}, []string{"DOC-EXAMPLE-BUCKET1"}, nil,
			Stats{Lines: 1, Rows: 1, Bytes: int64(len(l1) + 4)}},
		{"FirstLine continues the numbering", bad + "\n" + l1 + "\n", Options{FirstLine: 100}, []string{"DOC-EXAMPLE-BUCKET1"}, []int64{101},
			Stats{Lines: 2, Rows: 1, Rejected: 1, Bytes: int64(len(l1) + len(bad) + 2)}},
		{"batches of one row", l1 + "\n" + bad + "\n" + l2 + "\n" + l1 + "\n", Options{BatchRows: 1}, []string{"DOC-EXAMPLE-BUCKET1", "second", "DOC-EXAMPLE-BUCKET1"}, []int64{2},
			Stats{Lines: 4, Rows: 3, Rejected: 1, Bytes: int64(2*len(l1) + len(l2) + len(bad) + 4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readAll(t, tt.input, "f.log", tt.opts)
			if res.err != nil {
				t.Fatal(res.err)
			}
			var buckets []string
			for _, r := range res.rows {
				buckets = append(buckets, r["bucket"].(string))
			}
			if strings.Join(buckets, ",") != strings.Join(tt.buckets, ",") {
				t.Errorf("buckets = %v, want %v", buckets, tt.buckets)
			}
			var lines []int64
			for _, r := range res.rejects {
				lines = append(lines, r.Line)
			}
			if len(lines) != len(tt.lines) {
				t.Fatalf("reject lines = %v, want %v", lines, tt.lines)
			}
			for i := range lines {
				if lines[i] != tt.lines[i] {
					t.Errorf("reject lines = %v, want %v", lines, tt.lines)
				}
			}
			if res.stats != tt.stats {
				t.Errorf("stats = %+v, want %+v", res.stats, tt.stats)
			}
		})
	}
}

func TestReaderBatchesAndRowIDs(t *testing.T) {
	l := mkLine(func(map[int]string) {})
	input := strings.Repeat(l+"\n", 10)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := NewReader(strings.NewReader(input), "s3://b/k", Options{BatchRows: 4, Allocator: mem, Label: "lbl"})
	defer r.Release()
	var sizes []int64
	ids := map[string]bool{}
	for r.Next() {
		rec := r.RecordBatch()
		sizes = append(sizes, rec.NumRows())
		for i := 0; i < int(rec.NumRows()); i++ {
			row := rowMap(t, rec, i)
			ids[row["p_row_id"].(string)] = true
			if row["p_source_id"] != "s3://b/k" || row["p_source_label"] != "lbl" {
				t.Errorf("p_source_id %v, p_source_label %v", row["p_source_id"], row["p_source_label"])
			}
		}
	}
	if len(sizes) != 3 || sizes[0] != 4 || sizes[1] != 4 || sizes[2] != 2 {
		t.Errorf("batch sizes %v, want [4 4 2]", sizes)
	}
	if len(ids) != 10 {
		t.Errorf("%d distinct p_row_id for 10 rows", len(ids))
	}
	// Same source, same lines: same ids. Another source: other ids.
	again := readAll(t, input, "s3://b/k", Options{})
	other := readAll(t, input, "s3://b/k2", Options{})
	for i := range again.rows {
		if id := again.rows[i]["p_row_id"].(string); !ids[id] {
			t.Errorf("reload gave new p_row_id %s", id)
		}
		if id := other.rows[i]["p_row_id"].(string); ids[id] {
			t.Errorf("other source reused p_row_id %s", id)
		}
	}
}

func TestReaderRetainedBatchOutlivesNext(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := mkLine(func(map[int]string) {}) + "\n" + mkLine(func(f map[int]string) { f[2] = "b2" }) + "\n"
	r := NewReader(strings.NewReader(in), "x", Options{BatchRows: 1, Allocator: mem})
	if !r.Next() {
		t.Fatal("no batch")
	}
	first := r.RecordBatch()
	first.Retain()
	if !r.Next() {
		t.Fatal("no second batch")
	}
	if got := rowMap(t, first, 0)["bucket"]; got != "DOC-EXAMPLE-BUCKET1" {
		t.Errorf("retained batch bucket = %v", got)
	}
	if r.Next() {
		t.Error("third batch")
	}
	first.Release()
	r.Release()
}

func TestReaderSinceUntil(t *testing.T) {
	at := func(ts string) string { return mkLine(func(f map[int]string) { f[3] = ts }) }
	input := at("[01/Jan/2024:00:00:00 +0000]") + "\n" + at("[01/Jan/2024:01:00:00 +0000]") + "\n" +
		at("[01/Jan/2024:03:30:00 +0200]") + "\n" + at("[01/Jan/2024:02:00:00 +0000]") + "\n"
	res := readAll(t, input, "f", Options{
		Since: time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC),
		Until: time.Date(2024, 1, 1, 2, 0, 0, 0, time.UTC),
	})
	if len(res.rows) != 2 || res.rows[0]["time"] != "2024-01-01T01:00:00Z" || res.rows[1]["time"] != "2024-01-01T01:30:00Z" {
		t.Errorf("rows %v", res.rows)
	}
	if res.stats.Filtered != 2 {
		t.Errorf("Filtered = %d, want 2", res.stats.Filtered)
	}
}

func TestReaderLongLines(t *testing.T) {
	huge := "/" + strings.Repeat("k", 2<<20) // a 2 MiB key
	long := mkLine(func(f map[int]string) { f[8] = huge; f[9] = `"GET ` + huge + ` HTTP/1.1"` })
	res := readAll(t, long+"\n"+mkLine(func(map[int]string) {})+"\n", "f", Options{})
	if len(res.rows) != 2 || res.rows[0]["key"] != huge || res.rows[0]["requesturi"] != "GET "+huge+" HTTP/1.1" {
		t.Fatalf("%d rows, %d rejects", len(res.rows), len(res.rejects))
	}

	// Lines over the limit are rejected, with their start kept, and skipped.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ok := mkLine(func(map[int]string) {})
	in := ok + "\n" + strings.Repeat("x", 3*rawKeepBytes) + "\n" + ok + "\n"
	r := NewReader(iotest.OneByteReader(strings.NewReader(in)), "f", Options{Allocator: mem})
	defer r.Release()
	r.lines.maxLine = 2 * rawKeepBytes
	rows, rejects := 0, []Reject{}
	for r.Next() {
		rows += int(r.RecordBatch().NumRows())
		rejects = append(rejects, r.Rejects()...)
	}
	if rows != 2 || len(rejects) != 1 {
		t.Fatalf("%d rows, %d rejects; want 2, 1", rows, len(rejects))
	}
	want := Reject{Source: "f", Line: 2, Reason: "line of 196609 bytes is longer than the limit of 131072 bytes (--max-line-bytes); raw holds only its first 65536 bytes"}
	if rj := rejects[0]; rj.Line != want.Line || rj.Reason != want.Reason || len(rj.Raw) != rawKeepBytes || rj.Column != 0 || rj.Field != "" || rj.Kind != schema.RejectTooLong {
		t.Errorf("reject %s (raw %d bytes), want %s", rj.Error(), len(rj.Raw), want.Error())
	}
	if s := r.Stats(); s.Lines != 3 || s.Bytes != int64(len(in)) {
		t.Errorf("stats %+v", s)
	}
}

// endless is an io.Reader of n bytes of 'x' and then rest.
type endless struct {
	n    int64
	rest io.Reader
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return e.rest.Read(p)
	}
	k := int(min(int64(len(p)), e.n))
	for i := range p[:k] {
		p[i] = 'x'
	}
	e.n -= int64(k)
	return k, nil
}

// TestReaderLineCapBoundsMemory reads a line 64 times the limit: it is
// rejected with its length and the read buffer stays near the limit.
func TestReaderLineCapBoundsMemory(t *testing.T) {
	ok := mkLine(func(map[int]string) {})
	const limit, long = 256 << 10, 16 << 20
	r := NewReader(&endless{n: long, rest: strings.NewReader("\n" + ok + "\n")}, "f", Options{MaxLineBytes: limit})
	defer r.Release()
	rows, rejects := 0, []Reject{}
	for r.Next() {
		rows += int(r.RecordBatch().NumRows())
		rejects = append(rejects, r.Rejects()...)
	}
	if rows != 1 || len(rejects) != 1 || rejects[0].Kind != schema.RejectTooLong || rejects[0].Line != 1 {
		t.Fatalf("%d rows, rejects %v", rows, rejects)
	}
	if want := fmt.Sprintf("line of %d bytes is longer than the limit of %d bytes", long+1, limit); !strings.HasPrefix(rejects[0].Reason, want) {
		t.Errorf("reason %q, want it to start with %q", rejects[0].Reason, want)
	}
	if c := cap(r.lines.buf); c > 2*limit+readSize {
		t.Errorf("read buffer grew to %d bytes for a limit of %d", c, limit)
	}
	if s := r.Stats(); s.Lines != 2 || s.Bytes != long+int64(len(ok))+2 {
		t.Errorf("stats %+v", s)
	}
}

func TestReaderReadError(t *testing.T) {
	boom := errors.New("boom")
	l := mkLine(func(map[int]string) {})
	src := io.MultiReader(strings.NewReader(l+"\n"+l[:50]), iotest.ErrReader(boom))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := NewReader(src, "f", Options{Allocator: mem})
	defer r.Release()
	rows, rejects := 0, []Reject{}
	for r.Next() {
		rows += int(r.RecordBatch().NumRows())
		rejects = append(rejects, r.Rejects()...)
	}
	if !errors.Is(r.Err(), boom) || r.Err().Error() != "read f: boom" {
		t.Errorf("Err() = %v, want read f: boom", r.Err())
	}
	if rows != 1 || r.Stats().Rejected != 1 || r.Stats().Lines != 2 {
		t.Errorf("%d rows, stats %+v: the partial line must be rejected, not a row", rows, r.Stats())
	}
	if len(rejects) != 1 || rejects[0].Kind != schema.RejectCut || rejects[0].Line != 2 || string(rejects[0].Raw) != l[:50] {
		t.Errorf("rejects %v, want line 2 cut", rejects)
	}
	if r.Next() {
		t.Error("Next after error")
	}
}

func TestReaderRejectOnlyBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := NewReader(strings.NewReader("garbage\n"), "f", Options{Allocator: mem})
	defer r.Release()
	if !r.Next() {
		t.Fatal("Next = false with a reject pending")
	}
	if rec := r.RecordBatch(); rec == nil || rec.NumRows() != 0 || rec.NumCols() != 36 {
		t.Errorf("RecordBatch = %v, want an empty batch of 36 columns", rec)
	}
	if rj := r.Rejects(); len(rj) != 1 || rj[0].Error() != "f:1:8: not an S3 server access log line: no [dd/Mon/yyyy:hh:mm:ss +hhmm] time as the third field" {
		t.Errorf("rejects %v", rj)
	}
}

func TestAppendHex(t *testing.T) {
	for _, x := range []uint64{0, 1, 15, 16, 255, 0x1234abcd, 1<<63 + 5, ^uint64(0)} {
		if got, want := string(appendHex([]byte("p"), x)), "p"+strconv.FormatUint(x, 16); got != want {
			t.Errorf("appendHex(%d) = %q, want %q", x, got, want)
		}
	}
}

func TestArnAccount(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::123456789012:user/alice":                                       "123456789012",
		"arn:aws:sts::123456789012:assumed-role/R/s":                                 "123456789012",
		"arn:aws-cn:s3:us-west-1:123456789012:accesspoint/x":                         "123456789012",
		"arn:aws:iam::123:user/dandi-api-heroku":                                     "",
		"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLEID": "",
		"arn:aws:iam::12345678901a:user/x":                                           "",
		"arn:aws:iam::123456789012":                                                  "",
		"arn:aws:s3:::bucket":                                                        "",
	} {
		if got := string(arnAccount([]byte(arn))); got != want {
			t.Errorf("arnAccount(%q) = %q, want %q", arn, got, want)
		}
	}
}

func TestIsIP(t *testing.T) {
	for s, want := range map[string]bool{
		"192.0.2.3": true, "0.0.0.0": true, "255.255.255.255": true, "2001:db8::1": true, "::1": true, "::ffff:192.0.2.1": true,
		"192.0.2.300": false, "192.0.2": false, "192.0.2.3.4": false, "01.2.3.4": false, "1..2.3": false, "xxx.xxxx.xx.xxx": false,
		"-": false, "": false, "2001:db8::g": false, "1.2.3.4:80": false,
		"2600:1f18:17fb:57ad:ec3a:ee2a:ea72:c2e9": true, "0:0:0:0:0:0:0:0": true, "2600:1F18:0017:57ad:ec3a:ee2a:ea72:c2e9": true,
		"2600:1f18:17fb:57ad:ec3a:ee2a:ea72": false, "2600:1f18:17fb:57ad:ec3a:ee2a:ea72:c2e9:1": false,
		"2600:1f18:17fb:57ad:ec3a:ee2a:ea72:c2e9a": false, "2600:1f18:17fb:57ad:ec3a:ee2a:ea72:": false,
		"fe80::1%eth0": true, "fe80:0:0:0:0:0:0:1%eth0": true, "1:2:3:4:5:6:1.2.3.4": true,
	} {
		if got := isIP([]byte(s)); got != want {
			t.Errorf("isIP(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestIsFullIPv6 checks that the shortcut accepts only what netip.ParseAddr
// accepts, on the table of TestIsIP and on strings built from IPv6 parts.
func TestIsFullIPv6(t *testing.T) {
	good := []string{"0", "1f18", "ABCD", "e4c4", "7", "00a"}
	bad := []string{"12345", "", "g", ":", ".", "1.2.3.4", "%z", "-", " "}
	rng := rand.New(rand.NewPCG(1, 2))
	accepted := 0
	for range 20000 {
		var b []byte
		for k := range 7 + rng.IntN(3) {
			if k > 0 {
				b = append(b, ':')
			}
			if rng.IntN(20) == 0 {
				b = append(b, bad[rng.IntN(len(bad))]...)
			} else {
				b = append(b, good[rng.IntN(len(good))]...)
			}
		}
		if isFullIPv6(b) {
			accepted++
		}
		_, err := netip.ParseAddr(string(b))
		if isFullIPv6(b) && err != nil {
			t.Errorf("isFullIPv6(%q) = true, netip: %v", b, err)
		}
	}
	if accepted < 1000 {
		t.Errorf("only %d generated addresses took the shortcut", accepted)
	}
	for s, want := range map[string]bool{
		"2600:1f18:17fb:57ad:ec3a:ee2a:ea72:c2e9": true, "0:0:0:0:0:0:0:0": true, "::1": false, "fe80:0:0:0:0:0:0:1%eth0": false,
		"1:2:3:4:5:6:7:12345": false, "1:2:3:4:5:6:7": false, "1:2:3:4:5:6:7:8:9": false, "1:2:3:4:5:6:7:": false, ":1:2:3:4:5:6:7": false,
	} {
		if got := isFullIPv6([]byte(s)); got != want {
			t.Errorf("isFullIPv6(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestIsIPv4 checks the IPv4 shortcut against netip.ParseAddr on
// strings built from parts that are and are not IPv4 parts, and a table of
// edge cases.
func TestIsIPv4(t *testing.T) {
	parts := []string{"0", "1", "9", "10", "99", "100", "199", "255", "256", "300", "999", "00", "01", "001", "010", "1000", "", "a", "1a", " ", "-", ":"}
	rng := rand.New(rand.NewPCG(3, 4))
	accepted, rejected := 0, 0
	for range 50000 {
		var b []byte
		// Mostly four parts, mostly valid ones (the first eight).
		for i, k := 0, []int{3, 4, 4, 4, 5}[rng.IntN(5)]; i < k; i++ {
			if i > 0 {
				b = append(b, '.')
			}
			if rng.IntN(5) == 0 {
				b = append(b, parts[rng.IntN(len(parts))]...)
			} else {
				b = append(b, parts[rng.IntN(8)]...)
			}
		}
		if rng.IntN(8) == 0 && len(b) > 0 {
			b[rng.IntN(len(b))] = "./0x9"[rng.IntN(5)]
		}
		a, err := netip.ParseAddr(string(b))
		want := err == nil && a.Is4()
		if got := isIPv4(b); got != want {
			t.Fatalf("isIPv4(%q) = %v, want %v", b, got, want)
		}
		if want {
			accepted++
		} else {
			rejected++
		}
	}
	if accepted < 1000 || rejected < 1000 {
		t.Errorf("%d generated strings accepted, %d rejected: the test does not cover both", accepted, rejected)
	}
	for s, want := range map[string]bool{
		"0.0.0.0": true, "255.255.255.255": true, "1.22.123.4": true, "192.0.2.3": true,
		"256.0.0.0": false, "0.0.0.256": false, "1.2.3.04": false, "1.2.3": false, "1.2.3.4.": false, ".1.2.3.4": false,
		"1.2.3.4.5": false, "1..2.3": false, "1.2.3.1234": false, "1234.1.1.1": false, "255.255.255.2555": false,
		"1.2.3.4 ": false, "1.2.3./": false, "1.2.3.:": false, "": false, "1.2.3.4\x00": false, "1.2.3.": false,
	} {
		if got := isIPv4([]byte(s)); got != want {
			t.Errorf("isIPv4(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestReaderBatchBytes checks that a batch ends once its lines (rows and
// rejects alike) reach maxBatchBytes, so that memory stays bounded.
func TestReaderBatchBytes(t *testing.T) {
	junk := strings.Repeat("x", 1<<20) // a rejected 1 MiB line
	n := maxBatchBytes>>20 + 3
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := NewReader(strings.NewReader(strings.Repeat(junk+"\n", n)), "f", Options{Allocator: mem})
	defer r.Release()
	var sizes []int
	for r.Next() {
		sizes = append(sizes, len(r.Rejects()))
	}
	if len(sizes) != 2 || sizes[0] != maxBatchBytes>>20 || sizes[1] != 3 {
		t.Errorf("rejects per batch %v, want [%d 3]", sizes, maxBatchBytes>>20)
	}
}

// stuckReader returns nothing, forever, without an error.
type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

func TestReaderNoProgress(t *testing.T) {
	r := NewReader(stuckReader{}, "f", Options{})
	defer r.Release()
	if r.Next() {
		t.Error("Next = true from a reader that returns nothing")
	}
	if !errors.Is(r.Err(), io.ErrNoProgress) {
		t.Errorf("Err() = %v, want io.ErrNoProgress", r.Err())
	}
}

// dataErrReader returns all its data and an error from the same Read, as
// io.Reader allows.
type dataErrReader struct {
	data []byte
	err  error
}

func (d *dataErrReader) Read(p []byte) (int, error) {
	n := copy(p, d.data)
	d.data = d.data[n:]
	return n, d.err
}

func TestReaderDataWithError(t *testing.T) {
	l := mkLine(func(map[int]string) {})
	boom := errors.New("boom")
	r := NewReader(&dataErrReader{[]byte(l + "\n" + l + "\n" + l[:40]), boom}, "f", Options{})
	defer r.Release()
	rows := 0
	for r.Next() {
		rows += int(r.RecordBatch().NumRows())
	}
	if rows != 2 || !errors.Is(r.Err(), boom) || r.Stats().Rejected != 1 {
		t.Errorf("%d rows, err %v, stats %+v; want the 2 complete lines, boom, the cut line rejected", rows, r.Err(), r.Stats())
	}
}

// TestReadersConcurrent runs Readers in parallel, as the load pipeline
// does with the chunks of a file; they share only the pool of buffers, and
// each must produce what a Reader alone produces.
func TestReadersConcurrent(t *testing.T) {
	input := strings.Join(sampleLines(t), "\n") + "\n"
	want := goldenJSON(readAll(t, input, "s", Options{BatchRows: 5}))
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				if got := goldenJSON(readAll(t, input, "s", Options{BatchRows: 5})); !bytes.Equal(got, want) {
					t.Errorf("concurrent read differs (-want +got):\n%s", lineDiff(want, got))
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestAppendRowAtBufferEnd checks appendRow's exact copies, taken for the
// values near the end of a line that has no room after it in the read
// buffer (its blocks would run past it), against its block copies: the
// same line, once with no capacity past its end and once with some, must
// give the same row, and the expected values.
func TestAppendRowAtBufferEnd(t *testing.T) {
	line := mkLine(func(f map[int]string) {
		f[25], f[26], f[27] = "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP", "Yes", "us-east-1"
	})
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var rows []map[string]any
	for _, b := range [][]byte{
		[]byte(line)[:len(line):len(line)],
		append([]byte(line), make([]byte, 2*overcopy)...)[:len(line)],
	} {
		r := NewReader(strings.NewReader(""), "end.log", Options{Allocator: mem, ParseTime: testParseTime})
		if !r.p.parse(b) {
			t.Fatalf("rejected: %s", r.p.err.reason)
		}
		r.b.appendRow(&r.p.row, b, 1)
		rec := r.b.build()
		rows = append(rows, rowMap(t, rec, 0))
		rec.Release()
		r.Release()
	}
	for col, want := range map[string]any{
		"bucket": "DOC-EXAMPLE-BUCKET1", "aclrequired": "Yes", "additionalFields": []string{"us-east-1"},
		"accesspointarn": "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP", "tlsVersion": "TLSV1.2",
	} {
		if got := rows[0][col]; js(got) != js(want) {
			t.Errorf("%s = %s, want %s", col, js(got), js(want))
		}
	}
	if js(rows[0]) != js(rows[1]) {
		t.Errorf("row copied at the buffer's end:\n%s\nwith room after the line:\n%s", js(rows[0]), js(rows[1]))
	}
}

// TestFirstBatchRows checks that a Reader's first batch is sized from the
// largest batch of the last Reader of its pooled state, within
// [firstBatchRows, Options.BatchRows], and that the hint is used once.
func TestFirstBatchRows(t *testing.T) {
	r := NewReader(strings.NewReader(""), "rows.log", Options{BatchRows: 4096})
	defer r.Release()
	for _, tc := range []struct{ lastRows, want int }{
		{0, firstBatchRows}, {10, firstBatchRows}, {3000, 3000}, {4096, 4096}, {100000, 4096},
	} {
		r.b.free()
		r.b.lastRows, r.b.rowHint = tc.lastRows, 0
		r.b.reset()
		if r.b.rowCap != tc.want || r.b.lastRows != 0 {
			t.Errorf("after a Reader whose largest batch had %d rows: first batch for %d rows (hint left %d), want %d (0)", tc.lastRows, r.b.rowCap, r.b.lastRows, tc.want)
		}
	}
}

// TestIPCache checks that the cache answers as isIP does, on strings that
// repeat (hits), that evict each other from a small table, and that are
// too short or too long to be cached.
func TestIPCache(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var pool []string
	for i := range 3000 {
		var s string
		switch i % 6 {
		case 0:
			s = fmt.Sprintf("%d.%d.%d.%d", rng.IntN(300), rng.IntN(256), rng.IntN(256), rng.IntN(256))
		case 1:
			s = fmt.Sprintf("2600:1f18:%x:57ad:ec3a:ee2a:%x:c2e9", rng.IntN(1<<16), rng.IntN(1<<17))
		case 2:
			s = fmt.Sprintf("2001:db8::%x", rng.IntN(1<<20))
		case 3:
			s = fmt.Sprintf("1.2.3.%d", rng.IntN(10)) // 7 bytes: not cached
		case 4:
			s = fmt.Sprintf("%d.%d.%d.0%d", rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(10))
		default:
			s = strings.Repeat("1:", 20) + strconv.Itoa(rng.IntN(100)) // too long to cache
		}
		pool = append(pool, s)
	}
	var c ipCache
	hits := 0
	for range 100000 {
		s := pool[rng.IntN(len(pool))]
		b := []byte(s)
		want := isIP(b)
		n := len(b)
		cached := false
		if n >= 8 && n <= ipCacheMax {
			for i := range c {
				if int(c[i].n) == n && string(c[i].b[:n]) == s {
					cached = true
				}
			}
		}
		if got := c.isIP(b); got != want {
			t.Fatalf("ipCache.isIP(%q) = %v, want %v (cached before: %v)", s, got, want, cached)
		}
		if cached {
			hits++
		}
	}
	if hits < 10000 {
		t.Errorf("%d of 100000 look-ups hit the cache: the test does not cover hits", hits)
	}
}

// TestShortLineAfterLong checks that a line with fewer fields, after one
// with all of them, has NULL in the fields it lacks, whether natural (six
// quotes) or the search (here seven) read it: nothing of the previous
// line's values may be left in the row.
func TestShortLineAfterLong(t *testing.T) {
	long := mkLine(func(f map[int]string) {
		f[25], f[26], f[27] = "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP", "Yes", "us-east-1"
	})
	short := mkLine(func(f map[int]string) {
		for k := 18; k <= 26; k++ {
			delete(f, k)
		}
	})
	quirky := mkLine(func(f map[int]string) {
		f[17] = `"S3Console/0.4 "quoted""`
		for k := 20; k <= 26; k++ {
			delete(f, k)
		}
	})
	res := readAll(t, long+"\n"+short+"\n"+long+"\n"+quirky+"\n", "short.log", Options{})
	if len(res.rows) != 4 || len(res.rejects) != 0 {
		t.Fatalf("%d rows, %d rejects, want 4 rows", len(res.rows), len(res.rejects))
	}
	for i, want := range []map[string]any{
		{"useragent": "S3Console/0.4", "versionid": nil, "hostid": nil, "tlsVersion": nil, "aclrequired": nil, "additionalFields": nil},
		{"useragent": `S3Console/0.4 "quoted"`, "versionid": nil, "hostid": "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=",
			"signatureversion": nil, "tlsVersion": nil, "accesspointarn": nil, "aclrequired": nil, "additionalFields": nil},
	} {
		row := res.rows[2*i+1]
		for col, v := range want {
			if js(row[col]) != js(v) {
				t.Errorf("row %d: %s = %s, want %s", 2*i+2, col, js(row[col]), js(v))
			}
		}
	}
}

// TestReaderLimitOnBufferedLines holds the limit for lines that arrive whole
// in one read (shorter than the read buffer): every line longer than
// MaxLineBytes is rejected, whether or not its end was already buffered; a
// line exactly at the limit (its ending not counted) is read.
func TestReaderLimitOnBufferedLines(t *testing.T) {
	ok := mkLine(func(map[int]string) {})
	limit := len(ok)
	longer := mkLine(func(f map[int]string) { f[8] = "/" + strings.Repeat("k", 20) })
	tests := []struct {
		name           string
		input          string
		limit          int
		rows, rejected int
	}{
		{"at the limit", ok + "\n" + ok + "\r\n" + ok, limit, 3, 0},
		{"one byte over", ok + "\n" + ok + "x\n" + ok + "\n", limit, 2, 1},
		{"every line over", ok + "\n" + longer + "\n" + ok + "\n", 100, 0, 3},
		{"last line over without its ending", ok + "\n" + longer, limit, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readAll(t, tt.input, "f", Options{MaxLineBytes: tt.limit})
			if len(res.rows) != tt.rows || len(res.rejects) != tt.rejected {
				t.Fatalf("%d rows, %d rejects; want %d, %d", len(res.rows), len(res.rejects), tt.rows, tt.rejected)
			}
			for _, rj := range res.rejects {
				if rj.Kind != schema.RejectTooLong || len(rj.Raw) > tt.limit {
					t.Errorf("reject %s (raw %d bytes), want too long with at most %d bytes kept", rj.Error(), len(rj.Raw), tt.limit)
				}
			}
		})
	}
}

package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/loader/source"
	"github.com/s3logs/s3logs/schema"
)

// genLines returns n generated log lines (no traps, so every line parses),
// newline-terminated.
func genLines(t testing.TB, n int, seed int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gen.Write(&buf, n, gen.Options{Seed: seed}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func openDB(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// load runs a Loader with a checked allocator and fails the test if any
// Arrow memory is left allocated.
func load(t testing.TB, d *db.DB, opts Options, args ...string) Summary {
	t.Helper()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	opts.Allocator = alloc
	var ls []source.Lister
	for _, a := range args {
		ls = append(ls, Source{Lister: source.LocalLister(a, nil), Label: a})
	}
	sum, err := New(d, opts).Load(context.Background(), ls)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if n := alloc.CurrentAlloc(); n != 0 {
		t.Errorf("%d bytes of Arrow memory left allocated", n)
	}
	return sum
}

// counts returns rows, distinct p_row_id, rejects and manifest rows.
func counts(t testing.TB, d *db.DB) [4]int64 {
	t.Helper()
	var c [4]int64
	err := d.QueryRow(`SELECT (SELECT count(*) FROM aws_s3serveraccess), (SELECT count(DISTINCT p_row_id) FROM aws_s3serveraccess),
		(SELECT count(*) FROM aws_s3serveraccess_rejects), (SELECT count(*) FROM s3logs_manifest)`).Scan(&c[0], &c[1], &c[2], &c[3])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tally is the part of a Summary the tests compare exactly.
type tally struct {
	Objects, Resumed, Reloaded, Skipped, Failed int
	Lines, Rows, Rejected, Blank                int64
}

func tallyOf(s Summary) tally {
	return tally{s.Objects, s.Resumed, s.Reloaded, s.Skipped, s.Failed, s.Lines, s.Rows, s.Rejected, s.Blank}
}

func TestLoad(t *testing.T) {
	good := genLines(t, 1000, 1)
	bad := append(append([]byte{}, gen.BadLine(gen.BadKinds()[0]).Line...), '\n')
	withBad := append(append(append([]byte{}, good[:bytes.IndexByte(good, '\n')+1]...), bad...), "\n  \n"...)
	withBad = append(withBad, good[bytes.IndexByte(good, '\n')+1:]...)
	tests := []struct {
		name  string
		files map[string][]byte
		arg   string
		want  tally
		db    [4]int64
	}{
		{"plain file", map[string][]byte{"a.log": good}, "a.log",
			tally{Objects: 1, Lines: 1000, Rows: 1000}, [4]int64{1000, 1000, 0, 1}},
		{"gzip file", map[string][]byte{"a.log.gz": gzipped(t, good)}, "a.log.gz",
			tally{Objects: 1, Lines: 1000, Rows: 1000}, [4]int64{1000, 1000, 0, 1}},
		{"gzip without .gz name", map[string][]byte{"a.log": gzipped(t, good)}, "a.log",
			tally{Objects: 1, Lines: 1000, Rows: 1000}, [4]int64{1000, 1000, 0, 1}},
		{"reject and blank lines", map[string][]byte{"a.log": withBad}, "a.log",
			tally{Objects: 1, Lines: 1003, Rows: 1000, Rejected: 1, Blank: 2}, [4]int64{1000, 1000, 1, 1}},
		{"folder", map[string][]byte{"x/a.log": good, "x/sub/b.log": genLines(t, 70000, 2), "x/c.gz": gzipped(t, genLines(t, 5, 3))}, "x",
			tally{Objects: 3, Lines: 71005, Rows: 71005}, [4]int64{71005, 71005, 0, 3}},
		{"empty file", map[string][]byte{"a.log": nil}, "a.log",
			tally{Objects: 1}, [4]int64{0, 0, 0, 1}},
		{"no final newline", map[string][]byte{"a.log": good[:len(good)-1]}, "a.log",
			tally{Objects: 1, Lines: 1000, Rows: 1000}, [4]int64{1000, 1000, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, b := range tt.files {
				writeFile(t, filepath.Join(dir, name), b)
			}
			d := openDB(t)
			sum := load(t, d, Options{}, filepath.Join(dir, tt.arg))
			if got := tallyOf(sum); got != tt.want {
				t.Errorf("summary %+v, want %+v (errors %v)", got, tt.want, sum.Errors)
			}
			if got := counts(t, d); got != tt.db {
				t.Errorf("rows, distinct ids, rejects, manifest = %v, want %v", got, tt.db)
			}
			again := load(t, d, Options{}, filepath.Join(dir, tt.arg))
			if got, want := tallyOf(again), (tally{Skipped: len(tt.files)}); got != want {
				t.Errorf("second load %+v, want %+v", got, want)
			}
			if got := counts(t, d); got != tt.db {
				t.Errorf("after second load: %v, want %v", got, tt.db)
			}
		})
	}
}

// TestLoadValues checks that a loaded row holds the parsed values and the
// p_ columns ingest is responsible for.
func TestLoadValues(t *testing.T) {
	dir := t.TempDir()
	line := `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be DOC-EXAMPLE-BUCKET1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /DOC-EXAMPLE-BUCKET1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader DOC-EXAMPLE-BUCKET1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1`
	path := filepath.Join(dir, "one.log")
	writeFile(t, path, []byte(line+"\n"))
	d := openDB(t)
	load(t, d, Options{Label: "case-42"}, path)
	var bucket, op, src, label, tm string
	var status, sent int64
	err := d.QueryRow(`SELECT bucket, operation, httpstatus, bytessent, strftime(time, '%Y-%m-%dT%H:%M:%S%z'), p_source_id, p_source_label FROM aws_s3serveraccess`).
		Scan(&bucket, &op, &status, &sent, &tm, &src, &label)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(bucket, " ", op, " ", status, " ", sent, " ", tm, " ", src == path, " ", label)
	if want := "DOC-EXAMPLE-BUCKET1 REST.GET.VERSIONING 200 113 2019-02-06T00:00:38+00 true case-42"; got != want {
		t.Errorf("row = %q, want %q", got, want)
	}
	var m string
	err = d.QueryRow(`SELECT concat_ws(' ', name = ?, size, bytes, lines, "rows", rejected, blank, filtered, status, label) FROM s3logs_manifest`, path).Scan(&m)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("true %d %d 1 1 0 0 0 loaded case-42", len(line)+1, len(line)+1); m != want {
		t.Errorf("manifest = %q, want %q", m, want)
	}
}

// rowIDs returns the sorted p_row_ids of the table.
func rowIDs(t testing.TB, d *db.DB) string {
	t.Helper()
	var s string
	if err := d.QueryRow(`SELECT string_agg(p_row_id, ',' ORDER BY p_row_id) FROM aws_s3serveraccess`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestChangedFiles(t *testing.T) {
	first := genLines(t, 3000, 7)
	more := genLines(t, 500, 8)
	other := genLines(t, 200, 9)
	tests := []struct {
		name    string
		rewrite []byte // the file's content for the second load
		want    tally
		rows    int64
	}{
		{"grown file reads only the new part", append(append([]byte{}, first...), more...),
			tally{Objects: 1, Resumed: 1, Lines: 500, Rows: 500}, 3500},
		{"grown gzip file is reloaded whole", nil, tally{Objects: 1, Reloaded: 1, Lines: 3500, Rows: 3500}, 3500},
		{"rewritten file is reloaded whole", other, tally{Objects: 1, Reloaded: 1, Lines: 200, Rows: 200}, 200},
		{"grown file whose first line changed is reloaded whole", append(append(append([]byte{}, other[:bytes.IndexByte(other, '\n')+1]...), first[bytes.IndexByte(first, '\n')+1:]...), more...),
			tally{Objects: 1, Reloaded: 1, Lines: 3500, Rows: 3500}, 3500},
		{"file whose last line was being written is reloaded whole", append(append([]byte{}, first...), more...),
			tally{Objects: 1, Reloaded: 1, Lines: 3500, Rows: 3500}, 3500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.log")
			before, after := first, tt.rewrite
			switch {
			case strings.HasPrefix(tt.name, "grown gzip"):
				before, after = gzipped(t, first), append(gzipped(t, first), gzipped(t, more)...)
			case strings.HasPrefix(tt.name, "file whose last line"):
				before = append(append([]byte{}, first...), more[:100]...) // half a line, no newline
			}
			writeFile(t, path, before)
			d := openDB(t)
			load(t, d, Options{}, path)
			writeFile(t, path, after)
			os.Chtimes(path, time.Now(), time.Now().Add(time.Second))
			sum := load(t, d, Options{}, path)
			if got := tallyOf(sum); got != tt.want {
				t.Errorf("summary %+v, want %+v (errors %v)", got, tt.want, sum.Errors)
			}
			if got, want := counts(t, d), [4]int64{tt.rows, tt.rows, 0, 1}; got != want {
				t.Errorf("rows, distinct ids, rejects, manifest = %v, want %v", got, want)
			}
			// The ids must be those of a fresh load of the final file.
			fresh := openDB(t)
			load(t, fresh, Options{}, path)
			if rowIDs(t, d) != rowIDs(t, fresh) {
				t.Errorf("p_row_ids differ from a fresh load of the same file")
			}
			var lines, rows int64
			if err := d.QueryRow(`SELECT lines, "rows" FROM s3logs_manifest`).Scan(&lines, &rows); err != nil {
				t.Fatal(err)
			}
			if lines != tt.rows || rows != tt.rows {
				t.Errorf("manifest lines, rows = %d, %d, want %d", lines, rows, tt.rows)
			}
		})
	}
}

func TestBrokenInputs(t *testing.T) {
	good := genLines(t, 2000, 11)
	gz := gzipped(t, good)
	binary := append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0, 1, 2, 3}, 1000)...)
	csv := bytes.Repeat([]byte("date,time,x-edge-location,sc-bytes,c-ip,cs-method\n"), 3000)
	tests := []struct {
		name    string
		content []byte
		want    tally
		err     string  // the error, after the file path
		is      []error // errors.Is each
		rows    int64
		as      any // errors.As target, when set
	}{
		{"truncated gzip keeps what was read", gz[:len(gz)/2], tally{Objects: 1, Failed: 1, Rejected: 1}, ": after line %d: gzip stream is truncated: unexpected EOF", []error{io.ErrUnexpectedEOF}, -1, nil},
		{"gzip then plain text", append(bytes.Clone(gz), "x y\n"...), tally{Objects: 1, Failed: 1},
			fmt.Sprintf(": after line 2000: gzip data followed by 4 bytes that are not gzip, at offset %d (starting \"x y\\n\"): the gzip data was read, the rest was not (tail -c +%d on the file gives it)", len(gz), len(gz)+1),
			nil, 2000, new(*source.TrailingDataError)},
		{"corrupt gzip header", []byte{0x1f, 0x8b, 9, 9, 9}, tally{Failed: 1}, ": gzip stream is truncated: unexpected EOF", []error{io.ErrUnexpectedEOF}, 0, nil},
		{"binary file", binary, tally{Failed: 1}, ": not an S3 server access log: it holds binary data (a NUL byte at byte 8); s3logs reads logs as plain text or gzip", []error{source.ErrNotLog}, 0, nil},
		{"zstd file", append([]byte("\x28\xb5\x2f\xfd\x04\x58"), bytes.Repeat([]byte("\x8a\x35\n"), 100)...), tally{Failed: 1},
			": it is zstd-compressed, and s3logs reads logs as plain text or gzip: decompress it first (zstd -d)", nil, 0, new(*source.CompressionError)},
		{"bzip2 file", []byte("BZh91AY&SY\xa1\x05\n"), tally{Failed: 1},
			": it is bzip2-compressed, and s3logs reads logs as plain text or gzip: decompress it first (bunzip2)", nil, 0, new(*source.CompressionError)},
		{"other log format", csv, tally{Failed: 1}, ": not an S3 server access log: none of its first 1,310 lines is one (1,310 rejected, 0 blank), so none of it was loaded; line 1: ", []error{source.ErrNotLog, schema.RejectNotLog}, 0, new(*NotLogError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "bad.log")
			writeFile(t, path, tt.content)
			okPath := filepath.Join(dir, "ok.log")
			writeFile(t, okPath, good[:bytes.IndexByte(good, '\n')+1])
			d := openDB(t)
			sum := load(t, d, Options{}, path, filepath.Join(dir, "missing.log"), okPath)
			if len(sum.Errors) != 2 {
				t.Fatalf("errors %v, want 2", sum.Errors)
			}
			errs := sum.Errors
			if strings.HasPrefix(errs[0].Error(), filepath.Join(dir, "missing.log")) {
				errs = []error{errs[1], errs[0]}
			}
			if got, want := errs[1].Error(), filepath.Join(dir, "missing.log")+": no such file or directory"; got != want {
				t.Errorf("missing file error %q, want %q", got, want)
			}
			err := errs[0]
			want := tt.err
			if strings.Contains(want, "%d") {
				want = fmt.Sprintf(want, sum.Lines-1)
			}
			if !strings.HasPrefix(err.Error(), path+want) {
				t.Errorf("error %q, want it to start with %q", err, path+want)
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("error %v is not %v", err, target)
				}
			}
			if tt.as != nil && !errors.As(err, tt.as) {
				t.Errorf("error %v (%T) is not a %T", err, err, tt.as)
			}
			tt.want.Objects++ // ok.log
			tt.want.Failed++  // missing.log
			got := tallyOf(sum)
			got.Lines, got.Rows = 0, 0
			if got != tt.want {
				t.Errorf("summary %+v, want %+v", got, tt.want)
			}
			c := counts(t, d)
			if tt.rows >= 0 && c[0] != tt.rows+1 {
				t.Errorf("%d rows, want %d", c[0], tt.rows+1)
			}
			if tt.rows < 0 && (c[0] <= 1 || c[0] >= 2001 || c[0] != sum.Rows) {
				t.Errorf("%d rows (summary %d): want the lines before the truncation", c[0], sum.Rows)
			}
			if tt.want.Rejected > 0 {
				var line int64
				var reason string
				if err := d.QueryRow(`SELECT line, reason FROM aws_s3serveraccess_rejects`).Scan(&line, &reason); err != nil {
					t.Fatal(err)
				}
				if line != sum.Lines-1 || !strings.HasPrefix(reason, "the input ended with a read error") {
					t.Errorf("reject line %d %q, want the cut last line %d", line, reason, sum.Lines-1)
				}
			}
		})
	}
}

// stallingLister lists one object that serves the first n bytes of data,
// then blocks until the load is cancelled.
type stallingLister struct {
	obj  source.Object
	data []byte
	n    int
}

func (s stallingLister) List(ctx context.Context, fn func(source.Object) error) error {
	o := s.obj
	o.Open = func(ctx context.Context) (io.ReadCloser, error) {
		return io.NopCloser(io.MultiReader(bytes.NewReader(s.data[:s.n]), blockReader{ctx})), nil
	}
	return fn(o)
}

type blockReader struct{ ctx context.Context }

func (b blockReader) Read([]byte) (int, error) {
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

// TestInterruptedLoad cancels a load while an object is half read and
// committed as partial; loading again must replace that part, not add to it.
func TestInterruptedLoad(t *testing.T) {
	data := genLines(t, 5000, 21)
	path := filepath.Join(t.TempDir(), "a.log")
	writeFile(t, path, data)
	var obj source.Object
	source.PathLister(path).List(context.Background(), func(o source.Object) error { obj = o; return nil })
	d := openDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			var n int
			d.QueryRow(`SELECT count(*) FROM s3logs_manifest WHERE status = 'partial'`).Scan(&n)
			if n > 0 {
				cancel()
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	opts := Options{BatchRows: 500, CommitRows: 500, CommitEvery: 10 * time.Millisecond, ChunkBytes: 64 << 10}
	isum, err := New(d, opts).Load(ctx, []source.Lister{stallingLister{obj, data, len(data) * 3 / 5}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Load error %v, want context.Canceled", err)
	}
	c := counts(t, d)
	// The summary of the interrupted load counts what it committed of the
	// object it was reading (s3logs load says so on Ctrl-C).
	if isum.Objects != 0 || isum.Partial != 1 || isum.PartialRows != c[0] {
		t.Errorf("interrupted load's summary: objects %d, partial %d with %d rows; want 0, 1 with %d (the rows committed)", isum.Objects, isum.Partial, isum.PartialRows, c[0])
	}
	var status string
	var lines, rows int64
	d.QueryRow(`SELECT status, lines, rows FROM s3logs_manifest`).Scan(&status, &lines, &rows)
	if c[0] == 0 || c[0] > 3000 || c[0] != c[1] || c[3] != 1 || status != StatusPartial {
		t.Errorf("after the interruption: rows, ids, rejects, manifest = %v, status %q; want some of the first 3000 rows and 1 partial manifest row", c, status)
	}
	// The partial manifest row counts what is committed (every line of
	// this file is a row).
	if lines != c[0] || rows != c[0] {
		t.Errorf("partial manifest row: lines=%d rows=%d, want both %d (the rows committed)", lines, rows, c[0])
	}
	sum := load(t, d, Options{}, path)
	if got, want := tallyOf(sum), (tally{Objects: 1, Reloaded: 1, Lines: 5000, Rows: 5000}); got != want {
		t.Errorf("second load %+v, want %+v", got, want)
	}
	if got, want := counts(t, d), [4]int64{5000, 5000, 0, 1}; got != want {
		t.Errorf("rows, distinct ids, rejects, manifest = %v, want %v", got, want)
	}
}

func TestReadChunk(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		size  int
		want  []string // the chunks, in order
		lines int64    // countLines summed over them
	}{
		{"empty", "", 8, []string{""}, 0},
		{"one short line", "abc\n", 8, []string{"abc\n"}, 1},
		{"no final newline", "abc\nde", 8, []string{"abc\nde"}, 2},
		{"cut at the last line end", "aa\nbb\ncc\ndd\n", 7, []string{"aa\nbb\n", "cc\ndd\n"}, 4},
		{"line longer than a chunk", "0123456789abcdef\nx\nyz", 4, []string{"0123456789abcdef\nx\n", "yz"}, 3},
		{"blank lines", "\n\n\n", 2, []string{"\n\n", "\n"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReaderSize(strings.NewReader(tt.in), 16)
			var carry, got []byte
			var chunks []string
			var lines int64
			for {
				c, tl, last, err := readChunk(r, &carry, tt.size, tt.size, 1<<20)
				if err != nil || tl != nil {
					t.Fatal(err, tl)
				}
				chunks = append(chunks, string(c))
				lines += countLines(c)
				got = append(got, c...)
				if last {
					break
				}
			}
			if fmt.Sprintf("%q", chunks) != fmt.Sprintf("%q", tt.want) || lines != tt.lines || string(got) != tt.in {
				t.Errorf("chunks %q (%d lines), want %q (%d lines)", chunks, lines, tt.want, tt.lines)
			}
		})
	}
}

// TestReadChunkOverLongLine reads lines longer than the limit: each is a
// tail with its whole length and kept start, read without being buffered,
// and the lines around it are chunks.
func TestReadChunkOverLongLine(t *testing.T) {
	const limit = 1000
	long := strings.Repeat("x", 64<<20)
	in := "a\nb\n" + long + "\nc\n" + long
	r := bufio.NewReaderSize(strings.NewReader(in), 16)
	var carry []byte
	var got []string
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for {
		c, tl, last, err := readChunk(r, &carry, 100, 100, limit)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%q", c))
		if tl != nil {
			got = append(got, fmt.Sprintf("tail %d %d %v", tl.length, len(tl.raw), tl.cut))
		}
		if last {
			break
		}
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	want := []string{`"a\nb\n"`, `""`, fmt.Sprintf("tail %d 1001 false", len(long)+1), `"c\n"`, `""`, fmt.Sprintf("tail %d 1001 false", len(long))}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("reading two 64 MiB lines with a limit of %d allocated %d bytes", limit, n)
	}
}

// TestOverLongLineLoad loads a file holding a line longer than the limit
// between good ones, beside another file: the line is a reject with its
// length, the rest loads, and the lines add up.
func TestOverLongLineLoad(t *testing.T) {
	dir := t.TempDir()
	good := genLines(t, 200, 41)
	long := bytes.Repeat([]byte("y"), 3<<20)
	half := bytes.IndexByte(good[len(good)/2:], '\n') + len(good)/2 + 1
	data := append(append(append(append([]byte(nil), good[:half]...), long...), '\n'), good[half:]...)
	n1 := int64(bytes.Count(good[:half], []byte("\n")))
	writeFile(t, filepath.Join(dir, "a.log"), data)
	writeFile(t, filepath.Join(dir, "b.log.gz"), gzipped(t, append(append(long, '\n'), good...)))
	d := openDB(t)
	sum := load(t, d, Options{MaxLineBytes: 1 << 20, ChunkBytes: 64 << 10}, dir)
	if got, want := tallyOf(sum), (tally{Objects: 2, Lines: 402, Rows: 400, Rejected: 2}); got != want || len(sum.Errors) != 0 {
		t.Fatalf("summary %+v, want %+v; errors %v", got, want, sum.Errors)
	}
	rows, err := d.Query(`SELECT source, line, length(raw), reason FROM aws_s3serveraccess_rejects ORDER BY source, line`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var src, reason string
		var line, n int64
		rows.Scan(&src, &line, &n, &reason)
		got = append(got, fmt.Sprintf("%s:%d %d %s", filepath.Base(src), line, n, reason))
	}
	r := fmt.Sprintf(" 65536 line of %%d bytes is longer than the limit of %d bytes (--max-line-bytes); raw holds only its first 65536 bytes", 1<<20)
	want := []string{fmt.Sprintf("a.log:%d"+r, n1+1, len(long)+1), fmt.Sprintf("b.log.gz:1"+r, len(long)+1)}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rejects\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestReadChunkCutLine: a read error inside a line makes that line a cut
// tail, not part of the chunk.
func TestReadChunkCutLine(t *testing.T) {
	boom := errors.New("boom")
	var carry []byte
	c, tl, last, err := readChunk(io.MultiReader(strings.NewReader("a\nbc"), iotest.ErrReader(boom)), &carry, 100, 100, 1000)
	if string(c) != "a\n" || tl == nil || !tl.cut || string(tl.raw) != "bc" || !last || err != boom {
		t.Errorf("chunk %q, tail %+v, last %v, err %v", c, tl, last, err)
	}
}

// TestChunksGiveSameRows loads a file cut into many small chunks (parsed in
// parallel, lines longer than a chunk included) and as one chunk: the rows,
// their line numbers and p_row_ids must be the same.
func TestChunksGiveSameRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	data := genLines(t, 5000, 31)
	writeFile(t, path, append(data, "one bad line\n\n"...))
	small, whole := openDB(t), openDB(t)
	s1 := load(t, small, Options{ChunkBytes: 1000, Workers: 4}, path)
	s2 := load(t, whole, Options{ChunkBytes: 64 << 20}, path)
	if tallyOf(s1) != tallyOf(s2) || s1.Lines != 5002 || s1.Rejected != 1 {
		t.Errorf("summaries differ: %+v and %+v", tallyOf(s1), tallyOf(s2))
	}
	if rowIDs(t, small) != rowIDs(t, whole) {
		t.Errorf("p_row_ids differ between chunked and whole reads")
	}
	var line1, line2 int64
	small.QueryRow(`SELECT line FROM aws_s3serveraccess_rejects`).Scan(&line1)
	whole.QueryRow(`SELECT line FROM aws_s3serveraccess_rejects`).Scan(&line2)
	if line1 != 5001 || line2 != 5001 {
		t.Errorf("reject on line %d and %d, want 5001", line1, line2)
	}
}

// TestSettingsRestored checks that the DuckDB settings a load changes are
// back to their values afterwards (the shell keeps using the database).
func TestSettingsRestored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	writeFile(t, path, genLines(t, 10, 41))
	d := openDB(t)
	if _, err := d.Exec(`SET threads = 3; SET memory_limit = '1GiB'; SET preserve_insertion_order = true; SET max_vacuum_tasks = 7`); err != nil {
		t.Fatal(err)
	}
	settings := func() string {
		var s string
		if err := d.QueryRow(`SELECT current_setting('threads')::VARCHAR || ' ' || current_setting('memory_limit') || ' ' || current_setting('max_vacuum_tasks')::VARCHAR || ' ' || current_setting('preserve_insertion_order')::VARCHAR`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := settings()
	load(t, d, Options{}, path)
	if after := settings(); after != before || !strings.HasPrefix(before, "3 ") || !strings.HasSuffix(before, " 7 true") {
		t.Errorf("settings after the load %q, before %q", after, before)
	}
}

// TestReadChunkSmallFirst: a first buffer smaller than a chunk (an object
// of unknown size) that fills up grows to a full chunk before it is cut, so
// a large stream is parsed in full chunks; a small input stays in the
// small buffer.
func TestReadChunkSmallFirst(t *testing.T) {
	for _, tt := range []struct {
		in          string
		first, full int
		want        []string
	}{
		{"aa\nbb\ncc\ndd\n", 3, 7, []string{"aa\nbb\ncc\n", "dd\n"}},
		{"aa\n", 4, 7, []string{"aa\n"}},
		{"aa\nbb\n", 3, 7, []string{"aa\nbb\n"}},
	} {
		r := strings.NewReader(tt.in)
		var carry []byte
		var chunks []string
		for size := tt.first; ; size = tt.full {
			c, tl, last, err := readChunk(r, &carry, size, tt.full, 1<<20)
			if err != nil || tl != nil {
				t.Fatal(err, tl)
			}
			chunks = append(chunks, string(c))
			if last {
				break
			}
		}
		if got := strings.Join(chunks, ""); fmt.Sprintf("%q", chunks) != fmt.Sprintf("%q", tt.want) || got != tt.in {
			t.Errorf("%q, first %d, full %d: chunks %q, want %q", tt.in, tt.first, tt.full, chunks, tt.want)
		}
	}
}

// TestSmallChunksReused reads small objects one after the other, each
// into a first chunk of minChunkBytes given back once parsed: each must
// read its own bytes (the buffer holds the last one's), and they allocate
// far less than a chunk each.
func TestSmallChunksReused(t *testing.T) {
	objs := []string{strings.Repeat("a longer first object\n", 100), "b\nbb\n", "c without a line end"}
	for round := range 3 {
		for _, o := range objs {
			var carry []byte
			c, tl, last, err := readChunk(strings.NewReader(o), &carry, minChunkBytes, DefaultChunkBytes, 1<<20)
			if string(c) != o || tl != nil || !last || err != nil {
				t.Fatalf("round %d: chunk %q, tail %v, last %v, %v; want %q whole", round, c, tl, last, err, o)
			}
			putSmallChunk(c)
		}
	}
	const n = 200
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		var carry []byte
		c, _, _, _ := readChunk(strings.NewReader("b\nbb\n"), &carry, minChunkBytes, DefaultChunkBytes, 1<<20)
		putSmallChunk(c)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > minChunkBytes/2 { // sync.Pool drops some under the race detector
		t.Errorf("reading a small object allocates %d bytes, want at most %d", per, minChunkBytes/2)
	}
}

func TestFirstChunkBytes(t *testing.T) {
	tests := []struct {
		size  int64
		chunk int
		want  int
	}{
		{-1, DefaultChunkBytes, minChunkBytes},                        // unknown size: the floor, grown by readChunk when it fills
		{-1, 1000, 1000},                                              // unknown size, chunks under the floor
		{0, DefaultChunkBytes, minChunkBytes},                         // empty object
		{5000, DefaultChunkBytes, minChunkBytes},                      // small object: the floor
		{1 << 20, DefaultChunkBytes, 1<<20 + 1},                       // its size, plus one byte to see the end
		{DefaultChunkBytes - 1, DefaultChunkBytes, DefaultChunkBytes}, // just under a chunk
		{DefaultChunkBytes, DefaultChunkBytes, DefaultChunkBytes},     // a chunk or more
		{1 << 30, DefaultChunkBytes, DefaultChunkBytes},
		{500, 1000, 1000}, // chunks smaller than the floor stay as set
	}
	for _, tt := range tests {
		if got := firstChunkBytes(tt.size, tt.chunk); got != tt.want {
			t.Errorf("firstChunkBytes(%d, %d) = %d, want %d", tt.size, tt.chunk, got, tt.want)
		}
	}
}

// TestGzipLargerThanFirstChunk loads a gzipped file whose stored size is
// below a chunk but whose lines are several chunks: the first chunk is
// sized by the stored size, the later ones are full; the rows must be
// those of the plain file.
func TestGzipLargerThanFirstChunk(t *testing.T) {
	dir := t.TempDir()
	data := genLines(t, 3000, 51)
	gz := gzipped(t, data)
	const chunk = 512 << 10
	if len(gz) >= chunk || len(data) < 3*chunk {
		t.Fatalf("test data: %d bytes gzipped, %d plain; want under %d and over %d", len(gz), len(data), chunk, 3*chunk)
	}
	writeFile(t, filepath.Join(dir, "a.log"), data)
	writeFile(t, filepath.Join(dir, "b.gz"), gz)
	plain, zipped := openDB(t), openDB(t)
	s1 := load(t, plain, Options{ChunkBytes: chunk}, filepath.Join(dir, "a.log"))
	s2 := load(t, zipped, Options{ChunkBytes: chunk}, filepath.Join(dir, "b.gz"))
	if got, want := tallyOf(s2), (tally{Objects: 1, Lines: 3000, Rows: 3000}); got != want || tallyOf(s1) != want {
		t.Errorf("gzipped load %+v, plain %+v, want %+v", got, tallyOf(s1), want)
	}
	rows := func(d *db.DB) string {
		var s string
		q := `SELECT string_agg(requestid || ' ' || httpstatus || ' ' || key, ',' ORDER BY requestid, key) FROM aws_s3serveraccess`
		if err := d.QueryRow(q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if r1, r2 := rows(plain), rows(zipped); r1 != r2 || r1 == "" {
		t.Errorf("the gzipped load's rows differ from the plain load's (%d and %d bytes)", len(r2), len(r1))
	}
}

// TestOnlyTablesLeft checks that after a load, a new process sees only the
// three tables and the view s3_access_logs: the Arrow view each INSERT reads from is not left behind,
// and one that an earlier version left is removed.
func TestOnlyTablesLeft(t *testing.T) {
	src := filepath.Join(t.TempDir(), "a.log")
	writeFile(t, src, append(genLines(t, 300, 61), "a rejected line\n"...))
	tests := []struct {
		name   string
		before string // SQL run on the database before the load
	}{
		{"new database", ""},
		{"view left by an earlier version", "CREATE VIEW s3logs_ingest_view AS SELECT 1 AS x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t.duckdb")
			d, err := db.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if tt.before != "" {
				if _, err := d.Exec(tt.before); err != nil {
					t.Fatal(err)
				}
			}
			sum := load(t, d, Options{}, src)
			d.Close()
			if sum.Rows != 300 || sum.Rejected != 1 {
				t.Fatalf("loaded %d rows, %d rejected; want 300, 1", sum.Rows, sum.Rejected)
			}
			raw, err := sql.Open("duckdb", path)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			var names, shown string
			q := `SELECT string_agg(name, ',' ORDER BY name) FROM (
				SELECT table_name AS name FROM duckdb_tables() UNION ALL
				SELECT view_name FROM duckdb_views() WHERE NOT internal)`
			if err := raw.QueryRow(q).Scan(&names); err != nil {
				t.Fatal(err)
			}
			if err := raw.QueryRow(`SELECT string_agg(name, ',' ORDER BY name) FROM (SHOW TABLES)`).Scan(&shown); err != nil {
				t.Fatal(err)
			}
			const want = "aws_s3serveraccess,aws_s3serveraccess_enriched,aws_s3serveraccess_rejects,s3_access_logs,s3logs_manifest,s3logs_replaced"
			if names != want || shown != want {
				t.Errorf("tables and views %q, SHOW TABLES %q; want %q", names, shown, want)
			}
		})
	}
}

// TestNoValidLine checks how an object none of whose lines is valid is
// told from a log with bad lines: it is refused whole (counted as failed,
// nothing stored, its line counts in the message), whatever its size;
// a valid line anywhere in it, even one outside the time window, makes it
// a log whose other lines are rejects.
func TestNoValidLine(t *testing.T) {
	good := genLines(t, 5, 71)
	junk := func(n int) []byte { return bytes.Repeat([]byte("date,time,x-edge-location,sc-bytes\n"), n) }
	future := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	// A valid line whose request URI alone is longer than probeBytes: the
	// probe sees no line end, so it must not judge the file by a cut-off line.
	longLine := []byte(`79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be b [06/Feb/2019:01:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.OBJECT k "GET /k?` +
		strings.Repeat("x", probeBytes+1000) + ` HTTP/1.1" 200 - 1 1 1 - "-" "UA" - hid= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader b.s3.amazonaws.com TLSv1.2 - -` + "\n")
	tests := []struct {
		name     string
		content  []byte
		opts     Options
		want     tally
		filtered int64
		db       [4]int64 // rows, distinct ids, rejects, manifest rows
		err      string   // the error after the path, "" for none
	}{
		{"three lines of another format", junk(3), Options{}, tally{Failed: 1}, 0, [4]int64{0, 0, 0, 1},
			": not an S3 server access log: none of its 3 lines is one (3 rejected, 0 blank), so none of it was loaded; line 1: "},
		{"another format with blank lines", append(junk(30), "\n\n"...), Options{}, tally{Failed: 1}, 0, [4]int64{0, 0, 0, 1},
			": not an S3 server access log: none of its 32 lines is one (30 rejected, 2 blank), so none of it was loaded; line 1: "},
		{"larger than the probe", junk(3000), Options{}, tally{Failed: 1}, 0, [4]int64{0, 0, 0, 1}, // refused by the probe, remembered
			": not an S3 server access log: none of its first 1,872 lines is one (1,872 rejected, 0 blank), so none of it was loaded; line 1: "},
		{"one valid line after many bad ones", append(junk(40), good[:bytes.IndexByte(good, '\n')+1]...), Options{},
			tally{Objects: 1, Lines: 41, Rows: 1, Rejected: 40}, 0, [4]int64{1, 1, 40, 1}, ""},
		{"valid lines outside the window", append(junk(1), good...), Options{Since: future},
			tally{Objects: 1, Lines: 6, Rejected: 1}, 5, [4]int64{0, 0, 1, 1}, ""},
		{"blank lines only", []byte("\n\n\n"), Options{}, tally{Objects: 1, Lines: 3, Blank: 3}, 0, [4]int64{0, 0, 0, 1}, ""},
		{"first line longer than the probe", longLine, Options{}, tally{Objects: 1, Lines: 1, Rows: 1}, 0, [4]int64{1, 1, 0, 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.log")
			writeFile(t, path, tt.content)
			d := openDB(t)
			sum := load(t, d, tt.opts, path)
			if got := tallyOf(sum); got != tt.want || sum.Filtered != tt.filtered {
				t.Errorf("summary %+v, %d filtered; want %+v, %d (errors %v)", got, sum.Filtered, tt.want, tt.filtered, sum.Errors)
			}
			if got := counts(t, d); got != tt.db {
				t.Errorf("rows, distinct ids, rejects, manifest = %v, want %v", got, tt.db)
			}
			switch {
			case tt.err == "" && len(sum.Errors) != 0:
				t.Errorf("errors %v, want none", sum.Errors)
			case tt.err != "" && (len(sum.Errors) != 1 || !strings.HasPrefix(sum.Errors[0].Error(), path+tt.err) || !errors.Is(sum.Errors[0], source.ErrNotLog)):
				t.Errorf("errors %v, want one source.ErrNotLog starting %q", sum.Errors, path+tt.err)
			}
			if tt.db[3] == 0 {
				return
			}
			var status string
			var lines, rows, rejected int64
			if err := d.QueryRow(`SELECT status, lines, rows, rejected FROM s3logs_manifest`).Scan(&status, &lines, &rows, &rejected); err != nil {
				t.Fatal(err)
			}
			wantStatus := StatusLoaded
			if tt.err != "" {
				wantStatus = StatusRefused
			}
			if status != wantStatus || lines != tt.want.Lines || rows != tt.want.Rows || rejected != tt.want.Rejected {
				t.Errorf("manifest %s %d lines %d rows %d rejected, want %s %d %d %d", status, lines, rows, rejected, wantStatus, tt.want.Lines, tt.want.Rows, tt.want.Rejected)
			}
		})
	}
}

// TestAdmit checks how batches are cut so that a transaction ends on
// CommitRows, or once it is CommitEvery old on a row group boundary.
func TestAdmit(t *testing.T) {
	tests := []struct {
		name       string
		commitRows int
		txnRows    int   // rows in the transaction before the batch
		old        bool  // the transaction is CommitEvery old
		n          int64 // rows in the batch
		out, carry int64 // rows inserted now, and carried to the next transaction (0: none)
		full       bool
		after      int // txnRows after
	}{
		{"fits", 1000, 0, false, 300, 300, 0, false, 300},
		{"fills exactly", 1000, 700, false, 300, 300, 0, true, 1000},
		{"cut at CommitRows", 1000, 900, false, 300, 100, 200, true, 1000},
		{"whole row groups", 8 * RowGroupRows, 8*RowGroupRows - 5, false, 4096, 5, 4091, true, 8 * RowGroupRows},
		{"old: cut at the next row group", 8 * RowGroupRows, RowGroupRows + 100, true, 4096, 4096, 0, false, RowGroupRows + 4196},
		{"old: cut at the row group boundary", 8 * RowGroupRows, 2*RowGroupRows - 10, true, 4096, 10, 4086, true, 2 * RowGroupRows},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
			l := New(nil, Options{CommitRows: tt.commitRows, Allocator: alloc})
			in := &inserter{l: l, txnRows: tt.txnRows, txnStart: time.Now(), touched: map[*job]*jobState{}, live: map[*job]*jobState{}}
			if tt.old {
				in.txnStart = time.Now().Add(-l.opts.CommitEvery)
			}
			b := array.NewRecordBuilder(alloc, arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil))
			for i := range tt.n {
				b.Field(0).(*array.Int64Builder).Append(i)
			}
			rec := b.NewRecordBatch()
			b.Release()
			j := &job{}
			out, full := in.admit(j, rec, nil)
			var carry int64
			if in.carry != nil {
				carry = in.carry.rec.NumRows()
				if first := in.carry.rec.Column(0).(*array.Int64).Value(0); first != out.NumRows() || in.carry.j != j {
					t.Errorf("carried rows start at %d, want %d", first, out.NumRows())
				}
			}
			if out.NumRows() != tt.out || carry != tt.carry || full != tt.full || in.txnRows != tt.after {
				t.Errorf("admit: %d rows now, %d carried, full %v, txnRows %d; want %d, %d, %v, %d",
					out.NumRows(), carry, full, in.txnRows, tt.out, tt.carry, tt.full, tt.after)
			}
			out.Release()
			in.txnRows, in.txnStart = 0, time.Now()
			if rec, _ := in.takeCarry(); rec != nil {
				if rec.NumRows() != tt.carry || in.txnRows != int(tt.carry) {
					t.Errorf("next transaction starts with %d rows (txnRows %d), want %d", rec.NumRows(), in.txnRows, tt.carry)
				}
				rec.Release()
			}
			if n := alloc.CurrentAlloc(); n != 0 {
				t.Errorf("%d bytes of Arrow memory left allocated", n)
			}
		})
	}
}

// TestCutBatchesGiveSameRows loads a file with transactions that end in
// the middle of batches (the rest carried into the next): the rows, their
// line numbers and p_row_ids must be those of a load in one transaction.
func TestCutBatchesGiveSameRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	writeFile(t, path, append(genLines(t, 7000, 81), "one bad line\n\n"...))
	cut, whole := openDB(t), openDB(t)
	s1 := load(t, cut, Options{CommitRows: 1000, BatchRows: 700, ChunkBytes: 300 << 10}, path)
	s2 := load(t, whole, Options{}, path)
	if want := (tally{Objects: 1, Lines: 7002, Rows: 7000, Rejected: 1, Blank: 1}); tallyOf(s1) != want || tallyOf(s2) != want {
		t.Errorf("summaries %+v and %+v, want %+v", tallyOf(s1), tallyOf(s2), want)
	}
	if got, want := counts(t, cut), [4]int64{7000, 7000, 1, 1}; got != want || counts(t, whole) != want {
		t.Errorf("rows, distinct ids, rejects, manifest = %v and %v, want %v", got, counts(t, whole), want)
	}
	if rowIDs(t, cut) != rowIDs(t, whole) {
		t.Errorf("p_row_ids differ between the cut and the whole load")
	}
	var status string
	cut.QueryRow(`SELECT status FROM s3logs_manifest`).Scan(&status)
	if status != StatusLoaded {
		t.Errorf("manifest status %q, want %q", status, StatusLoaded)
	}
}

// failingRows yields the manifest rows it holds, then fails with err.
type failingRows struct {
	rows [][]driver.Value
	err  error
}

func (r *failingRows) Columns() []string { return make([]string, 12) }
func (r *failingRows) Close() error      { return nil }
func (r *failingRows) Next(dst []driver.Value) error {
	if len(r.rows) == 0 {
		return r.err
	}
	copy(dst, r.rows[0])
	r.rows = r.rows[1:]
	return nil
}

// fakeManifest answers readManifest's query with rows.
type fakeManifest struct{ rows *failingRows }

func (f fakeManifest) QueryContext(context.Context, string, []driver.NamedValue) (driver.Rows, error) {
	return f.rows, nil
}

// TestReadManifestError checks that a manifest read that fails part way is
// an error, not a shorter manifest: the objects of the missing rows would
// be loaded again next to their old rows.
func TestReadManifestError(t *testing.T) {
	row := []driver.Value{"/a.log", int64(10), time.Unix(1, 0), "", int64(10), int64(1), int64(1), int64(0), int64(0), int64(0), StatusLoaded, "c", "", ""}
	boom := errors.New("chunk: boom")
	tests := []struct {
		name    string
		err     error
		wantIDs int
		wantErr error
	}{
		{"end of rows", io.EOF, 1, nil},
		{"error after a row", boom, 0, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := readManifest(context.Background(), fakeManifest{&failingRows{rows: [][]driver.Value{row}, err: tt.err}})
			if !errors.Is(err, tt.wantErr) || len(m) != tt.wantIDs {
				t.Fatalf("readManifest = %d rows, %v; want %d rows, %v", len(m), err, tt.wantIDs, tt.wantErr)
			}
			if tt.wantErr == nil && m["/a.log"].Checksum != "c" {
				t.Errorf("row = %+v", m["/a.log"])
			}
		})
	}
}

// TestGrownFileWithBadLines checks that the bad lines appended to a loaded
// file are rejects of a resumed load, not a reason to refuse the file as
// "not an S3 server access log" (which left the manifest saying none of
// its lines was loaded while its earlier rows stayed in the table).
func TestGrownFileWithBadLines(t *testing.T) {
	first := genLines(t, 3000, 7)
	tests := []struct {
		name string
		tail []byte
		bad  int64
	}{
		{"a few bad lines (judged by the parse)", []byte("not a log line\nnor this\n"), 2},
		{"more than the probe of bad lines", bytes.Repeat([]byte("date,time,x-edge-location,sc-bytes,c-ip,cs-method\n"), 2000), 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.log")
			writeFile(t, path, first)
			d := openDB(t)
			load(t, d, Options{}, path)
			writeFile(t, path, append(append([]byte{}, first...), tt.tail...))
			os.Chtimes(path, time.Now(), time.Now().Add(time.Second))
			sum := load(t, d, Options{}, path)
			if got, want := tallyOf(sum), (tally{Objects: 1, Resumed: 1, Lines: tt.bad, Rejected: tt.bad}); got != want {
				t.Errorf("summary %+v, want %+v (errors %v)", got, want, sum.Errors)
			}
			if got, want := counts(t, d), [4]int64{3000, 3000, tt.bad, 1}; got != want {
				t.Errorf("rows, distinct ids, rejects, manifest = %v, want %v", got, want)
			}
			var status string
			var lines, rows, rejected int64
			if err := d.QueryRow(`SELECT status, lines, "rows", rejected FROM s3logs_manifest`).Scan(&status, &lines, &rows, &rejected); err != nil {
				t.Fatal(err)
			}
			if status != StatusLoaded || lines != 3000+tt.bad || rows != 3000 || rejected != tt.bad {
				t.Errorf("manifest status, lines, rows, rejected = %s, %d, %d, %d, want loaded, %d, 3000, %d", status, lines, rows, rejected, 3000+tt.bad, tt.bad)
			}
		})
	}
}

// TestPipeLoadedTwice loads other bytes twice through one named pipe (as
// <(...) gives /dev/fd/63 each time): each load's rows are kept beside the
// earlier ones, none replaced.
func TestPipeLoadedTwice(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	a, b, c := genLines(t, 300, 51), genLines(t, 200, 52), genLines(t, 100, 53)
	d := openDB(t)
	for i, tt := range []struct {
		data      []byte
		rows, man int64
	}{
		{a, 300, 1},
		{b, 500, 2},
		{c, 600, 3},
	} {
		done := make(chan error, 1)
		go func() { done <- os.WriteFile(fifo, tt.data, 0o600) }()
		sum := load(t, d, Options{}, fifo)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if len(sum.Errors) != 0 || sum.Objects != 1 || sum.Reloaded != 0 {
			t.Errorf("load %d: %+v", i+1, sum)
		}
		if c := counts(t, d); c[0] != tt.rows || c[1] != tt.rows || c[3] != tt.man {
			t.Errorf("load %d: rows, distinct ids, rejects, manifest = %v, want %d rows in %d manifest rows", i+1, c, tt.rows, tt.man)
		}
	}
	var ids string
	d.QueryRow(`SELECT string_agg(id, ' ' ORDER BY id) FROM s3logs_manifest`).Scan(&ids)
	if want := fifo + " " + fifo + "#2 " + fifo + "#3"; ids != want {
		t.Errorf("manifest ids %q, want %q", ids, want)
	}
}

// TestWiderWindowLoadsTheRest loads one file under a window, then under
// another: the second load stores the rows the first left out, without
// doubling any; a window already covered adds nothing, and no window at
// all loads the rest.
func TestWiderWindowLoadsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	writeFile(t, path, genLines(t, 3000, 61))
	ref := openDB(t)
	load(t, ref, Options{}, path)
	var lo, hi time.Time
	if err := ref.QueryRow(`SELECT min(time), max(time) FROM aws_s3serveraccess`).Scan(&lo, &hi); err != nil {
		t.Fatal(err)
	}
	a, b := lo.Add(hi.Sub(lo)/3), lo.Add(2*hi.Sub(lo)/3)
	inWindow := func(since, until time.Time) int64 {
		var n int64
		q := `SELECT count(*) FROM aws_s3serveraccess WHERE (? IS NULL OR time >= ?) AND (? IS NULL OR time < ?)`
		var s, u any
		if !since.IsZero() {
			s = since
		}
		if !until.IsZero() {
			u = until
		}
		if err := ref.QueryRow(q, s, s, u, u).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	first, third := inWindow(time.Time{}, a), inWindow(b, time.Time{})
	d := openDB(t)
	for i, tt := range []struct {
		since, until time.Time
		rows         int64 // in the table after the load
		skipped      int
	}{
		{time.Time{}, a, first, 0},
		{b, time.Time{}, first + third, 0},
		{lo, a, first + third, 1}, // covered by the first window
		{time.Time{}, time.Time{}, 3000, 0},
		{b, time.Time{}, 3000, 1},
	} {
		sum := load(t, d, Options{Since: tt.since, Until: tt.until}, path)
		c := counts(t, d)
		if c[0] != tt.rows || c[1] != tt.rows || c[3] != 1 || sum.Skipped != tt.skipped || len(sum.Errors) != 0 {
			t.Errorf("load %d: rows, distinct ids, rejects, manifest = %v, skipped %d; want %d rows, %d skipped (%v)", i+1, c, sum.Skipped, tt.rows, tt.skipped, sum.Errors)
		}
		var lines, rows, filtered int64
		d.QueryRow(`SELECT lines, "rows", filtered FROM s3logs_manifest`).Scan(&lines, &rows, &filtered)
		if lines != 3000 || rows != tt.rows || rows+filtered != lines {
			t.Errorf("load %d: manifest lines %d, rows %d, filtered %d", i+1, lines, rows, filtered)
		}
	}
}

func TestWindows(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2024, 6, day, 0, 0, 0, 0, time.UTC) }
	w := func(a, b time.Time) loader.Window { return loader.Window{Since: a, Until: b} }
	var z time.Time
	tests := []struct {
		a, b   windows
		union  string
		covers bool // union of a covers b
	}{
		{windows{w(d(1), d(3))}, windows{w(d(2), d(5))}, "2024-06-01T00:00:00Z/2024-06-05T00:00:00Z", false},
		{windows{w(d(1), d(3))}, windows{w(d(3), d(5))}, "2024-06-01T00:00:00Z/2024-06-05T00:00:00Z", false},
		{windows{w(d(4), d(5))}, windows{w(d(1), d(2))}, "2024-06-01T00:00:00Z/2024-06-02T00:00:00Z,2024-06-04T00:00:00Z/2024-06-05T00:00:00Z", false},
		{windows{w(z, d(3))}, windows{w(d(1), d(2))}, "/2024-06-03T00:00:00Z", true},
		{windows{w(z, d(3))}, windows{w(d(2), z)}, "", false},
		{allTime, windows{w(d(2), d(3))}, "", true},
	}
	for _, tt := range tests {
		u := union(tt.a, tt.b)
		if u.String() != tt.union || union(tt.a, nil).covers(tt.b) != tt.covers || !u.covers(tt.a) || !u.covers(tt.b) {
			t.Errorf("union(%v, %v) = %q, covers %v; want %q, %v", tt.a, tt.b, u, union(tt.a, nil).covers(tt.b), tt.union, tt.covers)
		}
		if p := parseWindows(u.String()); p.String() != u.String() || !p.covers(u) || !u.covers(p) {
			t.Errorf("parseWindows(%q) = %q", u.String(), p)
		}
	}
}

// TestOldManifestGetsWindows loads into a database whose manifest was made
// before the windows column: the column is added and the load works.
func TestOldManifestGetsWindows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	writeFile(t, path, genLines(t, 100, 71))
	d := openDB(t)
	old := *schema.Manifest
	old.Columns = old.Columns[:schema.ManWindows]
	if _, err := d.Exec(old.CreateSQL()); err != nil {
		t.Fatal(err)
	}
	if sum := load(t, d, Options{Until: time.Now()}, path); sum.Rows != 100 || len(sum.Errors) != 0 {
		t.Fatalf("summary %+v", sum)
	}
	var w sql.NullString
	if err := d.QueryRow(`SELECT windows FROM s3logs_manifest`).Scan(&w); err != nil || !strings.HasPrefix(w.String, "/") {
		t.Errorf("windows %q, %v", w.String, err)
	}
}

// TestRefusedRemembered loads a folder holding a log, a README and a
// truncated gzip twice: the second load skips the two refused files with a
// note each and fails for none; a changed one is read again; --exclude
// leaves a file out.
func TestRefusedRemembered(t *testing.T) {
	dir := t.TempDir()
	good := genLines(t, 100, 81)
	gz := gzipped(t, genLines(t, 2000, 82))
	writeFile(t, filepath.Join(dir, "a.log"), good)
	writeFile(t, filepath.Join(dir, "README.md"), []byte("# Logs\nThese are the logs.\n"))
	writeFile(t, filepath.Join(dir, "cut.gz"), gz[:len(gz)/2])
	d := openDB(t)
	run := func(opts Options) (Summary, []string) {
		var notes []string
		opts.OnNote = func(n string) { notes = append(notes, n) }
		return load(t, d, opts, dir), notes
	}
	sum, _ := run(Options{})
	if len(sum.Errors) != 2 || sum.Failed != 2 {
		t.Fatalf("first load: errors %v", sum.Errors)
	}
	rows := counts(t, d)[0]
	var statuses string
	d.QueryRow(`SELECT string_agg(status, ' ' ORDER BY id) FROM s3logs_manifest`).Scan(&statuses)
	if statuses != "refused loaded refused" {
		t.Errorf("statuses %q, want refused loaded refused (README.md, a.log, cut.gz)", statuses)
	}

	sum, notes := run(Options{})
	if len(sum.Errors) != 0 || sum.Skipped != 3 || sum.Refused != 2 || counts(t, d)[0] != rows {
		t.Errorf("second load: %+v", sum)
	}
	want := []string{
		filepath.Join(dir, "README.md") + ": skipped, refused by an earlier load and unchanged since (not an S3 server access log: none of its 2 lines is one",
		filepath.Join(dir, "cut.gz") + ": skipped, refused by an earlier load and unchanged since (after line ",
	}
	slices.Sort(notes)
	if len(notes) != 2 || !strings.HasPrefix(notes[0], want[0]) || !strings.HasPrefix(notes[1], want[1]) {
		t.Errorf("notes %q, want prefixes %q", notes, want)
	}
	if s := sum.String(); !strings.Contains(s, "1 unchanged file; 2 files refused before and unchanged") && !strings.Contains(s, "2 files refused before and unchanged") {
		t.Errorf("summary %q", s)
	}

	writeFile(t, filepath.Join(dir, "README.md"), []byte("# Logs\nThese are the logs, changed.\n"))
	os.Chtimes(filepath.Join(dir, "README.md"), time.Now(), time.Now().Add(time.Hour))
	if sum, _ = run(Options{}); len(sum.Errors) != 1 || !errors.Is(sum.Errors[0], source.ErrNotLog) {
		t.Errorf("changed README: errors %v", sum.Errors)
	}
	writeFile(t, filepath.Join(dir, "README.md"), []byte("# Logs\nchanged again\n"))
	os.Chtimes(filepath.Join(dir, "README.md"), time.Now(), time.Now().Add(2*time.Hour))
	if sum, _ = run(Options{Exclude: []string{"*.md"}}); len(sum.Errors) != 0 || sum.Skipped != 2 {
		t.Errorf("--exclude '*.md': %+v", sum)
	}
}

// TestCopiesSkipped loads a folder holding files and copies of them under
// other names: each copy is skipped with a note (a file of the same size,
// head and tail but other bytes is not a copy), again on a reload, and
// loaded with AllowDuplicates.
func TestCopiesSkipped(t *testing.T) {
	dir := t.TempDir()
	a := genLines(t, 500, 91)
	gz := gzipped(t, genLines(t, 300, 92))
	other := bytes.Clone(a)
	mid := len(other) / 2
	other[mid], other[mid+1] = other[mid+1], other[mid] // same size, first and last 4 KiB
	if bytes.Equal(other, a) {
		t.Fatal("the swap changed nothing")
	}
	writeFile(t, filepath.Join(dir, "a.log"), a)
	writeFile(t, filepath.Join(dir, "b-copy.log"), a)
	writeFile(t, filepath.Join(dir, "c.log.gz"), gz)
	writeFile(t, filepath.Join(dir, "d-copy.log.gz"), gz)
	writeFile(t, filepath.Join(dir, "e.log"), other)
	d := openDB(t)
	var notes []string
	opts := Options{Workers: 1, OnNote: func(n string) { notes = append(notes, n) }}
	sum := load(t, d, opts, dir)
	if sum.Objects != 3 || sum.Copies != 2 || len(sum.Errors) != 0 || sum.Rows != 1300 {
		t.Fatalf("first load: %+v", sum)
	}
	want := []string{
		filepath.Join(dir, "b-copy.log") + ": skipped, the same bytes as " + filepath.Join(dir, "a.log") + ", already loaded; --allow-duplicates loads it anyway",
		filepath.Join(dir, "d-copy.log.gz") + ": skipped, the same bytes as " + filepath.Join(dir, "c.log.gz") + ", already loaded; --allow-duplicates loads it anyway",
	}
	if strings.Join(notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes\n%s\nwant\n%s", strings.Join(notes, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(sum.String(), "2 copies of loaded files skipped") {
		t.Errorf("summary %q", sum.String())
	}
	notes = nil
	if sum = load(t, d, opts, dir); sum.Objects != 0 || sum.Copies != 2 || sum.Skipped != 3 || len(notes) != 2 {
		t.Errorf("reload: %+v, notes %q", sum, notes)
	}
	opts.AllowDuplicates = true
	if sum = load(t, d, opts, dir); sum.Objects != 2 || sum.Copies != 0 || counts(t, d)[0] != 2100 {
		t.Errorf("--allow-duplicates: %+v, %v", sum, counts(t, d))
	}
}

// TestLinkedFileLoadedOnce loads a folder holding a file, a link to it and
// a link to a folder holding it, and the file and the link as two more
// sources: its rows are loaded once.
func TestLinkedFileLoadedOnce(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "logs", "a.log"), genLines(t, 100, 95))
	if err := os.Symlink(filepath.Join(dir, "logs", "a.log"), filepath.Join(dir, "logs", "b.log")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	os.Symlink(filepath.Join(dir, "logs"), filepath.Join(dir, "linked"))
	d := openDB(t)
	sum := load(t, d, Options{}, filepath.Join(dir, "linked"), filepath.Join(dir, "logs"), filepath.Join(dir, "logs", "b.log"))
	if sum.Objects != 1 || sum.Rows != 100 || len(sum.Errors) != 0 || counts(t, d)[0] != 100 {
		t.Errorf("%+v, %v", sum, counts(t, d))
	}
}

// TestProgressBytes checks the byte totals of Progress: at the end of a
// load everything to read is read, for plain, gzip, resumed and skipped
// objects alike, and an object of unknown size (stdin) leaves no total.
func TestProgressBytes(t *testing.T) {
	dir := t.TempDir()
	good := genLines(t, 2000, 7)
	writeFile(t, filepath.Join(dir, "x/a.log"), good[:len(good)/2+bytes.IndexByte(good[len(good)/2:], '\n')+1])
	writeFile(t, filepath.Join(dir, "x/b.log.gz"), gzipped(t, good))
	d := openDB(t)
	ld := New(d, Options{})
	if _, err := ld.Load(context.Background(), []source.Lister{source.LocalLister(filepath.Join(dir, "x"), nil)}); err != nil {
		t.Fatal(err)
	}
	var size int64
	for _, n := range []string{"x/a.log", "x/b.log.gz"} {
		st, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		size += st.Size()
	}
	if pr := ld.Progress(); pr.ToRead != size || pr.Read != size || pr.Unsized != 0 {
		t.Errorf("first load: to read %d, read %d, unsized %d; want %d, %d, 0", pr.ToRead, pr.Read, pr.Unsized, size, size)
	}
	// a.log grows: it is resumed, only its new part read, but it counts whole.
	writeFile(t, filepath.Join(dir, "x/a.log"), good)
	ld = New(d, Options{})
	sum, err := ld.Load(context.Background(), []source.Lister{source.LocalLister(filepath.Join(dir, "x"), nil)})
	if err != nil || sum.Resumed != 1 || sum.Skipped != 1 {
		t.Fatalf("second load: %+v, %v; want a.log resumed and b.log.gz skipped", tallyOf(sum), err)
	}
	if pr := ld.Progress(); pr.ToRead != int64(len(good)) || pr.Read != int64(len(good)) {
		t.Errorf("resumed load: to read %d, read %d; want %d (the grown file only)", pr.ToRead, pr.Read, len(good))
	}
	// A named pipe has no size.
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Write(good)
			f.Close()
		}
	}()
	ld = New(d, Options{})
	if _, err := ld.Load(context.Background(), []source.Lister{source.LocalLister(fifo, nil)}); err != nil {
		t.Fatal(err)
	}
	if pr := ld.Progress(); pr.Unsized != 1 || pr.ToRead != 0 || pr.Lines != 2000 {
		t.Errorf("named pipe: unsized %d, to read %d, lines %d; want 1, 0, 2000", pr.Unsized, pr.ToRead, pr.Lines)
	}
}

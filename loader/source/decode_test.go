package source

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/flate"
	kgzip "github.com/klauspost/compress/gzip"
)

func gz(t *testing.T, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, p := range parts {
		w := gzip.NewWriter(&buf)
		if _, err := w.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// TestDecode covers every way Decode sniffs an input: plain text, gzip
// (whole, multistream, broken), other compressions and binary data.
func TestDecode(t *testing.T) {
	long := strings.Repeat("0123456789abcdef\n", 10000)
	hello, onetwo := len(gz(t, "hello\n")), len(gz(t, "one\n", "two\n")) // 30 and 56 bytes
	full := gz(t, long)
	badCRC := gz(t, "hello\n")
	badCRC[len(badCRC)-8] ^= 0xff
	badFlate := append(gz(t, "hello\n")[:10], 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	tests := []struct {
		name    string
		in      []byte
		want    string
		gzip    bool
		wantErr string
		is      error // errors.Is, when set
		as      any   // errors.As target, when set
	}{
		{"plain", []byte("a b c\n"), "a b c\n", false, "", nil, nil},
		{"empty", nil, "", false, "", nil, nil},
		{"one byte", []byte{0x1f}, "\x1f", false, "", nil, nil},
		{"gzip", gz(t, "hello\n"), "hello\n", true, "", nil, nil},
		{"multistream gzip", gz(t, "one\n", "two\n"), "one\ntwo\n", true, "", nil, nil},
		{"large gzip", full, long, true, "", nil, nil},
		{"truncated gzip", full[:len(full)/2], "", true, "gzip stream is truncated: unexpected EOF", io.ErrUnexpectedEOF, nil},
		{"corrupt gzip header", []byte{0x1f, 0x8b, 0, 0, 0, 0}, "", true, "gzip stream is truncated: unexpected EOF", io.ErrUnexpectedEOF, nil},
		{"bad deflate data", badFlate, "", true, "gzip data is corrupt: flate: corrupt input before offset 1", nil, new(flate.CorruptInputError)},
		{"bad checksum", badCRC, "", true, "gzip data is corrupt (checksum mismatch): gzip: invalid checksum", kgzip.ErrChecksum, nil},
		{"gzip then plain text", append(gz(t, "hello\n"), "a b c\n"...), "", true,
			fmt.Sprintf(`gzip data followed by 6 bytes that are not gzip, at offset %d (starting "a b c\n"): the gzip data was read, the rest was not (tail -c +%d on the file gives it)`, hello, hello+1), nil, new(*TrailingDataError)},
		{"gzip then fewer bytes than a gzip header", append(gz(t, "one\n", "two\n"), "x\n"...), "", true,
			fmt.Sprintf(`gzip data followed by 2 bytes that are not gzip, at offset %d (starting "x\n"): the gzip data was read, the rest was not (tail -c +%d on the file gives it)`, onetwo, onetwo+1), nil, new(*TrailingDataError)},
		{"gzip then a gzip magic cut short", append(gz(t, "hello\n"), 0x1f), "", true,
			fmt.Sprintf(`gzip data followed by 1 byte that is not gzip, at offset %d (starting "\x1f"): the gzip data was read, the rest was not (tail -c +%d on the file gives it)`, hello, hello+1), nil, new(*TrailingDataError)},
		{"gzip then a truncated member", append(gz(t, "hello\n"), 0x1f, 0x8b, 8), "", true, "gzip stream is truncated: unexpected EOF", io.ErrUnexpectedEOF, nil},
		{"zstd", []byte("\x28\xb5\x2f\xfdrest"), "", false, "it is zstd-compressed, and s3logs reads logs as plain text or gzip: decompress it first (zstd -d)", nil, new(*CompressionError)},
		{"zip", []byte("PK\x03\x04rest"), "", false, "it is zip-compressed, and s3logs reads logs as plain text or gzip: decompress it first (unzip)", nil, new(*CompressionError)},
		{"binary", []byte("a b c\nd\x00e\n"), "", false, "not an S3 server access log: it holds binary data (a NUL byte at byte 8); s3logs reads logs as plain text or gzip", ErrNotLog, nil},
		{"gzipped binary", gz(t, "\x00"), "", true, "not an S3 server access log: it holds binary data (a NUL byte at byte 1); s3logs reads logs as plain text or gzip", ErrNotLog, nil},
		{"NUL after the first 4 KB", []byte(strings.Repeat("x", 4096) + "\x00"), strings.Repeat("x", 4096) + "\x00", false, "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Decode(bytes.NewReader(tt.in))
			var got []byte
			if err == nil {
				if in.Gzip != tt.gzip {
					t.Errorf("Gzip = %v, want %v", in.Gzip, tt.gzip)
				}
				got, err = io.ReadAll(in)
			}
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("err = %v, not %v", err, tt.is)
				}
				if tt.as != nil && !errors.As(err, tt.as) {
					t.Errorf("err = %v (%T), not %T", err, err, tt.as)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %d bytes, want %d", len(got), len(tt.want))
			}
		})
	}
}

// zeros is an endless input of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestTrailingDataEndless checks that the bytes after gzip data are
// counted only up to maxTrailingCount: gzip followed by an endless input
// ends, with what the gzip data held read first.
func TestTrailingDataEndless(t *testing.T) {
	in, err := Decode(io.MultiReader(bytes.NewReader(gz(t, "hello\n")), zeros{}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(in)
	var te *TrailingDataError
	if string(got) != "hello\n" || !errors.As(err, &te) || !IsContentError(err) {
		t.Fatalf("read %q, err %v; want hello and a *TrailingDataError", got, err)
	}
	if want := (TrailingDataError{Offset: int64(len(gz(t, "hello\n"))), Bytes: maxTrailingCount, AtLeast: true, Head: strings.Repeat("\x00", trailingHead)}); *te != want {
		t.Errorf("error %+v, want %+v", *te, want)
	}
	if !strings.Contains(err.Error(), "more than 67108864 bytes that are not gzip") {
		t.Errorf("message %q", err)
	}
}

// TestDecodeRelease decodes plain and gzipped inputs one after the
// other, releasing each, so that each reuses the buffers of the last: each
// must read its own bytes; releasing twice is safe; and a small input
// allocates far less than the MaxPeek buffer it is read through.
func TestDecodeRelease(t *testing.T) {
	long := strings.Repeat("a line of the first input\n", 5000)
	inputs := []struct{ stored, text string }{
		{long, long},
		{string(gz(t, "one\n", "two\n")), "one\ntwo\n"},
		{"short\n", "short\n"},
		{string(gz(t, long)), long},
	}
	for round := range 3 {
		for _, in := range inputs {
			d, err := Decode(strings.NewReader(in.stored))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(d)
			if err != nil || string(got) != in.text {
				t.Fatalf("round %d: read %d bytes (%v), want %d", round, len(got), err, len(in.text))
			}
			d.Release()
			d.Release()
			if d.Reader != nil {
				t.Fatal("a released Input still has its reader")
			}
		}
	}
	const n = 200
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		d, err := Decode(strings.NewReader("short\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Peek(MaxPeek); err != io.EOF {
			t.Fatal(err)
		}
		d.Release()
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > MaxPeek/2 { // sync.Pool drops some under the race detector
		t.Errorf("Decode and Release of a 6-byte input allocate %d bytes each, want at most %d", per, MaxPeek/2)
	}
}

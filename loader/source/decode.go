package source

// Sniffing an input: one buffered reader over the stored bytes, whose
// first bytes say whether it is gzipped (undone), compressed otherwise
// (refused, naming the tool that undoes it) or binary (refused). A plain
// input is read through that one buffer; a gzipped one through it (the
// gzip reader's input) and a second over the text, for Peek.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// MaxPeek is the size of an Input's buffer: the most of its text Peek
// can look at before it is read.
const MaxPeek = 64 << 10

// binaryProbeBytes is how much of the text Decode looks at for a NUL byte.
const binaryProbeBytes = 4096

// ErrNotLog is wrapped by the error about an input that is not an S3
// server access log at all: binary data (Decode), or text none of whose
// lines parse (the load decides, see loader/ingest). Nothing of such an
// input is loaded, not even its rejected lines: a file of another format
// is a wrong input, not a log with a few bad lines.
var ErrNotLog = errors.New("not an S3 server access log")

// Input is an object's text as the parser reads it: decompressed, and
// buffered so that its first MaxPeek bytes can be looked at (Peek) before
// they are read. It reads from the reader given to Decode, which the
// caller still owns and closes.
type Input struct {
	*bufio.Reader
	bufs [2]*bufio.Reader // from readers: the stored bytes', and the text's when gzipped (see Release)
	// Gzip reports that the stored bytes were gzipped: the bytes read are
	// not the bytes stored, so offsets into the text are not offsets
	// into the object.
	Gzip bool
	// Format is the format of the records, as Decode detected it: text
	// or JSON lines, or Parquet (whose bytes are not text: it is read
	// through the object's bytes, see loader.NewParquetReader).
	Format Format
}

// Decode returns the text of r, an object's bytes as stored, and the
// format of its records (Input.Format): Parquet when the bytes start with
// Parquet's magic "PAR1" (then nothing more is checked), else JSON lines
// when the first line that is not blank is a JSON object (or a timestamp
// and one, see sniffText), else text. When they
// start with the gzip magic bytes they are gunzipped (concatenated gzip
// members read as one stream); a truncated or corrupt stream shows as an
// error from Read, and so do bytes after the last member that are not
// another one (a *TrailingDataError, once the members are read). An input compressed another way is refused with a
// *CompressionError, and one whose first 4 KB of text hold a NUL byte with
// an error wrapping ErrNotLog.
//
// Release gives the Input's buffers back for a later Decode; an Input
// not released is left to the garbage collector.
func Decode(r io.Reader) (*Input, error) {
	cr := &countingReader{r: r}
	raw := buffered(cr)
	in := &Input{Reader: raw, bufs: [2]*bufio.Reader{raw}}
	if err := in.decode(raw, cr); err != nil {
		in.Release()
		return nil, err
	}
	return in, nil
}

// decode sniffs raw, in's reader of the stored bytes read through cr,
// and sets in up as Decode says; on an error the caller releases in.
func (in *Input) decode(raw *bufio.Reader, cr *countingReader) error {
	magic, err := raw.Peek(8)
	if err != nil && err != io.EOF {
		return err
	}
	if err := otherCompression(magic); err != nil {
		return err
	}
	if bytes.HasPrefix(magic, []byte(parquetMagic)) {
		in.Format = FormatParquet
		return nil
	}
	if isGzip(magic) {
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return gzipError(err)
		}
		zr.Multistream(false) // members are read one by one: see gzipReader
		in.Reader, in.Gzip = buffered(&gzipReader{zr: zr, raw: raw, stored: cr}), true
		in.bufs[1] = in.Reader
		if head, _ := in.Peek(len(parquetMagic)); string(head) == parquetMagic {
			in.Format = FormatParquet
			return nil
		}
	}
	// A read error here (a corrupt gzip stream) is left for Read to return.
	head, _ := in.Peek(binaryProbeBytes)
	if bytes.IndexByte(head, 0) >= 0 {
		return fmt.Errorf("%w: it holds binary data (a NUL byte at byte %d); s3logs reads logs as plain text or gzip",
			ErrNotLog, bytes.IndexByte(head, 0)+1)
	}
	in.Format = sniffText(head)
	return nil
}

// readers pools the MaxPeek buffers of Inputs (see Input.Release): a
// load of thousands of small S3 objects allocated 64 KB for each (128 KB
// when gzipped), a third of the garbage of the load.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, MaxPeek) }}

// buffered returns a reader of r with a buffer of MaxPeek bytes, from
// readers.
func buffered(r io.Reader) *bufio.Reader {
	br := readers.Get().(*bufio.Reader)
	br.Reset(r)
	return br
}

// Release gives the Input's buffers back for reuse by a later Decode.
// Neither the Input nor the bytes its Peek returned may be used
// afterwards (a Read panics); releasing twice is safe. The reader given to
// Decode is not closed.
func (in *Input) Release() {
	for i, br := range in.bufs {
		if br != nil {
			br.Reset(nil)
			readers.Put(br)
			in.bufs[i] = nil
		}
	}
	in.Reader = nil
}

// isGzip reports whether b starts with the gzip magic bytes.
func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// CompressionError refuses an input compressed in a format s3logs does not
// read, saying which and how to undo it: otherwise it would be refused as
// binary data, or its compressed bytes rejected line by line.
type CompressionError struct {
	Format string // zstd, bzip2, xz, lz4 or zip
	Undo   string // the command that decompresses it, such as "zstd -d"
}

// Error names the format and the command that undoes it.
func (e *CompressionError) Error() string {
	return fmt.Sprintf("it is %s-compressed, and s3logs reads logs as plain text or gzip: decompress it first (%s)", e.Format, e.Undo)
}

// compressions are the compression formats other than gzip, by their magic
// bytes.
var compressions = []struct{ magic, format, undo string }{
	{"\x28\xb5\x2f\xfd", "zstd", "zstd -d"},
	{"BZh", "bzip2", "bunzip2"},
	{"\xfd7zXZ\x00", "xz", "unxz"},
	{"\x04\x22\x4d\x18", "lz4", "lz4 -d"},
	{"PK\x03\x04", "zip", "unzip"},
}

// otherCompression returns a *CompressionError when magic, an input's
// first bytes, are those of a compression other than gzip.
func otherCompression(magic []byte) error {
	for _, c := range compressions {
		if bytes.HasPrefix(magic, []byte(c.magic)) {
			return &CompressionError{Format: c.format, Undo: c.undo}
		}
	}
	return nil
}

// gzipReader reads the members of a gzip stream one after the other,
// giving a clearer message for a stream cut short or corrupt. Bytes after
// a member that do not start another one end the text with a
// *TrailingDataError: the gzip package would report them as a bad header,
// or, when fewer than ten, as a truncated stream, though nothing is
// missing.
type gzipReader struct {
	zr     *gzip.Reader
	raw    *bufio.Reader   // the stored bytes, which zr reads byte by byte (it never reads ahead of a member's end)
	stored *countingReader // under raw: how many stored bytes raw has taken
	// err is the error that ended the text, returned again by every later
	// Read: bufio.Reader.Peek hands a read error to its caller once and
	// forgets it, and Decode and the load peek before they read.
	err error
}

func (g *gzipReader) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.read(p)
	if err != nil && err != io.EOF {
		g.err = err
	}
	return n, err
}

func (g *gzipReader) read(p []byte) (int, error) {
	for {
		n, err := g.zr.Read(p)
		if err != io.EOF {
			return n, gzipError(err)
		}
		if n > 0 { // the member's last bytes: what follows it is looked at by the next Read (zr keeps returning io.EOF)
			return n, nil
		}
		// A member ended: another one follows, or the stored bytes end,
		// or something else follows.
		next, _ := g.raw.Peek(2)
		switch {
		case len(next) == 0:
			return 0, io.EOF
		case !isGzip(next):
			return 0, g.trailing()
		}
		if err := g.zr.Reset(g.raw); err != nil {
			return 0, gzipError(err)
		}
		g.zr.Multistream(false)
	}
}

// maxTrailingCount is how many bytes after the gzip data trailing counts
// before it says "at least": an endless input (a pipe) must not be read
// to its end for a message.
const maxTrailingCount = 64 << 20

// trailing describes the bytes after the last gzip member, counting them.
func (g *gzipReader) trailing() error {
	e := &TrailingDataError{Offset: g.stored.n - int64(g.raw.Buffered())}
	head, _ := g.raw.Peek(trailingHead)
	e.Head = string(head)
	n, err := io.Copy(io.Discard, io.LimitReader(g.raw, maxTrailingCount+1))
	if err != nil {
		return err
	}
	e.Bytes, e.AtLeast = min(n, maxTrailingCount), n > maxTrailingCount
	return e
}

// trailingHead is how many of the trailing bytes a TrailingDataError
// quotes.
const trailingHead = 24

// TrailingDataError reports bytes after the gzip data of an object that
// are not gzip: a gzip file with a plain one appended (cat a.gz b.log),
// or padding or damage. What the gzip members hold is read; the trailing
// bytes are not, as gzip -d ignores them ("trailing garbage ignored"):
// they are not known to be text of the same log, and gzip's own checks
// (the members' checksums) do not cover them. It wraps errGzip, so the
// object is refused (IsContentError) with what was read kept.
type TrailingDataError struct {
	Offset  int64  // where the trailing bytes start in the object as stored, from 0
	Bytes   int64  // how many there are (at most maxTrailingCount counted)
	AtLeast bool   // there are more than Bytes
	Head    string // the first of them, quoted in the message
}

// Error says where the gzip data ends, what follows, and how to read it.
func (e *TrailingDataError) Error() string {
	n := fmt.Sprintf("%d bytes that are", e.Bytes)
	if e.Bytes == 1 {
		n = "1 byte that is"
	}
	if e.AtLeast {
		n = "more than " + n
	}
	return fmt.Sprintf("gzip data followed by %s not gzip, at offset %d (starting %q): "+
		"the gzip data was read, the rest was not (tail -c +%d on the file gives it)",
		n, e.Offset, e.Head, e.Offset+1)
}

// Unwrap returns errGzip.
func (e *TrailingDataError) Unwrap() error { return errGzip }

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// IsContentError reports whether err says an object's bytes cannot be
// read in full as a log whatever the attempt: not a log, another
// compression, a truncated or corrupt gzip stream. Reading it again
// unchanged would fail the same way; a network or permission error might
// not.
func IsContentError(err error) bool {
	var ce *CompressionError
	var corrupt flate.CorruptInputError
	return errors.Is(err, ErrNotLog) || errors.As(err, &ce) || errors.Is(err, errGzip) || errors.As(err, &corrupt)
}

// errGzip is wrapped by the errors of a truncated or corrupt gzip stream.
var errGzip = errors.New("gzip")

// gzipErr wraps err in text that says what is wrong, and in errGzip
// without changing the text.
type gzipErr struct {
	text string
	err  error
}

func (e *gzipErr) Error() string   { return e.text + ": " + e.err.Error() }
func (e *gzipErr) Unwrap() []error { return []error{e.err, errGzip} }

// gzipError turns the gzip and flate packages' errors into messages that
// say what is wrong with the file, wrapping them.
func gzipError(err error) error {
	var corrupt flate.CorruptInputError
	var internal flate.InternalError
	switch {
	case err == nil, err == io.EOF:
		return err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &gzipErr{"gzip stream is truncated", err}
	case errors.Is(err, gzip.ErrChecksum):
		return &gzipErr{"gzip data is corrupt (checksum mismatch)", err}
	case errors.Is(err, gzip.ErrHeader):
		return &gzipErr{"gzip data is corrupt (bad header)", err}
	case errors.As(err, &corrupt), errors.As(err, &internal):
		return &gzipErr{"gzip data is corrupt", err}
	}
	return err
}

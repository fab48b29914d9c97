package ingest

import (
	"bytes"
	"context"
	"io"
	"sync"
	"time"

	"github.com/s3logs/s3logs/loader"
)

// DefaultChunkBytes is how many bytes of an object one parser goroutine
// takes at a time: a large object is cut at line ends into chunks of about
// this size that are parsed in parallel, so that one big file uses every
// core. Each chunk knows the number of its first line, so line numbers and
// p_row_id are those of a sequential read.
const DefaultChunkBytes = 4 << 20

// minChunkBytes is the smallest first chunk of an object of known size.
const minChunkBytes = 64 << 10

// firstChunkBytes is the size of the first chunk read of an object whose
// size as stored is size (-1 when unknown), given the chunk size chunk: a
// small object gets a buffer that holds it whole (one byte more, so that
// the read sees its end) instead of a full chunk, so that loading thousands
// of small S3 objects does not allocate a full chunk for each. A gzipped
// object may turn out larger than its stored size; its later chunks are
// full-sized.
//
// An object of unknown size (standard input, a pipe, an S3 body without a
// length) starts with minChunkBytes too: readChunk grows a first buffer
// that fills up to the full chunk before cutting it, so a large stream
// still gets full chunks and a small one does not cost 4 MB.
func firstChunkBytes(size int64, chunk int) int {
	if size >= int64(chunk) {
		return chunk
	}
	if size < 0 {
		return min(chunk, minChunkBytes)
	}
	return min(chunk, max(int(size)+1, minChunkBytes))
}

// parseChunks reads r (the decompressed object, whose first line is line
// firstLine+1) chunk by chunk and parses the chunks in parallel, at most
// Options.Workers at once across the whole load. It returns whether
// anything was sent, the summed stats, and the first error.
func (l *Loader) parseChunks(ctx context.Context, j *job, r io.Reader, firstLine int64, parseTime time.Time, msgs chan<- message) (loaded bool, total loader.Stats, err error) {
	var acc chunkResults
	r = &stickyReader{r: r}
	line := firstLine
	var carry []byte
	size := firstChunkBytes(j.obj.Size, l.opts.ChunkBytes)
	for k := 0; ; k++ {
		chunk, t, last, rerr := readChunk(r, &carry, size, l.opts.ChunkBytes, l.maxLine())
		size = l.opts.ChunkBytes
		if len(chunk) > 0 {
			lines := countLines(chunk) // before the parse, which gives a small chunk's buffer back when done
			select {
			case l.slots <- struct{}{}:
			case <-ctx.Done():
				acc.wg.Wait()
				return acc.loaded, acc.total, ctx.Err()
			}
			acc.wg.Add(1)
			go func(chunk []byte, first int64, hold, reuse bool) {
				defer acc.wg.Done()
				defer func() { <-l.slots }()
				acc.add(l.parseChunk(ctx, j, chunk, first, hold, parseTime, msgs))
				if reuse {
					putSmallChunk(chunk)
				}
			}(chunk, line, k == 0 && last && t == nil && firstLine == 0, t == nil)
			line += lines
		}
		if t != nil {
			line++
			acc.add(l.sendTail(ctx, j, t, line, msgs))
		}
		if rerr != nil || last || ctx.Err() != nil {
			err = rerr
			break
		}
	}
	acc.wg.Wait()
	if acc.err != nil {
		err = acc.err
	}
	if err == nil {
		err = ctx.Err()
	}
	return acc.loaded, acc.total, err
}

// parseChunk parses one chunk whose first line is line first+1 and sends
// its batches. hold: the chunk is the whole object, read from its start
// (see parse).
func (l *Loader) parseChunk(ctx context.Context, j *job, chunk []byte, first int64, hold bool, parseTime time.Time, msgs chan<- message) (bool, loader.Stats, error) {
	rd := loader.NewReader(bytes.NewReader(chunk), j.obj.ID, loader.Options{
		Label: j.label, BatchRows: l.opts.BatchRows, Allocator: l.opts.Allocator, ParseTime: parseTime,
		FirstLine: first, Windows: j.windows, MaxLineBytes: l.maxLine(), Format: j.format,
	})
	defer rd.Release()
	sent, err := l.parse(ctx, j, rd, hold, msgs)
	return sent, rd.Stats(), err
}

// maxLine is the longest line read: Options.MaxLineBytes or its default.
func (l *Loader) maxLine() int {
	if l.opts.MaxLineBytes > 0 {
		return l.opts.MaxLineBytes
	}
	return loader.MaxLineBytes
}

// sendTail sends the Reject of the tail line t, line number line of j's
// object, and returns its stats: one line, rejected, of t.length bytes.
func (l *Loader) sendTail(ctx context.Context, j *job, t *tail, line int64, msgs chan<- message) (bool, loader.Stats, error) {
	st := loader.Stats{Lines: 1, Rejected: 1, Bytes: t.length}
	l.lines.Add(1)
	l.rejected.Add(1)
	l.bytes.Add(t.length)
	if !send(ctx, msgs, message{j: j, kind: msgBatch, rejects: []loader.Reject{t.reject(j.obj.ID, line, l.maxLine())}, counts: st}) {
		return false, loader.Stats{}, ctx.Err()
	}
	return true, st, nil
}

// chunkResults sums what the chunks of one object did.
type chunkResults struct {
	wg     sync.WaitGroup
	mu     sync.Mutex
	loaded bool
	total  loader.Stats
	err    error // the first error of a chunk
}

func (c *chunkResults) add(sent bool, st loader.Stats, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total = plus(c.total, st)
	c.loaded = c.loaded || sent
	if err != nil && c.err == nil {
		c.err = err
	}
}

// countLines counts the lines of a chunk as the Reader does: every '\n',
// plus a last line without one.
func countLines(chunk []byte) int64 {
	n := int64(bytes.Count(chunk, []byte{'\n'}))
	if len(chunk) > 0 && chunk[len(chunk)-1] != '\n' {
		n++
	}
	return n
}

// tail is a line readChunk returns beside a chunk, after its lines,
// because it cannot be parsed as one: a line longer than the limit (read
// to its end without being buffered; raw is its start) or a last line cut
// by a read error.
type tail struct {
	raw    []byte
	length int64 // bytes of the line, its ending included
	cut    bool  // a last line cut by a read error, not an over-long one
}

// reject returns t's Reject, as the line number line of source.
func (t *tail) reject(source string, line int64, limit int) loader.Reject {
	if t.cut {
		return loader.Cut(source, line, t.raw)
	}
	return loader.TooLong(source, line, t.length, limit, t.raw)
}

// readChunk returns the next chunk of r: *carry (the partial line left by
// the previous chunk) and about size more bytes, up to the last line end;
// a buffer of size that fills up is grown to full more bytes first (the
// first chunk of an object of unknown size starts small, see
// firstChunkBytes). last reports the end of r; then the chunk holds
// everything left, including a last line without a line end. A line longer
// than maxLine is not buffered: it is returned as an over-long tail (after
// the chunk's complete lines, which come first), keeping its start, and
// the rest of it is read and dropped up to its line end. A read error ends
// the input too: the complete lines before it are returned with it, and a
// partial last line as a cut tail.
func readChunk(r io.Reader, carry *[]byte, size, full, maxLine int) (chunk []byte, t *tail, last bool, err error) {
	var buf []byte
	if len(*carry) == 0 && size == minChunkBytes {
		buf = getSmallChunk()
	} else {
		buf = make([]byte, len(*carry), max(len(*carry)+size, 1))
	}
	copy(buf, *carry)
	*carry = nil
	for {
		n, rerr := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		i := bytes.LastIndexByte(buf, '\n')
		if rerr != nil {
			if rerr == io.EOF || rerr == io.ErrUnexpectedEOF { // exactly these: the end of the input, not a wrapped gzip truncation
				if len(buf)-(i+1) > maxLine {
					return buf[:i+1], &tail{raw: keep(buf[i+1:]), length: int64(len(buf) - (i + 1))}, true, nil
				}
				return buf, nil, true, nil
			}
			if i+1 < len(buf) {
				t = &tail{raw: buf[i+1:], length: int64(len(buf) - (i + 1)), cut: true}
			}
			return buf[:i+1], t, true, rerr
		}
		if size < full { // a small first buffer that filled: the input is larger, read a full chunk
			grown := make([]byte, len(buf), len(buf)+full)
			copy(grown, buf)
			buf, size = grown, full
			continue
		}
		if i >= 0 {
			*carry = append([]byte(nil), buf[i+1:]...)
			return buf[:i+1], nil, false, nil
		}
		if len(buf) > maxLine {
			// One line longer than the limit: keep its start, drop the rest.
			t = &tail{raw: keep(buf), length: int64(len(buf))}
			last, err = skipLine(r, t, carry, buf[:cap(buf)])
			return nil, t, last, err
		}
		// One line longer than the chunk: read on until its end, or until
		// it is longer than the limit.
		grown := make([]byte, len(buf), min(cap(buf)+size, maxLine+1))
		copy(grown, buf)
		buf = grown
	}
}

// smallChunks pools the minChunkBytes buffers of the first chunks of
// small objects (see firstChunkBytes): a load of thousands of small S3
// objects allocated 64 KB for each. A chunk is parsed into Arrow buffers
// of its own (the Reader copies the lines, a Reject its raw bytes), so its
// buffer is free once parseChunk returns.
var smallChunks = sync.Pool{New: func() any { return new([minChunkBytes]byte) }}

// getSmallChunk returns an empty buffer of minChunkBytes from smallChunks.
func getSmallChunk() []byte { return smallChunks.Get().(*[minChunkBytes]byte)[:0] }

// putSmallChunk gives chunk's buffer back to smallChunks when it is one
// of them (a whole buffer of minChunkBytes); nothing may use it
// afterwards.
func putSmallChunk(chunk []byte) {
	if cap(chunk) == minChunkBytes {
		smallChunks.Put((*[minChunkBytes]byte)(chunk[:minChunkBytes]))
	}
}

// keep copies the start of an over-long line that its Reject keeps.
func keep(line []byte) []byte { return bytes.Clone(line[:min(len(line), keepBytes)]) }

// keepBytes is how much of an over-long line readChunk keeps: what
// loader.TooLong stores.
const keepBytes = 64 << 10

// skipLine reads r up to the end of the over-long line t, adding to its
// length, through scratch; what follows the line end goes to *carry.
func skipLine(r io.Reader, t *tail, carry *[]byte, scratch []byte) (last bool, err error) {
	for {
		n, rerr := r.Read(scratch)
		if k := bytes.IndexByte(scratch[:n], '\n'); k >= 0 {
			t.length += int64(k + 1)
			*carry = append([]byte(nil), scratch[k+1:n]...)
			if rerr != nil && rerr != io.EOF {
				return false, nil // r is sticky: the error comes again with the next read
			}
			return rerr == io.EOF && len(*carry) == 0, nil
		}
		t.length += int64(n)
		switch {
		case rerr == io.EOF:
			return true, nil
		case rerr != nil:
			return true, rerr
		}
	}
}

// stickyReader returns its first error again on every later read, as
// readChunk expects when it stops reading at a line end just before one.
type stickyReader struct {
	r   io.Reader
	err error
}

func (s *stickyReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.err = err
	return n, err
}

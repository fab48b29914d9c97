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
	line := firstLine
	var carry []byte
	size := firstChunkBytes(j.obj.Size, l.opts.ChunkBytes)
	for k := 0; ; k++ {
		chunk, last, rerr := readChunk(r, &carry, size, l.opts.ChunkBytes)
		size = l.opts.ChunkBytes
		if len(chunk) > 0 {
			select {
			case l.slots <- struct{}{}:
			case <-ctx.Done():
				acc.wg.Wait()
				return acc.loaded, acc.total, ctx.Err()
			}
			acc.wg.Add(1)
			go func(chunk []byte, first int64, hold bool) {
				defer acc.wg.Done()
				defer func() { <-l.slots }()
				acc.add(l.parseChunk(ctx, j, chunk, first, hold, parseTime, msgs))
			}(chunk, line, k == 0 && last && firstLine == 0)
			line += countLines(chunk)
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
		FirstLine: first, Since: l.opts.Since, Until: l.opts.Until, Format: j.format,
	})
	defer rd.Release()
	sent, err := l.parse(ctx, j, rd, hold, msgs)
	return sent, rd.Stats(), err
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
	c.total.Lines += st.Lines
	c.total.Rows += st.Rows
	c.total.Rejected += st.Rejected
	c.total.Blank += st.Blank
	c.total.Filtered += st.Filtered
	c.total.Bytes += st.Bytes
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

// readChunk returns the next chunk of r: *carry (the partial line left by
// the previous chunk) and about size more bytes, up to the last line end;
// a buffer of size that fills up is grown to full more bytes first (the
// first chunk of an object of unknown size starts small, see
// firstChunkBytes). last reports the end of r; then the chunk holds
// everything left, including a last line without a line end. A read error
// ends the input too: the bytes before it are returned with it.
func readChunk(r io.Reader, carry *[]byte, size, full int) (chunk []byte, last bool, err error) {
	buf := make([]byte, len(*carry), len(*carry)+size)
	copy(buf, *carry)
	*carry = nil
	for {
		n, rerr := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if rerr != nil {
			if rerr == io.EOF || rerr == io.ErrUnexpectedEOF { // exactly these: the end of the input, not a wrapped gzip truncation
				return buf, true, nil
			}
			return buf, true, rerr
		}
		if size < full { // a small first buffer that filled: the input is larger, read a full chunk
			grown := make([]byte, len(buf), len(buf)+full)
			copy(grown, buf)
			buf, size = grown, full
			continue
		}
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			*carry = append([]byte(nil), buf[i+1:]...)
			return buf[:i+1], false, nil
		}
		// One line longer than the chunk: read on until its end.
		grown := make([]byte, len(buf), cap(buf)+size)
		copy(grown, buf)
		buf = grown
	}
}

package loader

// Framing: cutting the input into lines, with a read buffer that grows to
// hold the longest line (bufio.Scanner stops at 64 KiB by default) and a
// limit past which a line is rejected and skipped rather than buffered.

import (
	"bytes"
	"fmt"
	"io"
)

// framer cuts its input into lines. Its read buffer is reused from Reader
// to Reader (it is part of the pooled state); the rest is the Reader's own.
type framer struct {
	src  io.Reader
	name string // the source id, for read errors

	// buf[r:w] is read but not yet consumed; buf[r:scan] holds no newline.
	buf        []byte
	r, w       int
	scan       int
	eof        bool
	skipping   bool // discarding the rest of an over-long line
	emptyReads int  // consecutive reads that returned nothing
	maxLine    int  // longest line returned whole

	read int64 // bytes read from src
	err  error // the read error that ended the input, if any
}

// begin starts framing src, keeping the read buffer of a previous Reader.
func (r *framer) begin(src io.Reader, name string) {
	*r = framer{src: src, name: name, buf: r.buf[:cap(r.buf)], maxLine: maxLineBytes}
}

// end drops the references to the source, so that the pooled state does
// not keep it alive.
func (r *framer) end() { r.src, r.err = nil, nil }

// next returns the next line with its ending, a sub-slice of the read
// buffer valid until the next call. tooLong reports a line longer than
// r.maxLine, of which only the first rawKeepBytes are returned (the rest
// is skipped). ok is false at the end of the input or on a read error; a
// partial last line is returned at EOF but dropped on an error.
func (r *framer) next() (line []byte, tooLong, ok bool) {
	for {
		if r.skipping {
			if k := bytes.IndexByte(r.buf[r.r:r.w], '\n'); k >= 0 {
				r.r += k + 1
				r.skipping = false
			} else {
				r.r = r.w
			}
			r.scan = r.r
		}
		if !r.skipping {
			if k := bytes.IndexByte(r.buf[r.scan:r.w], '\n'); k >= 0 {
				end := r.scan + k + 1
				line = r.buf[r.r:end]
				r.r, r.scan = end, end
				return line, false, true
			}
			r.scan = r.w
			if r.w-r.r >= r.maxLine {
				line = r.buf[r.r : r.r+min(rawKeepBytes, r.w-r.r)]
				r.r, r.scan, r.skipping = r.w, r.w, true
				return line, true, true
			}
		}
		if r.eof {
			if r.r < r.w && !r.skipping {
				line = r.buf[r.r:r.w]
				r.r, r.scan = r.w, r.w
				return line, false, true
			}
			return nil, false, false
		}
		r.fill()
	}
}

// fill reads more input into buf, moving the unconsumed bytes to its start
// and growing it when it is full.
func (r *framer) fill() {
	if r.r > 0 {
		copy(r.buf, r.buf[r.r:r.w])
		r.w -= r.r
		r.scan -= r.r
		r.r = 0
	}
	if r.w == len(r.buf) {
		nb := make([]byte, max(readSize, 2*len(r.buf)))
		copy(nb, r.buf[:r.w])
		r.buf = nb
	}
	n, err := r.src.Read(r.buf[r.w:])
	r.w += n
	r.read += int64(n)
	if n == 0 && err == nil {
		if r.emptyReads++; r.emptyReads >= 100 {
			err = io.ErrNoProgress // as bufio does, rather than spin
		}
	} else {
		r.emptyReads = 0
	}
	switch {
	case err == io.EOF:
		r.eof = true
	case err != nil:
		r.err = fmt.Errorf("read %s: %w", r.name, err)
		r.eof = true
		// Keep the complete lines read so far; drop the partial last one.
		if k := bytes.LastIndexByte(r.buf[r.r:r.w], '\n'); k >= 0 {
			r.w = r.r + k + 1
		} else {
			r.w = r.r
		}
		r.scan = min(r.scan, r.w)
	}
}

// trimEOL removes a trailing "\n" or "\r\n".
func trimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line
}

// isBlank reports whether line holds nothing but spaces, tabs and CRs.
func isBlank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

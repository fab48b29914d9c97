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
	skipping   bool   // discarding the rest of an over-long line
	long       []byte // the kept start of the over-long line being skipped
	longLen    int64  // its length so far, line end included
	emptyReads int    // consecutive reads that returned nothing
	maxLine    int    // longest line returned whole

	read int64 // bytes read from src
	err  error // the read error that ended the input, if any
	cut  bool  // the read error ended the input inside a line: buf[r:w] is that line
}

// lineKind says what framer.next returned.
type lineKind uint8

const (
	lineWhole   lineKind = iota // a line, with its ending (the last one may have none)
	lineTooLong                 // the start of a line longer than maxLine (see framer.length)
	lineCut                     // a last line without its ending, cut by a read error
)

// begin starts framing src, keeping the read buffer of a previous Reader.
// maxLine is the longest line returned whole; 0 means MaxLineBytes.
func (r *framer) begin(src io.Reader, name string, maxLine int) {
	if maxLine <= 0 {
		maxLine = MaxLineBytes
	}
	*r = framer{src: src, name: name, buf: r.buf[:cap(r.buf)], maxLine: maxLine}
}

// end drops the references to the source, so that the pooled state does
// not keep it alive.
func (r *framer) end() { r.src, r.err, r.long = nil, nil, nil }

// keepBytes is how much of an over-long line is kept: rawKeepBytes, or the
// limit when it is smaller.
func (r *framer) keepBytes() int { return min(rawKeepBytes, r.maxLine) }

// next returns the next line with its ending, a sub-slice of the read
// buffer valid until the next call, and its kind. A line longer than
// r.maxLine (lineTooLong) is read to its end without being buffered: only
// its first keepBytes are returned, and r.longLen is its whole length. A
// last line cut by a read error is returned as lineCut. ok is false at the
// end of the input.
func (r *framer) next() (line []byte, kind lineKind, ok bool) {
	for {
		if r.skipping {
			k := bytes.IndexByte(r.buf[r.r:r.w], '\n')
			if k >= 0 || r.eof {
				if k >= 0 {
					r.longLen += int64(k + 1)
					r.r += k + 1
				} else {
					r.longLen += int64(r.w - r.r)
					r.r = r.w
				}
				r.scan, r.skipping, r.cut = r.r, false, false
				return r.long, lineTooLong, true
			}
			r.longLen += int64(r.w - r.r)
			r.r, r.scan = r.w, r.w
		} else {
			if k := bytes.IndexByte(r.buf[r.scan:r.w], '\n'); k >= 0 {
				end := r.scan + k + 1
				line = r.buf[r.r:end]
				r.r, r.scan = end, end
				if len(line) > r.maxLine && len(trimEOL(line)) > r.maxLine {
					// Over the limit, though buffered whole (it came in
					// one read): rejected as a longer one read on is.
					r.long = append(r.long[:0], line[:r.keepBytes()]...)
					r.longLen = int64(len(line))
					return r.long, lineTooLong, true
				}
				return line, lineWhole, true
			}
			r.scan = r.w
			if r.w-r.r > r.maxLine {
				r.long = append(r.long[:0], r.buf[r.r:r.r+r.keepBytes()]...)
				r.longLen = int64(r.w - r.r)
				r.r, r.scan, r.skipping = r.w, r.w, true
				continue
			}
			if r.eof {
				if r.r < r.w {
					line = r.buf[r.r:r.w]
					r.r, r.scan = r.w, r.w
					if r.cut {
						r.cut = false
						return line, lineCut, true
					}
					return line, lineWhole, true
				}
				return nil, lineWhole, false
			}
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
		nb := make([]byte, max(readSize, len(r.buf)+1, min(2*len(r.buf), r.maxLine+readSize)))
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
		// The error ended the input inside a line (or after its last
		// newline): a partial last line is a reject, not a row.
		r.cut = true
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

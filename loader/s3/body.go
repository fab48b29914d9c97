package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/loader/source"
)

// DefaultAttempts is how many GETs one object may take (Options.Attempts
// when 0): its GET is sent again when it fails to connect, and its body is
// resumed where it was cut, until the object has taken this many. The
// SDK's retryer retries each GET on its own but cannot resume a body cut
// in the middle of being read, which is what these are for.
const DefaultAttempts = 5

// DefaultBackoff is the wait before an object's second GET (Options.Backoff
// when 0); it doubles for each further one, up to maxBackoff, and each
// wait is drawn between half of it and all of it (jitter), so that the
// GETs of many objects cut at once do not come back at once.
const DefaultBackoff = 200 * time.Millisecond

const maxBackoff = 5 * time.Second

// DefaultStall is how long a body may send nothing (Options.Stall when 0)
// before it is taken for cut: a server that keeps the connection open
// but stops sending would otherwise hold its object, and the load, for
// ever. A stalled body is closed and resumed like any cut one.
const DefaultStall = time.Minute

// errStalled is the cause of a body closed because it sent nothing for
// Options.Stall.
var errStalled = errors.New("the body sent nothing for too long")

// stallGuard closes rc when one Read waits longer than d, so that the
// Read returns (with errStalled) instead of waiting for ever.
type stallGuard struct {
	rc      io.ReadCloser
	d       time.Duration
	t       *time.Timer
	stalled atomic.Bool
}

func newStallGuard(rc io.ReadCloser, d time.Duration) *stallGuard {
	g := &stallGuard{rc: rc, d: d}
	g.t = time.AfterFunc(d, func() {
		g.stalled.Store(true)
		rc.Close()
	})
	g.t.Stop()
	return g
}

func (g *stallGuard) Read(p []byte) (int, error) {
	g.t.Reset(g.d)
	n, err := g.rc.Read(p)
	g.t.Stop()
	if err != nil && g.stalled.Load() {
		err = errStalled
	}
	return n, err
}

func (g *stallGuard) Close() error {
	g.t.Stop()
	return g.rc.Close()
}

// backoff is the wait before an object's GET number gets+1.
func (l *Lister) backoff(gets int) time.Duration {
	d := min(l.opts.Backoff<<min(gets-1, 16), maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// open GETs key and returns its body, which resumes itself when cut.
func (l *Lister) open(ctx context.Context, key string) (io.ReadCloser, error) {
	b := &body{ctx: ctx, l: l, key: key, size: -1}
	out, err := b.get(0)
	if err != nil {
		return nil, err
	}
	b.rc, b.etag = newStallGuard(out.Body, l.opts.Stall), aws.ToString(out.ETag)
	if out.ContentLength != nil {
		b.size = *out.ContentLength
	}
	return b, nil
}

// body is the streamed content of one object. A read error other than the
// end of the context (a connection reset, a body shorter than its length)
// is a cut: the body is then resumed from the byte it stopped at by a
// ranged GET that S3 answers only if the object still has the ETag of the
// first answer, so a replaced object is never spliced onto the old one's
// first part. Reading stops as soon as the context of Open is done (the
// SDK may have the whole of a small body buffered already).
type body struct {
	ctx  context.Context
	l    *Lister
	key  string
	rc   io.ReadCloser
	etag string // of the first answer
	size int64  // Content-Length of the first answer, -1 if none
	n    int64  // bytes read
	gets int    // GETs sent for the object
	err  error  // why the body cannot be resumed, once it cannot
}

func (b *body) Read(p []byte) (int, error) {
	for {
		if err := b.ctx.Err(); err != nil {
			return 0, err
		}
		if b.err != nil {
			return 0, b.err
		}
		n, err := b.rc.Read(p)
		b.n += int64(n)
		if err == nil || err == io.EOF && (b.size < 0 || b.n >= b.size) {
			return n, err
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if cerr := b.ctx.Err(); cerr != nil {
			return n, cerr
		}
		if err := b.resume(err); err != nil {
			if b.ctx.Err() == nil {
				b.err = err
			}
			return n, err
		}
		if n > 0 {
			return n, nil
		}
	}
}

func (b *body) Close() error { return b.rc.Close() }

// resume replaces the cut body with the rest of the object, or returns
// why it cannot: the object took its attempts, the endpoint is gone, or
// the object changed.
func (b *body) resume(cut error) error {
	b.rc.Close()
	b.rc = http.NoBody
	fail := func(err error) error {
		return &ReadError{Bucket: b.l.bucket, Key: b.key, Read: b.n, Size: b.size, GETs: b.gets, Err: err}
	}
	cut = awscfg.Classify(cut, awscfg.OpRead, b.l.bucket, b.key)
	if b.etag == "" || b.gets >= b.l.opts.Attempts {
		// Without an ETag nothing tells the rest of this object from
		// that of another one stored under its key since.
		return fail(cut)
	}
	if err := b.l.health.sleep(b.ctx, b.l.backoff(b.gets)); err != nil {
		return err
	}
	out, err := b.get(b.n)
	if err != nil {
		if errors.Is(err, source.ErrUnreachable) || b.ctx.Err() != nil {
			return err
		}
		return fail(err)
	}
	if err := b.rest(out); err != nil {
		out.Body.Close()
		return fail(err)
	}
	b.rc = newStallGuard(out.Body, b.l.opts.Stall)
	return nil
}

// rest checks that out, the answer to a GET from byte b.n, is the rest of
// the same object. A server that ignores Range sends the whole object
// again: its first b.n bytes are then skipped.
func (b *body) rest(out *awss3.GetObjectOutput) error {
	if etag := aws.ToString(out.ETag); etag != "" && etag != b.etag {
		return &awscfg.Error{Op: awscfg.OpRead, Bucket: b.l.bucket, Key: b.key, Kind: awscfg.ErrChanged,
			Err: fmt.Errorf("ETag %s, was %s", etag, b.etag)}
	}
	cr := aws.ToString(out.ContentRange)
	if cr == "" {
		_, err := io.CopyN(io.Discard, out.Body, b.n)
		return awscfg.Classify(err, awscfg.OpRead, b.l.bucket, b.key)
	}
	if want := "bytes " + strconv.FormatInt(b.n, 10) + "-"; !strings.HasPrefix(cr, want) {
		return &awscfg.Error{Op: awscfg.OpRead, Bucket: b.l.bucket, Key: b.key, Kind: awscfg.ErrRequest,
			Err: fmt.Errorf("asked for the bytes from %d, got Content-Range %q", b.n, cr)}
	}
	return nil
}

// get sends a GET of the object from byte from (0: all of it; else a
// ranged GET that must match b.etag), again while it fails to connect
// and the object has attempts left. Every outcome tells l.health whether
// the endpoint answers; once it is taken for gone, get fails at once with
// its *source.UnreachableError, without a request.
func (b *body) get(from int64) (*awss3.GetObjectOutput, error) {
	l := b.l
	in := &awss3.GetObjectInput{Bucket: &l.bucket, Key: &b.key}
	if from > 0 {
		in.Range = aws.String("bytes=" + strconv.FormatInt(from, 10) + "-")
		in.IfMatch = aws.String(b.etag)
	}
	for {
		if d := l.health.gone(); d != nil {
			return nil, d
		}
		b.gets++
		out, err := l.client.Load().GetObject(b.ctx, in)
		if err == nil {
			l.health.answer()
			return out, nil
		}
		err = awscfg.Classify(err, awscfg.OpGet, l.bucket, b.key)
		var se *awscfg.Error
		if !errors.As(err, &se) || se.Kind != awscfg.ErrNetwork {
			if se != nil && se.Status != 0 {
				l.health.answer()
			}
			return nil, err
		}
		if d := l.health.failed(se, l.unreachable); d != nil {
			return nil, d
		}
		if b.gets >= l.opts.Attempts {
			return nil, err
		}
		if err := l.health.sleep(b.ctx, l.backoff(b.gets)); err != nil {
			return nil, err
		}
	}
}

// unreachable is the error of l's endpoint taken for gone after err.
func (l *Lister) unreachable(err *awscfg.Error) *source.UnreachableError {
	o := l.client.Load().Options()
	endpoint := "https://s3." + o.Region + ".amazonaws.com"
	if o.BaseEndpoint != nil {
		endpoint = awscfg.Redact(*o.BaseEndpoint)
	}
	return &source.UnreachableError{Source: l.url, Endpoint: "S3 at " + endpoint, Err: causeError{err}}
}

// causeError prints only the cause of a network failure ("dial tcp ...:
// connection refused"), for a message that already says S3 cannot be
// reached.
type causeError struct{ e *awscfg.Error }

func (c causeError) Error() string { return c.e.Cause() }
func (c causeError) Unwrap() error { return c.e }

// ReadError is an object whose body could not be read to its end: it was
// cut short and could not be resumed, after GETs attempts, or the rest of
// it was refused (the object changed: awscfg.ErrChanged). What was read of
// it has been handed on; the load reports the object as failed.
type ReadError struct {
	Bucket, Key string
	Read, Size  int64 // bytes read; the object's size, -1 when unknown
	GETs        int   // GETs sent for the object, the first one included
	Err         error // the last failure, an *awscfg.Error
}

// Error says how much was read, in how many GETs, and what stopped it; it
// does not repeat the object's name, which the load prints before it.
func (e *ReadError) Error() string {
	size := "?"
	if e.Size >= 0 {
		size = strconv.FormatInt(e.Size, 10)
	}
	return fmt.Sprintf("read %d of %s bytes in %d GETs: %v", e.Read, size, e.GETs, e.Err)
}

// Unwrap returns the last failure.
func (e *ReadError) Unwrap() error { return e.Err }

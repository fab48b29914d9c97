package s3

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/loader/source"
)

// UnreachableAfter is how many GETs in a row, across all the objects of a
// Lister being read at once, must fail to connect (dial refused, DNS,
// timeouts), with no answer from S3 in between, before the endpoint is
// taken for gone: every object not read yet then fails at once with one
// *source.UnreachableError, without a request, and List stops. Each GET
// is already retried by the SDK (awscfg.DefaultMaxAttempts attempts with
// backoff), and an object whose GET fails to connect tries again itself
// (Options.Attempts), so three in a row is some 18 refused connections
// over tens of seconds: a server that went away, not a dropped packet. An
// answer of any kind (an object, a 404, a 503) resets the count, so a
// server that answers most requests is never taken for gone.
const UnreachableAfter = 3

// health tells whether a Lister's endpoint is still reachable, from the
// outcomes of its GETs (see UnreachableAfter). Its methods are safe for
// concurrent use; answer, on the path of every GET, is an atomic load.
type health struct {
	streak atomic.Int64 // GETs in a row that failed to connect
	down   atomic.Pointer[source.UnreachableError]

	mu     sync.Mutex
	downCh chan struct{} // closed when down is set
}

func newHealth() *health { return &health{downCh: make(chan struct{})} }

// answer records that S3 answered a request.
func (h *health) answer() {
	if h.streak.Load() != 0 {
		h.streak.Store(0)
	}
}

// failed records a GET that failed to connect, with its classified error
// err, and returns the *source.UnreachableError when the endpoint is now
// taken for gone (made by gone), else nil.
func (h *health) failed(err *awscfg.Error, gone func(*awscfg.Error) *source.UnreachableError) *source.UnreachableError {
	if h.streak.Add(1) < UnreachableAfter {
		return h.down.Load()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if d := h.down.Load(); d != nil {
		return d
	}
	d := gone(err)
	h.down.Store(d)
	close(h.downCh)
	return d
}

// gone returns the error of the endpoint, or nil while it is reachable.
func (h *health) gone() *source.UnreachableError { return h.down.Load() }

// reset forgets an earlier verdict, for the next poll of a watch.
func (h *health) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down.Load() != nil {
		h.down.Store(nil)
		h.downCh = make(chan struct{})
	}
	h.streak.Store(0)
}

// sleep waits d, or less when ctx is done (its error) or the endpoint is
// taken for gone meanwhile (its error).
func (h *health) sleep(ctx context.Context, d time.Duration) error {
	h.mu.Lock()
	ch := h.downCh
	h.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-ch:
		if d := h.gone(); d != nil {
			return d
		}
		return nil
	case <-t.C:
		return nil
	}
}

package s3

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/loader/source"
)

func TestBackoff(t *testing.T) {
	l := &Lister{opts: Options{Backoff: 100 * time.Millisecond}}
	for gets, want := range []time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond,
		6: 3200 * time.Millisecond, 7: maxBackoff, 60: maxBackoff} {
		if want == 0 {
			continue
		}
		for range 100 {
			if d := l.backoff(gets); d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %s, want between %s and %s", gets, d, want/2, want)
			}
		}
	}
}

// TestHealth: UnreachableAfter connection failures in a row take the
// endpoint for gone; an answer between them resets the count; reset (the
// next poll of a watch) forgets the verdict.
func TestHealth(t *testing.T) {
	h := newHealth()
	fail := &awscfg.Error{Kind: awscfg.ErrNetwork, Err: errors.New("dial tcp: connection refused")}
	gone := func(e *awscfg.Error) *source.UnreachableError {
		return &source.UnreachableError{Source: "s3://b/", Endpoint: "S3 at x", Err: e}
	}
	for i := 1; i < UnreachableAfter; i++ {
		if d := h.failed(fail, gone); d != nil {
			t.Fatalf("gone after %d failures, want %d", i, UnreachableAfter)
		}
	}
	h.answer()
	for i := 1; i < UnreachableAfter; i++ {
		if d := h.failed(fail, gone); d != nil {
			t.Fatalf("gone after an answer and %d failures, want %d", i, UnreachableAfter)
		}
	}
	d := h.failed(fail, gone)
	if d == nil || h.gone() != d || h.failed(fail, gone) != d {
		t.Fatalf("after %d failures in a row: %v, gone() = %v, want one verdict", UnreachableAfter, d, h.gone())
	}
	start := time.Now()
	if err := h.sleep(context.Background(), time.Minute); err != error(d) || time.Since(start) > time.Second {
		t.Errorf("sleep once gone = %v after %s, want the verdict at once", err, time.Since(start))
	}
	h.reset()
	if h.gone() != nil {
		t.Fatal("reset kept the verdict")
	}
	if err := h.sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("sleep after reset = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.sleep(ctx, time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep with a cancelled context = %v", err)
	}
}

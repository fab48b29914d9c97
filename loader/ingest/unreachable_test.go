package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/s3logs/s3logs/loader/source"
)

// goneLister lists n objects of data whose Open fails, from the object
// numbered ok on, with gone; its listing then fails with gone too.
type goneLister struct {
	data  []byte
	n, ok int
	gone  *source.UnreachableError
}

func (g goneLister) List(ctx context.Context, fn func(source.Object) error) error {
	for i := range g.n {
		id := fmt.Sprintf("s3://b/%d", i)
		o := source.Object{Name: id, ID: id, Size: int64(len(g.data)), ETag: "e"}
		o.Open = func(context.Context) (io.ReadCloser, error) {
			if i >= g.ok {
				return nil, g.gone
			}
			return io.NopCloser(bytes.NewReader(g.data)), nil
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	return g.gone
}

// oneLister lists one object.
type oneLister struct{ o source.Object }

func (l oneLister) List(_ context.Context, fn func(source.Object) error) error { return fn(l.o) }

// TestUnreachableReportedOnce: the objects of a source that could not be
// reached are counted and reported in one message at the end of the load,
// while another source's failure is reported as it happens.
func TestUnreachableReportedOnce(t *testing.T) {
	gone := &source.UnreachableError{Source: "s3://b/", Endpoint: "S3 at http://x", Err: errors.New("connection refused")}
	boom := errors.New("boom")
	other := source.Object{Name: "other", ID: "other", Size: 1, Open: func(context.Context) (io.ReadCloser, error) { return nil, boom }}
	var mu sync.Mutex
	var reported []string
	opts := Options{Workers: 4, OnError: func(err error) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, err.Error())
	}}
	ls := []source.Lister{
		goneLister{data: genLines(t, 10, 7), n: 5, ok: 2, gone: gone},
		oneLister{other},
	}
	sum, err := New(openDB(t), opts).Load(context.Background(), ls)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"other: boom", "s3://b/: cannot reach S3 at http://x: connection refused; stopped reading it: 3 objects not loaded, nor the rest of its listing; what was loaded is kept: run the same load again to read the rest"}
	if fmt.Sprint(reported) != fmt.Sprint(want) {
		t.Errorf("reported:\n%q\nwant\n%q", reported, want)
	}
	if sum.Objects != 2 || sum.Failed != 4 || len(sum.Errors) != 2 {
		t.Errorf("objects %d, failed %d, %d errors; want 2, 4 (3 of them not reached), 2", sum.Objects, sum.Failed, len(sum.Errors))
	}
	var ue *UnreachableError
	if !errors.As(sum.Errors[1], &ue) || ue.Objects != 3 || !ue.Listing || !errors.Is(sum.Errors[1], source.ErrUnreachable) {
		t.Errorf("Errors[1] = %#v, want an *UnreachableError of 3 objects and the listing", sum.Errors[1])
	}
}

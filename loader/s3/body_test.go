package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/loader/s3"
	"github.com/s3logs/s3logs/loader/s3/s3test"
	"github.com/s3logs/s3logs/loader/source"
)

// TestBodyRetries: a body cut short is resumed where it stopped, and an
// object whose GET fails to connect is asked for again, until the object
// took Options.Attempts GETs; then it is an error that names what was read.
func TestBodyRetries(t *testing.T) {
	f := newFixture(t)
	_, objs, err := collect(context.Background(), f.lister(t, "s3://logs/simple/", s3.Options{Until: jan(3, 0), Margin: -1, Attempts: 4, Backoff: time.Millisecond, Stall: 300 * time.Millisecond}))
	must(t, err)
	tests := []struct {
		name     string
		fault    s3test.Fault
		wantGets int    // HTTP GETs the server saw (the client makes up to 2 attempts per GET)
		wantErr  string // "" when the body must be read whole; %d is the object's size
		wantRead int    // with wantErr: bytes handed over before it
	}{
		{name: "cut once", fault: s3test.Fault{Truncate: 100, Times: 1}, wantGets: 2},
		{name: "cut three times", fault: s3test.Fault{Truncate: 100, Times: 3}, wantGets: 4},
		{name: "cut at the first byte twice", fault: s3test.Fault{Truncate: 1, Times: 2}, wantGets: 3},
		{name: "cut every time", fault: s3test.Fault{Truncate: 100}, wantGets: 4, wantRead: 400,
			wantErr: "read 400 of %d bytes in 4 GETs: S3 request failed: unexpected EOF"},
		// Each GET is two attempts of the client, and net/http sends an
		// attempt again once when a reused connection is dropped: the
		// first GET fails after 2 to 4 dropped requests, the next one or
		// two take the rest, and the last is answered.
		{name: "dropped five times", fault: s3test.Fault{Drop: true, Times: 5}, wantGets: 6},
		// A server that sends part of the body and then nothing: the body
		// is taken for cut after Stall, and resumed.
		{name: "stalled twice", fault: s3test.Fault{Truncate: 100, Stall: true, Times: 2}, wantGets: 3},
		{name: "500 not resumed by us", fault: s3test.Fault{Status: 500, Code: "InternalError"}, wantGets: 2,
			wantErr: "S3 kept failing after retries (HTTP 500 InternalError): injected by s3test"},
	}
	if len(objs) < len(tests) {
		t.Fatalf("listed %d objects, want at least %d", len(objs), len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := objs[i]
			key := strings.TrimPrefix(o.ID, "s3://logs/")
			want := f.bodies[key]
			f.srv.Fail("logs", key, tc.fault)
			defer f.srv.Clear("logs", key)
			start := time.Now()
			got, err := s3test.ReadAll(o.Open(context.Background()))
			if tc.fault.Stall && time.Since(start) > 5*time.Second {
				// s3test holds a stalled answer 10 s before dropping it:
				// the body waited for the server instead of giving up.
				t.Errorf("read took %s: a stalled body was not given up after Stall", time.Since(start))
			}
			if g := f.srv.Gets("logs", key); g != tc.wantGets {
				t.Errorf("GETs = %d, want %d", g, tc.wantGets)
			}
			if tc.wantErr == "" {
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("err = %v, read %d bytes, want the %d stored", err, len(got), len(want))
				}
				return
			}
			if wantErr := strings.ReplaceAll(tc.wantErr, "%d", fmt.Sprint(len(want))); err == nil || err.Error() != wantErr {
				t.Fatalf("err = %v, want %s", err, wantErr)
			}
			var se *awscfg.Error
			if !errors.As(err, &se) || se.Bucket != "logs" || se.Key != key {
				t.Errorf("err %v does not name bucket and key", err)
			}
			if len(got) != tc.wantRead || !bytes.Equal(got, want[:len(got)]) {
				t.Errorf("read %d bytes before the error, want the first %d of the object", len(got), tc.wantRead)
			}
			var re *s3.ReadError
			if tc.wantRead > 0 && (!errors.As(err, &re) || re.Read != int64(tc.wantRead) || re.Size != int64(len(want)) || re.Key != key) {
				t.Errorf("err = %#v, want a *s3.ReadError of %s after %d bytes", err, key, tc.wantRead)
			}
		})
	}
}

// TestBodyNotSpliced: an object replaced after its body was cut is not
// resumed from the new one: the ranged GET must match the first answer's
// ETag, and S3 refuses it.
func TestBodyNotSpliced(t *testing.T) {
	f := newFixture(t)
	_, objs, err := collect(context.Background(), f.lister(t, "s3://logs/simple/", s3.Options{Until: jan(2, 0), Margin: -1, Backoff: time.Millisecond}))
	must(t, err)
	o := objs[0]
	key := strings.TrimPrefix(o.ID, "s3://logs/")
	old := f.bodies[key]
	f.srv.Fail("logs", key, s3test.Fault{Truncate: 100, Times: 1})
	rc, err := o.Open(context.Background())
	must(t, err)
	defer rc.Close()
	// The first answer was made from the old object before its headers
	// came back; the resumed GET finds the new one.
	newer := s3test.LogBody(4242, 3, jan(1, 0))
	must(t, f.srv.Put("logs", key, newer))
	got, err := io.ReadAll(rc)
	if !bytes.Equal(got, old[:100]) {
		t.Errorf("read %d bytes, want the first 100 of the old object and nothing of the new one", len(got))
	}
	want := fmt.Sprintf("read 100 of %d bytes in 2 GETs: object changed while it was read (HTTP 412 PreconditionFailed): load again to read its new content", len(old))
	if !errors.Is(err, awscfg.ErrChanged) || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

// TestUnreachable: a server that goes away makes the next object fail
// after UnreachableAfter GETs that cannot connect; then the objects of the
// listing pages at hand fail at once with the same error, no other listing
// request is sent, and List returns that error, so a load can say it once.
func TestUnreachable(t *testing.T) {
	f := newFixture(t)
	// Pages of 10 keys, one listing at a time: page 2 is fetched while
	// page 1 is handed over.
	l := f.lister(t, "s3://logs/simple/", s3.Options{Backoff: time.Millisecond, PageSize: 10, ListConcurrency: 1})
	var errs []error
	read := 0
	err := l.List(context.Background(), func(o source.Object) error {
		if read == 5 && len(errs) == 0 {
			f.srv.GoAway()
		}
		if _, err := s3test.ReadAll(o.Open(context.Background())); err != nil {
			errs = append(errs, err)
			return nil // as a load does: the object failed, the load goes on
		}
		read++
		return nil
	})
	// The rest of page 1, and page 2 when it was fetched before the
	// server went away.
	if read != 5 || len(errs) != 5 && len(errs) != 15 {
		t.Fatalf("read %d objects and %d failed, want 5, then the 5 or 15 left of the pages fetched", read, len(errs))
	}
	var ue *source.UnreachableError
	if !errors.As(err, &ue) || !errors.Is(err, awscfg.ErrNetwork) {
		t.Fatalf("List: err = %v, want a *source.UnreachableError wrapping awscfg.ErrNetwork", err)
	}
	for _, e := range errs {
		if e != error(ue) {
			t.Fatalf("object error %v is not List's %v", e, err)
		}
	}
	prefix := "s3://logs/simple/: cannot reach S3 at " + f.srv.URL + ": "
	if !strings.HasPrefix(err.Error(), prefix) || !errors.Is(err, source.ErrUnreachable) {
		t.Errorf("err = %v, want ErrUnreachable starting with %s", err, prefix)
	}
	if st := l.Stats(); st.ListRequests > 2 {
		t.Errorf("%d listing requests, want at most 2: none once the endpoint is gone", st.ListRequests)
	}
}

// TestUnreachableNotWhileAnswered: an object whose GETs fail to connect
// while the server answers others is an object error; the endpoint is not
// taken for gone and the other objects are read.
func TestUnreachableNotWhileAnswered(t *testing.T) {
	f := newFixture(t)
	l := f.lister(t, "s3://logs/simple/", s3.Options{Attempts: 4, Backoff: 50 * time.Millisecond})
	_, objs, err := collect(context.Background(), l)
	must(t, err)
	bad := strings.TrimPrefix(objs[0].ID, "s3://logs/")
	f.srv.Fail("logs", bad, s3test.Fault{Drop: true})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	reads := 0
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s3test.ReadAll(objs[1].Open(context.Background())); err != nil {
				t.Errorf("other object: %v", err)
				return
			}
			reads++
		}
	}()
	_, err = s3test.ReadAll(objs[0].Open(context.Background()))
	close(stop)
	wg.Wait()
	if !errors.Is(err, awscfg.ErrNetwork) || errors.Is(err, source.ErrUnreachable) {
		t.Errorf("err = %v, want a network error of the object, not ErrUnreachable", err)
	}
	// 4 GETs of 2 attempts each, some sent again by net/http (see
	// TestBodyRetries), which retries a request dropped on a reused
	// connection on another idle one, more than once when the other
	// object's GETs keep connections idle: bounded, but not by 2.
	if g := f.srv.Gets("logs", bad); g < 8 || g > 24 {
		t.Errorf("GETs of the failing object = %d, want 8 to 24", g)
	}
	if reads == 0 {
		t.Fatal("the other object was never read")
	}
	if _, err := s3test.ReadAll(objs[2].Open(context.Background())); err != nil {
		t.Errorf("after the failing object: %v", err)
	}
}

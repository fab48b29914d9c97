package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/loader/s3"
	"github.com/s3logs/s3logs/loader/s3/s3test"
	"github.com/s3logs/s3logs/loader/source"
)

var jan = func(day, hour int) time.Time { return time.Date(2024, 1, day, hour, 0, 0, 0, time.UTC) }

// fixture is a bucket "logs" with, for January 1..30 2024:
//   - simple/: one object every 6 hours (120 objects), delivered at
//     00:00, 06:00, 12:00, 18:00;
//   - part/111111111111/{eu-west-1,us-east-1}/web/YYYY/MM/DD/: two objects a
//     day in each region (delivered 01:00 and 13:00), 120 objects.
type fixture struct {
	srv    *s3test.Server
	simple []string // keys in order
	part   []string
	bodies map[string][]byte
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{srv: s3test.Start(), bodies: map[string][]byte{}}
	t.Cleanup(f.srv.Close)
	must(t, f.srv.CreateBucket("logs"))
	n := 0
	put := func(key string, at time.Time) {
		n++
		body := s3test.LogBody(int64(n), 3, at)
		must(t, f.srv.Put("logs", key, body))
		f.bodies[key] = body
	}
	for d := 1; d <= 30; d++ {
		for h := 0; h < 24; h += 6 {
			k := s3test.SimpleKey("simple/", jan(d, h), s3test.Unique(n))
			put(k, jan(d, h))
			f.simple = append(f.simple, k)
		}
	}
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		for d := 1; d <= 30; d++ {
			for _, h := range []int{1, 13} {
				k := s3test.PartitionedKey("part/", "111111111111", region, "web", jan(d, 0), jan(d, h), s3test.Unique(n))
				put(k, jan(d, h))
				f.part = append(f.part, k)
			}
		}
	}
	f.srv.Reset()
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) lister(t *testing.T, url string, opts s3.Options) *s3.Lister {
	t.Helper()
	c, err := f.srv.Client(context.Background(), 2)
	must(t, err)
	l, err := s3.NewLister(c, url, opts)
	must(t, err)
	return l
}

// collect lists and returns the object names.
func collect(ctx context.Context, l *s3.Lister) ([]string, []source.Object, error) {
	var names []string
	var objs []source.Object
	err := l.List(ctx, func(o source.Object) error {
		names = append(names, o.Name)
		objs = append(objs, o)
		return nil
	})
	return names, objs, err
}

// urls turns keys of bucket logs into s3:// names, keeping those for
// which keep is true.
func urls(keys []string, keep func(i int, k string) bool) []string {
	var out []string
	for i, k := range keys {
		if keep(i, k) {
			out = append(out, "s3://logs/"+k)
		}
	}
	return out
}

func all(int, string) bool { return true }

func TestListLayouts(t *testing.T) {
	f := newFixture(t)
	day10to11 := func(i int, k string) bool { return strings.Contains(k, "2024-01-10-") }
	partDay := func(d string) func(int, string) bool {
		return func(_ int, k string) bool { return strings.Contains(k, "/2024/01/"+d+"/") }
	}
	tests := []struct {
		name       string
		url        string
		opts       s3.Options
		want       []string
		wantCounts s3test.Counts
	}{
		{name: "simple all", url: "s3://logs/simple/", want: urls(f.simple, all),
			wantCounts: s3test.Counts{Lists: 1, Listed: 120}},
		// Each full page hands the upper half of what is left (up to a day
		// after now) to another goroutine: twice here, each half past the
		// last key, so one empty answer each.
		{name: "simple pages", url: "s3://logs/simple/", opts: s3.Options{PageSize: 50}, want: urls(f.simple, all),
			wantCounts: s3test.Counts{Lists: 3 + 2, Listed: 120}},
		{name: "simple no slash", url: "s3://logs/simple", want: urls(f.simple, all),
			wantCounts: s3test.Counts{Lists: 2, Listed: 121}},
		// Probe (1 key), then one listing of the day's prefix
		// simple/2024-01-10: its 4 keys and no key past the window.
		{name: "simple day", url: "s3://logs/simple/", opts: s3.Options{Since: jan(10, 0), Until: jan(11, 0), Margin: -1, PageSize: 5},
			want: urls(f.simple, day10to11), wantCounts: s3test.Counts{Lists: 2, Listed: 1 + 4}},
		// The default margin of 24h lists Jan 9 00:00 to Jan 12 00:00:
		// three day prefixes, listed side by side.
		{name: "simple day margin", url: "s3://logs/simple/", opts: s3.Options{Since: jan(10, 0), Until: jan(11, 0), PageSize: 20},
			want:       urls(f.simple, func(i int, k string) bool { return i >= 8*4 && i < 11*4 }),
			wantCounts: s3test.Counts{Lists: 1 + 3, Listed: 1 + 12}},
		{name: "simple since only", url: "s3://logs/simple/", opts: s3.Options{Since: jan(29, 12), Margin: -1},
			want:       urls(f.simple, func(i int, k string) bool { return i >= 28*4+2 }),
			wantCounts: s3test.Counts{Lists: 2, Listed: 1 + 6}},
		// The first full page (Jan 1 00:00 to 12:00) splits off Jan 1
		// 18:00 to the window's end; both halves end at their first key
		// past it.
		{name: "simple until only", url: "s3://logs/simple/", opts: s3.Options{Until: jan(2, 0), Margin: -1, PageSize: 3},
			want:       urls(f.simple, func(i int, k string) bool { return i < 4 }),
			wantCounts: s3test.Counts{Lists: 3, Listed: 9}},
		// Discovery walks part/, the account folder and the two region
		// folders, then lists each source bucket flat.
		{name: "partitioned all", url: "s3://logs/part/", want: urls(f.part, all),
			wantCounts: s3test.Counts{Lists: 1 + 1 + 2 + 2, Listed: 1 + 2 + 1 + 1 + 120}},
		{name: "partitioned from root", url: "s3://logs/", want: append(urls(f.part, all), urls(f.simple, all)...),
			wantCounts: s3test.Counts{Lists: 1 + 1 + 1 + 2 + 2 + 1, Listed: 2 + 1 + 2 + 1 + 1 + 120 + 120}},
		// With a window every folder is probed first (one key each), and
		// each source bucket's day folder of the window listed: its 2
		// objects of Jan 10, no key past it.
		{name: "partitioned day", url: "s3://logs/part/", opts: s3.Options{Since: jan(10, 0), Until: jan(11, 0), Margin: -1, PageSize: 3},
			want:       append(urls(f.part[:60], partDay("10")), urls(f.part[60:], partDay("10"))...),
			wantCounts: s3test.Counts{Lists: 4*2 + 2, Listed: 4*1 + 1 + 2 + 1 + 1 + 2*2}},
		// The margin widens to Jan 9..11: three day folders of 2 objects.
		{name: "partitioned day margin", url: "s3://logs/part/111111111111/us-east-1/web/", opts: s3.Options{Since: jan(10, 5), Until: jan(10, 6)},
			want: urls(f.part[60:], func(_ int, k string) bool {
				return strings.Contains(k, "/01/09/") || strings.Contains(k, "/01/10/") || strings.Contains(k, "/01/11/")
			}),
			wantCounts: s3test.Counts{Lists: 3, Listed: 3 * 2}},
		{name: "partitioned inside day folder", url: "s3://logs/part/111111111111/eu-west-1/web/2024/01/3", want: urls(f.part[:60], func(_ int, k string) bool {
			return strings.Contains(k, "/2024/01/3")
		}), wantCounts: s3test.Counts{Lists: 1, Listed: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.srv.Reset()
			l := f.lister(t, tc.url, tc.opts)
			got, _, err := collect(context.Background(), l)
			must(t, err)
			// Folders and spans are listed side by side: any order.
			slices.Sort(got)
			slices.Sort(tc.want)
			if !slices.Equal(got, tc.want) {
				t.Errorf("objects:\n got %d %q\nwant %d %q", len(got), got, len(tc.want), tc.want)
			}
			if c := f.srv.Counts(); c != tc.wantCounts {
				t.Errorf("server counts = %+v, want %+v", c, tc.wantCounts)
			}
			if st := l.Stats(); st.ListRequests != int64(tc.wantCounts.Lists) || st.Objects != int64(len(tc.want)) {
				t.Errorf("stats = %+v, want %d requests, %d objects", st, tc.wantCounts.Lists, len(tc.want))
			}
		})
	}
}

func TestObjectFields(t *testing.T) {
	f := newFixture(t)
	gz := s3test.Gzip(f.bodies[f.simple[0]])
	must(t, f.srv.Put("logs", "gz/2024-02-01-00-00-00-ABCDEF0123456789.gz", gz))
	_, objs, err := collect(context.Background(), f.lister(t, "s3://logs/gz/", s3.Options{}))
	must(t, err)
	if len(objs) != 1 {
		t.Fatalf("got %d objects, want 1", len(objs))
	}
	o := objs[0]
	const name = "s3://logs/gz/2024-02-01-00-00-00-ABCDEF0123456789.gz"
	if o.Name != name || o.ID != name || o.Size != int64(len(gz)) || len(o.ETag) != 32 || strings.Contains(o.ETag, `"`) || o.ModTime.IsZero() {
		t.Errorf("object = %+v, want name and ID %s, size %d, a 32-hex ETag without quotes, a ModTime", o, name, len(gz))
	}
	raw, err := s3test.ReadAll(o.Open(context.Background()))
	must(t, err)
	if !bytes.Equal(raw, gz) {
		t.Errorf("Open returned %d bytes, want the %d stored", len(raw), len(gz))
	}
	rc, err := o.Open(context.Background())
	must(t, err)
	defer rc.Close()
	text, err := source.Decode(rc)
	must(t, err)
	plain, err := io.ReadAll(text)
	must(t, err)
	if !bytes.Equal(plain, f.bodies[f.simple[0]]) {
		t.Errorf("decompressed body differs from the log written")
	}
}

func TestListErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name     string
		url      string
		fault    *s3test.Fault
		wantKind error
		wantMsg  string
	}{
		{name: "missing bucket", url: "s3://nope/logs/", wantKind: awscfg.ErrNoSuchBucket,
			wantMsg: "s3://nope/logs/: bucket does not exist (HTTP 404 NoSuchBucket): check the bucket name in s3://nope/"},
		{name: "access denied", url: "s3://logs/simple/", fault: &s3test.Fault{Status: 403, Code: "AccessDenied"}, wantKind: awscfg.ErrAccessDenied,
			wantMsg: "s3://logs/simple/: access denied (HTTP 403 AccessDenied): the credentials may not list this bucket (s3:ListBucket); check --profile, or use --no-sign-request for a public bucket"},
		{name: "wrong region", url: "s3://logs/simple/", fault: &s3test.Fault{Status: 301, Code: "PermanentRedirect", Region: "eu-west-3"}, wantKind: awscfg.ErrWrongRegion,
			wantMsg: "s3://logs/simple/: bucket is in another region (HTTP 301 PermanentRedirect): the bucket is in eu-west-3; use --region eu-west-3"},
		{name: "bad credentials", url: "s3://logs/simple/", fault: &s3test.Fault{Status: 403, Code: "InvalidAccessKeyId"}, wantKind: awscfg.ErrBadCredentials,
			wantMsg: "s3://logs/simple/: credentials rejected by S3 (HTTP 403 InvalidAccessKeyId): check --profile and the keys in the environment"},
		{name: "server down", url: "s3://logs/simple/", fault: &s3test.Fault{Status: 503, Code: "SlowDown"}, wantKind: awscfg.ErrUnavailable,
			wantMsg: "s3://logs/simple/: S3 kept failing after retries (HTTP 503 SlowDown): injected by s3test"},
		{name: "empty prefix", url: "s3://logs/nothing/", wantKind: source.ErrNoLogs,
			wantMsg: "s3://logs/nothing/: no objects under this prefix: no log files found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault != nil {
				f.srv.Fail("logs", "", *tc.fault)
				defer f.srv.Clear("logs", "")
			}
			_, _, err := collect(context.Background(), f.lister(t, tc.url, s3.Options{}))
			if !errors.Is(err, tc.wantKind) {
				t.Fatalf("err = %v, want kind %v", err, tc.wantKind)
			}
			if err.Error() != tc.wantMsg {
				t.Errorf("message:\n got %s\nwant %s", err, tc.wantMsg)
			}
		})
	}
}

func TestListSwitchesRegion(t *testing.T) {
	f := newFixture(t)
	f.srv.Fail("logs", "", s3test.Fault{Status: 301, Code: "PermanentRedirect", Region: "eu-west-3", Times: 1})
	l := f.lister(t, "s3://logs/simple/", s3.Options{})
	got, objs, err := collect(context.Background(), l)
	must(t, err)
	if !slices.Equal(got, urls(f.simple, all)) {
		t.Errorf("listed %d objects, want the %d of simple/", len(got), len(f.simple))
	}
	if c := f.srv.Counts(); c.Lists != 2 {
		t.Errorf("list requests = %d, want 2 (the redirected one and its retry)", c.Lists)
	}
	if _, err := s3test.ReadAll(objs[0].Open(context.Background())); err != nil {
		t.Errorf("GET after the region switch: %v", err)
	}
}

func TestListNetworkFailure(t *testing.T) {
	srv := s3test.Start()
	c, err := srv.Client(context.Background(), 2)
	must(t, err)
	srv.Close()
	l, err := s3.NewLister(c, "s3://logs/", s3.Options{})
	must(t, err)
	_, _, err = collect(context.Background(), l)
	if !errors.Is(err, awscfg.ErrNetwork) || !strings.HasPrefix(err.Error(), "s3://logs/: cannot reach S3: dial tcp ") {
		t.Errorf("err = %v, want ErrNetwork starting with s3://logs/: cannot reach S3: dial tcp", err)
	}
}

func TestObjectFailures(t *testing.T) {
	f := newFixture(t)
	bad := map[string]s3test.Fault{
		f.simple[3]:  {Status: 500, Code: "InternalError"},
		f.simple[7]:  {Status: 403, Code: "AccessDenied"},
		f.simple[9]:  {Status: 503, Code: "SlowDown", Times: 1}, // recovers on retry
		f.simple[11]: {Status: 404, Code: "NoSuchKey"},
		f.simple[10]: {Truncate: 10},
	}
	for k, fault := range bad {
		f.srv.Fail("logs", k, fault)
	}
	_, objs, err := collect(context.Background(), f.lister(t, "s3://logs/simple/", s3.Options{Until: jan(4, 0), Margin: -1, Backoff: time.Millisecond}))
	must(t, err)
	if len(objs) != 12 {
		t.Fatalf("listed %d objects, want 12", len(objs))
	}
	wantErr := map[string]string{
		f.simple[3]:  "S3 kept failing after retries (HTTP 500 InternalError): injected by s3test",
		f.simple[7]:  "access denied (HTTP 403 AccessDenied): the credentials may not read this object (s3:GetObject)",
		f.simple[11]: "object no longer exists (HTTP 404 NoSuchKey)",
		// Cut 10 bytes into every GET: resumed where it stopped until
		// the object took its attempts.
		f.simple[10]: fmt.Sprintf("read 50 of %d bytes in 5 GETs: S3 request failed: unexpected EOF", len(f.bodies[f.simple[10]])),
	}
	reasons := map[string]int{}
	for _, o := range objs {
		key := strings.TrimPrefix(o.ID, "s3://logs/")
		got, err := s3test.ReadAll(o.Open(context.Background()))
		if want, ok := wantErr[key]; ok {
			if err == nil || err.Error() != want {
				t.Errorf("%s: err = %v, want %s", o.Name, err, want)
			}
			var se *awscfg.Error
			if !errors.As(err, &se) || se.Bucket != "logs" || se.Key != key {
				t.Errorf("%s: err %v does not name bucket and key", o.Name, err)
			}
			reasons[awscfg.Reason(err)]++
			continue
		}
		if err != nil || !bytes.Equal(got, f.bodies[key]) {
			t.Errorf("%s: err = %v, body %d bytes, want %d", o.Name, err, len(got), len(f.bodies[key]))
		}
	}
	wantReasons := map[string]int{"S3 kept failing after retries": 1, "access denied": 1, "object no longer exists": 1, "S3 request failed": 1}
	if fmt.Sprint(reasons) != fmt.Sprint(wantReasons) {
		t.Errorf("reasons = %v, want %v", reasons, wantReasons)
	}
	if g := f.srv.Gets("logs", f.simple[3]); g != 2 {
		t.Errorf("500 object: %d GETs, want 2 (retried up to MaxAttempts)", g)
	}
	if g := f.srv.Gets("logs", f.simple[7]); g != 1 {
		t.Errorf("403 object: %d GETs, want 1 (not retried)", g)
	}
}

// TestListStreams checks that objects are handed over while the listing
// is still going: memory does not hold all keys first.
func TestListStreams(t *testing.T) {
	f := newFixture(t)
	// One listing at a time: the pages of one stream, none split off.
	l := f.lister(t, "s3://logs/simple/", s3.Options{PageSize: 10, ListConcurrency: 1})
	first := -1
	err := l.List(context.Background(), func(o source.Object) error {
		if first < 0 {
			first = f.srv.Counts().Lists
		}
		return nil
	})
	must(t, err)
	if first < 1 || first > 2 {
		t.Errorf("first object handed over after %d list requests, want 1 or 2 (one page ahead)", first)
	}
	if c := f.srv.Counts().Lists; c != 12 {
		t.Errorf("list requests = %d, want 12", c)
	}
}

func TestListCancel(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	err := f.lister(t, "s3://logs/simple/", s3.Options{PageSize: 10, ListConcurrency: 1}).List(ctx, func(o source.Object) error {
		n++
		if n == 11 {
			// A slow caller on the 2nd page: the listing may fetch the
			// 3rd page meanwhile, but no further.
			time.Sleep(200 * time.Millisecond)
		}
		if n == 15 {
			cancel()
		}
		return ctx.Err()
	})
	if !errors.Is(err, context.Canceled) || n != 15 {
		t.Errorf("err = %v after %d objects, want context.Canceled after 15", err, n)
	}
	if c := f.srv.Counts().Lists; c > 3 {
		t.Errorf("%d list requests after cancel at the 2nd page, want at most 3", c)
	}
	// A body being read stops with the context.
	_, objs, err := collect(context.Background(), f.lister(t, "s3://logs/simple/", s3.Options{}))
	must(t, err)
	ctx2, cancel2 := context.WithCancel(context.Background())
	rc, err := objs[0].Open(ctx2)
	must(t, err)
	defer rc.Close()
	cancel2()
	if _, err := io.ReadAll(rc); !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: err = %v, want context.Canceled", err)
	}
}

func TestWatch(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var got []string
	now := time.Now().UTC()
	newKeys := []string{
		s3test.SimpleKey("simple/", now.Add(-2*time.Hour), "LATE000000000001"), // delivered late, within the margin
		s3test.SimpleKey("simple/", now, "NEW0000000000001"),
	}
	// The first poll lists from Jan 28 (Since Jan 29 less the 24h margin).
	want := append(urls(f.simple[27*4:], all), "s3://logs/"+newKeys[0], "s3://logs/"+newKeys[1])
	l := f.lister(t, "s3://logs/simple/", s3.Options{Watch: 20 * time.Millisecond, Since: jan(29, 0)})
	done := make(chan error)
	go func() {
		done <- l.List(ctx, func(o source.Object) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, o.Name)
			return nil
		})
	}()
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(got)
	}
	added := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		n := count()
		if n == len(want)-2 && !added {
			for i, k := range newKeys {
				must(t, f.srv.Put("logs", k, s3test.LogBody(int64(900+i), 2, now)))
			}
			added = true
		}
		if n == len(want) {
			break
		}
	}
	before := f.srv.Counts().Lists
	for deadline := time.Now().Add(10 * time.Second); f.srv.Counts().Lists < before+6 && count() <= len(want) && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond) // more polls must add nothing
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("List returned %v, want context.Canceled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, want) {
		t.Errorf("watched objects:\n got %q\nwant %q", got, want)
	}
}

// TestListParallel lists a month of simple-layout keys and the partitioned
// layout's source buckets with small pages against a server that answers
// in 5 ms: the listing fans out to several requests at once, every object
// is handed over exactly once, fn is never called twice at once, and the
// window's listing stays within the window plus margins.
func TestListParallel(t *testing.T) {
	f := newFixture(t)
	f.srv.Latency = 5 * time.Millisecond
	tests := []struct {
		name string
		url  string
		opts s3.Options
		want []string
	}{
		{"simple", "s3://logs/simple/", s3.Options{PageSize: 4}, urls(f.simple, all)},
		{"partitioned", "s3://logs/part/", s3.Options{PageSize: 4}, urls(f.part, all)},
		{"root", "s3://logs/", s3.Options{PageSize: 4}, append(urls(f.simple, all), urls(f.part, all)...)},
		{"simple window", "s3://logs/simple/", s3.Options{PageSize: 2, Since: jan(10, 0), Until: jan(20, 0), Margin: -1},
			urls(f.simple, func(i int, _ string) bool { return i >= 9*4 && i < 19*4 })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.srv.Reset()
			l := f.lister(t, tc.url, tc.opts)
			var in, most atomic.Int32
			var got []string
			err := l.List(context.Background(), func(o source.Object) error {
				n := in.Add(1)
				defer in.Add(-1)
				if n > most.Load() {
					most.Store(n)
				}
				got = append(got, o.Name)
				time.Sleep(50 * time.Microsecond)
				return nil
			})
			must(t, err)
			slices.Sort(got)
			slices.Sort(tc.want)
			if !slices.Equal(got, tc.want) {
				t.Errorf("objects:\n got %d %q\nwant %d %q", len(got), got, len(tc.want), tc.want)
			}
			if most.Load() != 1 {
				t.Errorf("fn ran %d at once, want 1", most.Load())
			}
			if m := f.srv.MaxListsInFlight(); m < 3 {
				t.Errorf("at most %d list requests at once, want the listing spread over several goroutines", m)
			}
			c := f.srv.Counts()
			// Every key listed at most once, but for the one key past each
			// span's end that tells it to stop.
			if c.Listed > len(tc.want)+c.Lists+8 {
				t.Errorf("%d keys listed in %d requests for %d objects", c.Listed, c.Lists, len(tc.want))
			}
			t.Logf("%d objects, %d list requests, %d keys listed, %d at once", len(got), c.Lists, c.Listed, f.srv.MaxListsInFlight())
		})
	}
}

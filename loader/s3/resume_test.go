package s3_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3logs/s3logs/loader/s3"
	"github.com/s3logs/s3logs/loader/s3/s3test"
	"github.com/s3logs/s3logs/loader/source"
)

// memLog is a source.ListLog in memory, with a manifest: the objects the
// test says are loaded.
type memLog struct {
	mu     sync.Mutex
	days   map[string]source.ListedDay // by prefix
	loaded map[string]bool             // object names
}

func newMemLog() *memLog {
	return &memLog{days: map[string]source.ListedDay{}, loaded: map[string]bool{}}
}

func (m *memLog) Done(ctx context.Context, bucket, base string) ([]source.ListedDay, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []source.ListedDay
	for _, d := range m.days {
		if d.Bucket != bucket || d.Base != base || !d.Settled() {
			continue
		}
		n := int64(0)
		for name := range m.loaded {
			if strings.HasPrefix(name, "s3://"+bucket+"/"+d.Prefix) {
				n++
			}
		}
		if n >= d.Objects {
			out = append(out, d)
		}
	}
	return out, nil
}

func (m *memLog) Listed(ctx context.Context, days []source.ListedDay) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range days {
		m.days[d.Prefix] = d
	}
	return nil
}

func (m *memLog) load(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loaded[name] = true
}

func (m *memLog) prefixes() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for p, d := range m.days {
		out = append(out, p+":"+itoa(d.Objects))
	}
	slices.Sort(out)
	return out
}

func itoa(n int64) string {
	return strings.TrimSpace(strings.Replace(time.Duration(n).String(), "ns", "", 1))
}

// listLoad lists l as a load would: objects already loaded are skipped,
// the others handed to fn and, when fn returns nil, loaded.
func listLoad(ctx context.Context, l *s3.Lister, m *memLog, fn func(source.Object) error) (listed []string, err error) {
	err = l.List(ctx, func(o source.Object) error {
		listed = append(listed, o.Name)
		m.mu.Lock()
		done := m.loaded[o.Name]
		m.mu.Unlock()
		if done {
			return nil
		}
		if err := fn(o); err != nil {
			return err
		}
		m.load(o.Name)
		return nil
	})
	return listed, err
}

// TestResumeRecordsDays: a listing records every day it lists whole, with
// its objects, in both layouts, also with small pages split among several
// goroutines; a listing that lists everything again finds the same.
func TestResumeRecordsDays(t *testing.T) {
	f := newFixture(t)
	var want []string
	for d := 1; d <= 30; d++ {
		day := jan(d, 0)
		want = append(want, "simple/"+day.Format("2006-01-02")+":4")
		for _, region := range []string{"eu-west-1", "us-east-1"} {
			want = append(want, "part/111111111111/"+region+"/web/"+day.Format("2006/01/02")+"/:2")
		}
	}
	slices.Sort(want)
	for _, opts := range []s3.Options{{}, {PageSize: 3, ListConcurrency: 8}} {
		m := newMemLog()
		opts.Resume = m
		if _, err := listLoad(context.Background(), f.lister(t, "s3://logs/", opts), m, func(source.Object) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if got := m.prefixes(); !slices.Equal(got, want) {
			t.Errorf("page size %d: days recorded:\n got %q\nwant %q", opts.PageSize, got, want)
		}
		for _, d := range m.days {
			if !d.Settled() || d.Bucket != "logs" || !strings.HasPrefix(d.Prefix, d.Base) || d.Day.Hour() != 0 {
				t.Errorf("record %+v", d)
			}
		}
	}
}

// TestResumeInterrupted: a load that stops halfway (its fn fails), listed
// again, lists none of the days whose objects were all loaded, and hands
// over exactly the objects that were not loaded; a third listing lists no
// day at all, and with Relist every object again.
func TestResumeInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		keys      func(f *fixture) []string
		lists     int // requests of a listing with every day done
	}{
		// The folder's key space before the first day (one key asked)
		// and after the last.
		{"simple", "s3://logs/simple/", func(f *fixture) []string { return f.simple }, 2},
		// part/, 111111111111/, its two regions, and for each source
		// bucket web/ the same two requests.
		{"partitioned", "s3://logs/part/", func(f *fixture) []string { return f.part }, 4 + 2*2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			all := urls(tc.keys(f), func(int, string) bool { return true })
			m := newMemLog()
			opts := s3.Options{Resume: m, PageSize: 5, ListConcurrency: 4}
			stop := errors.New("interrupted")
			n := 0
			_, err := listLoad(context.Background(), f.lister(t, tc.url, opts), m, func(source.Object) error {
				if n++; n > len(all)/2 {
					return stop
				}
				return nil
			})
			if !errors.Is(err, stop) {
				t.Fatalf("first listing: %v, want the interruption", err)
			}
			loaded := len(m.loaded)
			f.srv.Reset()
			var fetched []string
			l := f.lister(t, tc.url, opts)
			listed, err := listLoad(context.Background(), l, m, func(o source.Object) error {
				fetched = append(fetched, o.Name)
				return nil
			})
			must(t, err)
			slices.Sort(fetched)
			var missing []string
			for _, u := range all {
				if !slices.Contains(fetched, u) && !m.loaded[u] {
					missing = append(missing, u)
				}
			}
			if len(fetched)+loaded != len(all) || len(missing) > 0 || len(m.loaded) != len(all) {
				t.Errorf("resumed: %d fetched after %d loaded, %d objects; not loaded: %q", len(fetched), loaded, len(all), missing)
			}
			c, st := f.srv.Counts(), l.Stats()
			if st.DaysResumed == 0 || c.Listed >= len(all) || len(listed) >= len(all) {
				t.Errorf("resumed listing: %d days not listed, %d keys listed by the server, %d objects listed, of %d", st.DaysResumed, c.Listed, len(listed), len(all))
			}
			if int(st.ObjectsResumed)+len(listed) < len(all) {
				t.Errorf("%d objects in days not listed + %d listed < %d", st.ObjectsResumed, len(listed), len(all))
			}
			t.Logf("interrupted after %d of %d objects; resumed: %d list requests, %d keys listed, %d days (%d objects) not listed",
				loaded, len(all), c.Lists, c.Listed, st.DaysResumed, st.ObjectsResumed)

			// Everything is loaded: no day is listed again (the server
			// lists the folders, and a key past the last done day).
			f.srv.Reset()
			l = f.lister(t, tc.url, opts)
			listed, err = listLoad(context.Background(), l, m, func(o source.Object) error {
				t.Errorf("%s handed over again", o.Name)
				return nil
			})
			must(t, err)
			if c := f.srv.Counts(); len(listed) != 0 || c.Listed > 8 || c.Lists != tc.lists || l.Stats().ObjectsResumed != int64(len(all)) {
				t.Errorf("third listing: %d objects, %d keys listed by the server in %d requests, %d objects resumed; want none listed in %d requests, %d resumed",
					len(listed), c.Listed, c.Lists, l.Stats().ObjectsResumed, tc.lists, len(all))
			}

			// Relist lists every object again.
			opts.Relist = true
			listed, err = listLoad(context.Background(), f.lister(t, tc.url, opts), m, func(source.Object) error { return nil })
			must(t, err)
			if len(listed) != len(all) {
				t.Errorf("relist: %d objects listed, want %d", len(listed), len(all))
			}
		})
	}
}

// TestResumeUnsettled: days listed less than source.SettleTime after
// their end, and days with objects not loaded, are listed again; so are
// days cut by a time window, which are not recorded.
func TestResumeUnsettled(t *testing.T) {
	f := newFixture(t)
	now := time.Now().UTC()
	recent := []string{
		s3test.SimpleKey("simple/", now.Add(-50*time.Hour), "RECENT0000000001"),
		s3test.SimpleKey("simple/", now.Add(-2*time.Hour), "RECENT0000000002"),
	}
	for i, k := range recent {
		must(t, f.srv.Put("logs", k, s3test.LogBody(int64(800+i), 2, now)))
	}
	m := newMemLog()
	opts := s3.Options{Resume: m}
	if _, err := listLoad(context.Background(), f.lister(t, "s3://logs/simple/", opts), m, func(source.Object) error { return nil }); err != nil {
		t.Fatal(err)
	}
	// One object of Jan 10 is not loaded (it failed, say).
	delete(m.loaded, "s3://logs/"+f.simple[9*4+1])
	f.srv.Reset()
	l := f.lister(t, "s3://logs/simple/", opts)
	listed, err := listLoad(context.Background(), l, m, func(source.Object) error { return nil })
	must(t, err)
	want := append(urls(f.simple[9*4:10*4], all), "s3://logs/"+recent[0], "s3://logs/"+recent[1])
	slices.Sort(listed)
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Errorf("listed again:\n got %q\nwant %q (Jan 10 and the unsettled days)", listed, want)
	}
	// The 29 days of January but the 10th, and the empty days between
	// January 2024 and the recent keys (at most a year of them).
	if st := l.Stats(); st.ObjectsResumed != 29*4 || st.DaysResumed != 29+366 {
		t.Errorf("%d days (%d objects) not listed, want %d (%d)", st.DaysResumed, st.ObjectsResumed, 29+366, 29*4)
	}

	// A window cuts Jan 5 (from 12:00) and Jan 8 (to 12:00): neither is
	// recorded, the days between are.
	m = newMemLog()
	opts = s3.Options{Resume: m, Since: jan(5, 12), Until: jan(8, 12), Margin: -1}
	if _, err := listLoad(context.Background(), f.lister(t, "s3://logs/simple/", opts), m, func(source.Object) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if got, want := m.prefixes(), []string{"simple/2024-01-06:4", "simple/2024-01-07:4"}; !slices.Equal(got, want) {
		t.Errorf("window: days recorded %q, want %q", got, want)
	}
	// The same window again lists only the cut days.
	f.srv.Reset()
	listed, err = listLoad(context.Background(), f.lister(t, "s3://logs/simple/", opts), m, func(source.Object) error { return nil })
	must(t, err)
	slices.Sort(listed)
	if want := urls(f.simple, func(i int, _ string) bool { return i == 4*4+2 || i == 4*4+3 || i == 7*4+0 || i == 7*4+1 }); !slices.Equal(listed, want) {
		t.Errorf("window again: listed %q, want %q", listed, want)
	}
}

// TestResumeWatch: watch mode neither records nor skips days.
func TestResumeWatch(t *testing.T) {
	f := newFixture(t)
	m := newMemLog()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := f.lister(t, "s3://logs/simple/", s3.Options{Resume: m, Watch: time.Hour}).List(ctx, func(source.Object) error {
		if n++; n == len(f.simple) {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || len(m.days) != 0 {
		t.Errorf("watch: %v, %d days recorded; want cancelled, none", err, len(m.days))
	}
}

// TestResumeWindow: a window over days all done lists none of them, and
// counts as not listed only the days in its listing, not the others done.
func TestResumeWindow(t *testing.T) {
	f := newFixture(t)
	m := newMemLog()
	if _, err := listLoad(context.Background(), f.lister(t, "s3://logs/", s3.Options{Resume: m}), m, func(source.Object) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		opts          s3.Options
		days, objects int64
	}{
		{"one day", s3.Options{Since: jan(10, 0), Until: jan(11, 0), Margin: -1}, 1 + 2, 4 + 4},
		{"40 days", s3.Options{Since: jan(10, 0), Until: jan(10, 0).AddDate(0, 0, 40), Margin: -1}, 21 * 3, 21 * 8},
	} {
		f.srv.Reset()
		tc.opts.Resume = m
		l := f.lister(t, "s3://logs/", tc.opts)
		listed, err := listLoad(context.Background(), l, m, func(o source.Object) error {
			t.Errorf("%s: %s handed over again", tc.name, o.Name)
			return nil
		})
		must(t, err)
		if st := l.Stats(); len(listed) != 0 || st.DaysResumed != tc.days || st.ObjectsResumed != tc.objects {
			t.Errorf("%s: %d listed, %d days (%d objects) not listed; want 0, %d (%d)", tc.name, len(listed), st.DaysResumed, st.ObjectsResumed, tc.days, tc.objects)
		}
	}
}

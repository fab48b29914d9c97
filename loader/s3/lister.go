// Package s3 lists AWS S3 server access log objects in an S3 bucket as
// source.Objects, for the load pipeline to fetch, parse and insert.
//
// Both key layouts AWS writes are understood (FORMAT.md, "Log objects in
// S3"):
//
//	simple:      logs/2024-01-02-10-15-00-0A1B2C3D4E5F6A7B
//	partitioned: logs/123456789012/us-east-1/my-bucket/2024/01/02/2024-01-02-10-15-00-0A1B2C3D4E5F6A7B
//
// The layout is detected per folder: the lister walks the prefix with
// Delimiter "/", and a folder whose keys are simple log names is listed as
// one time-ordered stream, while a folder named like
// Account/Region/Bucket/ is listed flat as the day-ordered stream of one
// source bucket. A time window (Options.Since, Until) narrows those
// listings themselves: a window of up to a month (with its margins) is
// listed as one prefix a day (PREFIX/YYYY-mm-DD, or the day folder), side
// by side, and a longer one from StartAfter the first key time in the
// window to an early stop at the first key past it; so a one-day load of a
// year-old bucket lists three days of keys, not the year.
//
// Listings run side by side, Options.ListConcurrency at once: the
// folders found (accounts, regions, source buckets under AWSLogs/), and
// spans of each folder's or source bucket's key space. Log keys sort by
// time, so a listing whose pages come back full hands the upper half of
// what is left of it (cut at a midnight, or an hour within a day of a
// window) to an idle goroutine (see span): a month of keys is listed by
// several requests at once without knowing the keys first, and a window
// lists only its span.
//
// A listing is resumable (Options.Resume, see resume.go): the days it
// lists whole are recorded, and a later listing lists around those that
// cannot change anymore and whose objects are all loaded.
//
// Listing pages are streamed: each object is handed to the caller as soon
// as its page arrives (each listing fetches one page ahead), so memory does
// not grow with the number of objects. Objects come in key order within a
// span, not across spans; the caller's function is called one object at a
// time. Object.Open is a GetObject whose body is
// streamed to the parser, with no temporary file; the concurrency of the
// GETs is that of the pipeline's workers (DefaultConcurrency for S3).
//
// A GET that fails to connect is sent again, and a body cut in the middle
// is resumed from where it stopped with a ranged GET of the same ETag, with
// backoff, before the object is an error (see body). When the endpoint
// stops answering altogether (UnreachableAfter GETs in a row fail to
// connect) the objects not read yet fail at once with one
// *source.UnreachableError and the listing stops, so that a load can say
// so once instead of once per object.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/loader/source"
)

// DefaultConcurrency is the number of objects the load pipeline should
// fetch and parse at once from S3 unless told otherwise. S3 objects are small and a GET costs tens of
// milliseconds of latency, so many more fetches than cores are in flight.
const DefaultConcurrency = 32

// DefaultListConcurrency is how many listing requests a Lister keeps in
// flight at once unless told otherwise: enough to list a thousand keys in
// well under the time the pipeline takes to fetch them.
const DefaultListConcurrency = 8

// maxDepth bounds how many folder levels the layout discovery descends.
const maxDepth = 8

// Options narrow and shape a listing. The zero value lists everything once.
type Options struct {
	// Since and Until bound the event times wanted, [Since, Until); zero
	// means unbounded. They narrow the listing (widened by Margin); the
	// rows themselves are filtered by the parser (loader.Options.Since,
	// Until), which the caller gives the same window.
	Since, Until time.Time
	// Margin widens the listing window on both sides, for records delivered
	// late and objects that span midnight; 0 means DefaultMargin, a
	// negative value means none.
	Margin time.Duration
	// Watch, when positive, makes List keep polling every Watch for objects
	// that were not there before, until its context is done (see the
	// function Watch to poll several prefixes).
	Watch time.Duration
	// PageSize is MaxKeys of each listing request; 0 means S3's 1000.
	PageSize int32
	// ListConcurrency is how many listing requests are in flight at once
	// (folders, source buckets and spans of key time listed side by side);
	// 0 means DefaultListConcurrency.
	ListConcurrency int
	// Warn, when set, is told about a failed poll in watch mode; the next
	// poll tries again. Without it such a failure ends List.
	Warn func(error)
	// Attempts is how many GETs an object may take (a GET that fails to
	// connect is sent again, a body cut short is resumed where it
	// stopped) before it is an error; 0 means DefaultAttempts.
	Attempts int
	// Backoff is the wait before an object's second GET, doubled for each
	// further one; 0 means DefaultBackoff.
	Backoff time.Duration
	// Stall is how long a body may send nothing before it is taken for
	// cut (and resumed, see body); 0 means DefaultStall.
	Stall time.Duration
	// Resume, when set, records the days List lists whole, and List does
	// not list again the days it says are done (see "Resuming a listing"
	// in resume.go). Not used with Watch.
	Resume source.ListLog
	// Relist lists every day again, done or not (it is still recorded).
	Relist bool
}

// Lister lists the log objects under one s3://bucket/prefix. It implements
// source.Lister. It is safe to call List again (to reload the same prefix);
// one List must not run concurrently with another on the same Lister.
type Lister struct {
	client atomic.Pointer[awss3.Client] // replaced once if the bucket is in another region
	url    string
	bucket string
	prefix string
	opts   Options
	stats  counters
	health *health // of the endpoint, from the GETs of the objects listed
}

// Stats are the running totals of a Lister's requests, for tests,
// benchmarks and progress output.
type Stats struct {
	ListRequests int64 // ListObjectsV2 requests sent
	KeysSeen     int64 // keys and common prefixes those requests returned
	Objects      int64 // objects handed to List's fn
	OutOfWindow  int64 // keys seen but outside the widened window
	// DaysResumed are the days not listed because Options.Resume said
	// they were done, and ObjectsResumed the objects recorded in them.
	DaysResumed, ObjectsResumed int64
}

type counters struct {
	listRequests, keysSeen, objects, outOfWindow atomic.Int64
	daysResumed, objectsResumed                  atomic.Int64
}

// NewLister returns the Lister of url (s3://bucket/prefix) that lists and
// fetches with client. It checks the URL but sends no request.
func NewLister(client *awss3.Client, url string, opts Options) (*Lister, error) {
	bucket, prefix, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	if client == nil {
		return nil, errors.New("s3: NewLister needs a client")
	}
	if !opts.Since.IsZero() && !opts.Until.IsZero() && !opts.Since.Before(opts.Until) {
		return nil, fmt.Errorf("%s: empty time window: since %s is not before until %s", url,
			opts.Since.UTC().Format(time.RFC3339), opts.Until.UTC().Format(time.RFC3339))
	}
	if opts.ListConcurrency <= 0 {
		opts.ListConcurrency = DefaultListConcurrency
	}
	if opts.Attempts <= 0 {
		opts.Attempts = DefaultAttempts
	}
	if opts.Backoff <= 0 {
		opts.Backoff = DefaultBackoff
	}
	if opts.Stall <= 0 {
		opts.Stall = DefaultStall
	}
	switch {
	case opts.Margin == 0:
		opts.Margin = DefaultMargin
	case opts.Margin < 0:
		opts.Margin = 0
	}
	l := &Lister{url: url, bucket: bucket, prefix: prefix, opts: opts, health: newHealth()}
	l.client.Store(client)
	return l, nil
}

// URL returns the s3://bucket/prefix listed.
func (l *Lister) URL() string { return l.url }

// Stats returns the totals so far.
func (l *Lister) Stats() Stats {
	return Stats{
		ListRequests: l.stats.listRequests.Load(),
		KeysSeen:     l.stats.keysSeen.Load(),
		Objects:      l.stats.objects.Load(),
		OutOfWindow:  l.stats.outOfWindow.Load(),

		DaysResumed:    l.stats.daysResumed.Load(),
		ObjectsResumed: l.stats.objectsResumed.Load(),
	}
}

// List calls fn for each log object under the prefix, one at a time,
// streaming the listing (several listings at once, see the package doc). A failed listing (missing bucket, access denied,
// wrong region, network failure) returns one *awscfg.Error wrapped with the URL.
// Once the GETs of its objects have taken the endpoint for gone (see
// UnreachableAfter), List sends no more listing requests: it hands over
// the objects of the pages it holds (whose Open fails at once, without a
// request) and returns the *source.UnreachableError, if it had more to
// list.
// A prefix without any object returns an error wrapping source.ErrNoLogs
// (not when a window or Watch is set: a window may be empty). With
// Options.Watch, List polls until ctx is done and then returns ctx.Err()
// (see Watch).
func (l *Lister) List(ctx context.Context, fn func(source.Object) error) error {
	if l.opts.Watch > 0 {
		return Watch(ctx, []*Lister{l}, l.opts.Watch, fn)
	}
	p := l.newPass(fn, false)
	if err := p.run(ctx); err != nil {
		if d := l.health.gone(); d != nil && errors.Is(err, awscfg.ErrNetwork) {
			return d // the listing failed the way the GETs did
		}
		return err
	}
	if p.keys == 0 && p.resumed == 0 && p.w.since.IsZero() && p.w.until.IsZero() {
		return fmt.Errorf("%s: no objects under this prefix: %w", l.url, source.ErrNoLogs)
	}
	return nil
}

// Watch lists each of ls once, in order, and then every interval lists
// them again for what is new, calling fn only for objects it has not been
// called with before (a new key, or a new ETag), until ctx is done; it then
// returns ctx.Err(). A later poll lists only from the start of the previous
// one less the margin (the simple layout's delivery times, or the current
// day folders of the partitioned one), so polling a large bucket stays
// cheap. A failed first listing ends Watch; a later poll that fails with
// awscfg.ErrUnavailable or awscfg.ErrNetwork is reported to Options.Warn of its Lister
// (when set) and tried again at the next interval, as is one whose GETs
// took the endpoint for gone (each poll starts without that verdict).
func Watch(ctx context.Context, ls []*Lister, interval time.Duration, fn func(source.Object) error) error {
	passes := make([]*pass, len(ls))
	for i, l := range ls {
		passes[i] = l.newPass(fn, true)
	}
	for n := 0; ; n++ {
		start := time.Now().UTC()
		for _, p := range passes {
			if n > 0 {
				p.l.health.reset()
			}
			err := p.run(ctx)
			switch {
			case err == nil:
			case n > 0 && p.l.opts.Warn != nil && ctx.Err() == nil && (errors.Is(err, awscfg.ErrUnavailable) || errors.Is(err, awscfg.ErrNetwork) || errors.Is(err, source.ErrUnreachable)):
				p.l.opts.Warn(err)
			default:
				return err
			}
			p.nextPoll(start)
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// newPass returns the listing state of l; watch keeps track of what was
// handed to fn across polls.
func (l *Lister) newPass(fn func(source.Object) error, watch bool) *pass {
	p := &pass{l: l, fn: fn, w: window{since: l.opts.Since, until: l.opts.Until, margin: l.opts.Margin}}
	if watch {
		p.seen = map[string]seenKey{}
	}
	return p
}

// pass is the state of one List call across its polls.
type pass struct {
	l   *Lister
	fn  func(source.Object) error
	w   window
	q   *queue    // the listings of the running poll
	rec *recorder // the days listed whole in the running poll

	mu      sync.Mutex         // held while fn runs: one call at a time
	keys    int64              // object keys seen in this poll
	resumed int64              // days not listed as Resume said they were done
	seen    map[string]seenKey // watch mode: objects already handed to fn, by key
}

// seenKey is an object handed to fn in watch mode.
type seenKey struct {
	etag string
	t    time.Time // key time; zero for keys of unknown layout
}

// nextPoll narrows the window of the next watch poll to what can be new
// since the poll that started at start, and forgets keys older than that.
func (p *pass) nextPoll(start time.Time) {
	if p.w.since.Before(start) {
		p.w.since = start
	}
	old := p.w.lo().Add(-48 * time.Hour)
	for k, s := range p.seen {
		if !s.t.IsZero() && s.t.Before(old) {
			delete(p.seen, k)
		}
	}
}

// run lists the prefix once: its folders and spans of key space are listed
// by Options.ListConcurrency goroutines at once (see span).
func (p *pass) run(ctx context.Context) error {
	p.keys, p.resumed = 0, 0
	p.rec = &recorder{l: p.l}
	p.q = newQueue(ctx, p.l.opts.ListConcurrency)
	if m := sourcePrefix.FindStringSubmatch(p.l.prefix); m != nil {
		base, prefix := m[1], p.l.prefix
		p.q.add(func(ctx context.Context) error { return p.source(ctx, base, prefix) })
	} else {
		prefix := p.l.prefix
		p.q.add(func(ctx context.Context) error { return p.walk(ctx, prefix, 0) })
	}
	err := p.q.wait()
	if ferr := p.rec.flush(ctx); err == nil {
		err = ferr
	}
	return err
}

// walk lists folder with Delimiter "/": its objects are visited, its
// subfolders walked, and a subfolder that is the prefix of a source bucket
// in the partitioned layout is listed as one day-ordered stream. When the
// window has a start, a one-key probe first tells whether the folder holds
// simple-layout objects, which are then listed from the window's first key.
func (p *pass) walk(ctx context.Context, folder string, depth int) error {
	s := &span{prefix: folder, delim: true, depth: depth}
	base := ""
	if lo := p.w.lo(); !lo.IsZero() {
		b, err := p.probe(ctx, folder)
		if err != nil {
			return err
		}
		if base = b; base != "" {
			s.after = max(base+lo.Format(keyFormat), folder)
			s.learn(keyInfo{layout: simple, base: base}, p.w)
		}
	}
	var done doneDays
	if base == "" || base == folder {
		// Days are recorded only for simple-layout keys right in a folder.
		var err error
		if done, err = p.done(ctx, simple, folder); err != nil {
			return err
		}
		if len(done) > 0 && base == "" {
			base = folder
			s.learn(keyInfo{layout: simple, base: base}, p.w)
		}
	}
	if base != "" && p.byDay(s, base, "2006-01-02", done) {
		return nil
	}
	pieces, cut := s.cut(done)
	p.listSpans(pieces, done, cut)
	return nil
}

// source lists the objects of one source bucket in the partitioned layout
// (base is DestinationPrefix/Account/Region/Bucket/) flat under prefix,
// from the first day folder of the window to the last.
func (p *pass) source(ctx context.Context, base, prefix string) error {
	s := &span{prefix: prefix}
	if lo := p.w.lo(); !lo.IsZero() {
		if after := base + lo.Format(dayFormat); after > prefix {
			s.after = after
		}
	}
	s.learn(keyInfo{layout: partitioned, base: base}, p.w)
	if prefix != base {
		return p.listSpan(ctx, s)
	}
	done, err := p.done(ctx, partitioned, base)
	if err != nil {
		return err
	}
	if p.byDay(s, base, dayFormat+"/", done) {
		return nil
	}
	pieces, cut := s.cut(done)
	p.listSpans(pieces, done, cut)
	return nil
}

// listSpans queues the listing of spans, the pieces of a span cut around
// the days done (counted as skipped).
func (p *pass) listSpans(spans []*span, done doneDays, cut []time.Time) {
	p.skipped(done, cut)
	for _, s := range spans {
		p.q.add(func(ctx context.Context) error { return p.listSpan(ctx, s) })
	}
}

// done returns the days of base (in layout k) that Options.Resume says
// need no listing, with their recorded objects; none in watch mode or
// with Options.Relist.
func (p *pass) done(ctx context.Context, k layout, base string) (doneDays, error) {
	r := p.l.opts.Resume
	if r == nil || p.l.opts.Relist || p.seen != nil {
		return nil, nil
	}
	days, err := r.Done(ctx, p.l.bucket, base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.l.url, err)
	}
	out := doneDays{}
	for _, d := range days {
		if d.Bucket != p.l.bucket || d.Base != base || d.Prefix != dayPrefix(k, base, d.Day) || !d.Settled() {
			continue // not a day of this base: a record of another layout
		}
		out[d.Day.UTC()] = d.Objects
	}
	return out, nil
}

// skipped counts the days of done not listed in the stats.
func (p *pass) skipped(done doneDays, days []time.Time) {
	for _, d := range days {
		p.l.stats.daysResumed.Add(1)
		p.l.stats.objectsResumed.Add(done[d])
	}
	p.mu.Lock()
	p.resumed += int64(len(days))
	p.mu.Unlock()
}

// maxDayListings bounds the days of a window listed one prefix a day.
const maxDayListings = 31

// byDay queues the listing of s, a window's span of a folder or source
// bucket whose keys start with base and then the day (in format), as one
// listing per day under the day's prefix: each lists exactly its keys,
// none past the window's end, and they run side by side; the days done
// (Options.Resume) are not listed. It reports false, queuing nothing, when the window is open or longer than
// maxDayListings days. (Keys of the span that do not start with a day, and
// so cannot be logs, are not listed.)
func (p *pass) byDay(s *span, base, format string, done doneDays) bool {
	lo, hi := p.w.lo(), p.w.hi()
	if lo.IsZero() || hi.IsZero() || hi.Sub(lo) > maxDayListings*24*time.Hour {
		return false
	}
	for d := lo.Truncate(24 * time.Hour); d.Before(hi); d = d.Add(24 * time.Hour) {
		if _, ok := done[d]; ok {
			p.skipped(done, []time.Time{d})
			continue
		}
		day := *s
		day.prefix = base + d.Format(format)
		if day.after <= day.prefix {
			day.after = ""
		}
		p.q.add(func(ctx context.Context) error { return p.listSpan(ctx, &day) })
	}
	return true
}

// listSpan lists the keys of s, visiting its objects and walking the
// folders in it. While its pages come back full, it hands the upper half of
// what is left of it to another goroutine (split).
func (p *pass) listSpan(ctx context.Context, s *span) error {
	in := &awss3.ListObjectsV2Input{Bucket: &p.l.bucket, Prefix: aws.String(s.prefix)}
	if s.delim {
		in.Delimiter = aws.String("/")
	}
	if s.after > s.prefix {
		in.StartAfter = aws.String(s.after)
	}
	if s.probe {
		in.MaxKeys = aws.Int32(1)
	}
	var days *dayTracker
	if p.l.opts.Resume != nil && p.seen == nil {
		days = &dayTracker{p: p, after: s.after}
	}
	lastCP := ""
	err := p.l.pages(ctx, in, func(out *awss3.ListObjectsV2Output) bool {
		last := s.trim(out, p.w)
		if !last && aws.ToBool(out.IsTruncated) {
			p.split(s, out)
		}
		return last
	}, func(pg page) (bool, error) {
		for _, o := range pg.objects {
			info := parseKey(o.key)
			if err := days.next(ctx, info); err != nil {
				return false, err
			}
			handed, err := p.visit(o, info)
			if err != nil {
				return false, err
			}
			days.count(info, handed)
		}
		for _, sub := range pg.prefixes {
			if sub <= lastCP || s.depth >= maxDepth {
				continue // some servers repeat a common prefix across pages
			}
			lastCP = sub
			p.descend(sub, s.depth+1)
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	// The listing is over (pages returns once its trims are done): the
	// last day is whole when the span reached past it.
	return days.end(ctx, s)
}

// split hands the upper half of what is left of s after the page out to
// another goroutine, when one is idle, s's layout is known and the
// half is at least an hour (a day in the partitioned layout).
func (p *pass) split(s *span, out *awss3.ListObjectsV2Output) {
	if s.kind == unknown || len(out.Contents) == 0 || !p.q.idle() {
		return
	}
	info := parseKey(aws.ToString(out.Contents[len(out.Contents)-1].Key))
	if info.layout != s.kind || info.base != s.base {
		return
	}
	if up := s.split(info.t, time.Now().UTC()); up != nil {
		p.q.add(func(ctx context.Context) error { return p.listSpan(ctx, up) })
	}
}

// descend queues the listing of a subfolder: as one source bucket when it
// is the prefix of one in the partitioned layout, else as a walk.
func (p *pass) descend(sub string, depth int) {
	if m := sourcePrefix.FindStringSubmatch(sub); m != nil && m[1] == sub {
		p.q.add(func(ctx context.Context) error { return p.source(ctx, sub, sub) })
		return
	}
	p.q.add(func(ctx context.Context) error { return p.walk(ctx, sub, depth) })
}

// probe lists the first key of folder and returns the DestinationPrefix
// when it is a simple-layout log object, else "". A folder marker (the key
// folder itself) is passed over.
func (p *pass) probe(ctx context.Context, folder string) (string, error) {
	in := &awss3.ListObjectsV2Input{Bucket: &p.l.bucket, Prefix: &folder, Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)}
	if folder != "" {
		in.StartAfter = &folder
	}
	out, err := p.l.list(ctx, in)
	if err != nil || len(out.Contents) == 0 {
		return "", err
	}
	if info := parseKey(aws.ToString(out.Contents[0].Key)); info.layout == simple {
		return info.base, nil
	}
	return "", nil
}

// visit hands one listed object to fn unless it is a folder marker, out of
// the window, or (watch mode) already handed over, and reports whether it
// did. Listings run at once call it; it calls fn one object at a time
// (also once the endpoint is taken for gone: each object then fails at
// once, and is counted).
func (p *pass) visit(o listed, info keyInfo) (bool, error) {
	key := o.key
	if strings.HasSuffix(key, "/") {
		return false, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys++
	if info.layout != unknown && !p.w.keep(info.t, info.layout == partitioned) {
		p.l.stats.outOfWindow.Add(1)
		return false, nil
	}
	etag := o.etag
	if p.seen != nil {
		if s, ok := p.seen[key]; ok && s.etag == etag {
			return false, nil
		}
		p.seen[key] = seenKey{etag: etag, t: info.t}
	}
	p.l.stats.objects.Add(1)
	return true, p.fn(p.l.object(key, etag, o.size, o.mod))
}

// object describes one S3 object; Open fetches it.
func (l *Lister) object(key, etag string, size int64, mod time.Time) source.Object {
	name := objectURL(l.bucket, key)
	return source.Object{
		Name:    name,
		ID:      name,
		Size:    size,
		ModTime: mod.UTC(),
		ETag:    etag,
		Open: func(ctx context.Context) (io.ReadCloser, error) {
			return l.open(ctx, key)
		},
	}
}

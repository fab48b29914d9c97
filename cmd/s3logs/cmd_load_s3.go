package main

// S3 sources of load: the flags that say how to reach S3 and how to read
// a bucket, and the listers (loader/s3) of the s3://bucket/prefix
// arguments of one load.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/loader/ingest"
	"github.com/s3logs/s3logs/loader/s3"
	"github.com/s3logs/s3logs/loader/source"
)

// s3Flags are load's flags for s3:// sources.
type s3Flags struct {
	aws    *awscfg.Options
	watch  time.Duration
	relist bool
}

// defineS3Flags defines load's S3 flags on fs: the AWS flags, --watch, and
// --concurrency, another name for --workers that sets *workers.
func defineS3Flags(fs *flag.FlagSet, workers *int) *s3Flags {
	f := &s3Flags{aws: awsFlags(fs)}
	fs.Func("concurrency", "s3:// objects fetched and parsed at once, `N` (same as --workers; default 32 for s3:// sources)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("want a number of at least 1, not %q", v)
		}
		*workers = n
		return nil
	})
	fs.BoolVar(&f.relist, "relist", false, "list every day of the s3:// sources again, even those an earlier load listed whole (days listed two days after their end whose objects are all loaded are otherwise not listed again)")
	fs.DurationVar(&f.watch, "watch", 0, "keep polling the s3:// sources every `INTERVAL` (30s, 5m) and load new objects as they arrive, until Ctrl-C")
	return f
}

// s3Sources makes the listers of the s3:// arguments of one load, in the
// order of the arguments, from one goroutine.
type s3Sources struct {
	flags        s3Flags
	args         []string  // every source of the load, for --watch
	since, until time.Time // the load's window; it also narrows the listing
	stderr       io.Writer // where a failed poll of --watch is reported
	d            *db.DB    // the database loaded into, which keeps the days listed

	client  *awss3.Client   // made on first use, shared by the s3:// sources
	listed  *ingest.ListLog // made on first use
	made    []*s3.Lister    // every lister made, for printResumed
	pending []*s3.Lister    // with --watch: the s3:// sources listed so far
}

// newS3Sources returns the maker of the s3:// listers of a load of args;
// f nil means AWS's defaults and no --watch (the shell's .load).
func newS3Sources(d *db.DB, f *s3Flags, args []string, opts ingest.Options, stderr io.Writer) *s3Sources {
	st := &s3Sources{d: d, args: args, since: opts.Since, until: opts.Until, stderr: stderr}
	if f != nil {
		st.flags = *f
	}
	if st.flags.aws == nil {
		st.flags.aws = &awscfg.Options{}
	}
	return st
}

// lister makes the lister of one s3:// argument.
func (st *s3Sources) lister(ctx context.Context, arg string) (source.Lister, error) {
	if st.client == nil {
		c, err := awscfg.S3Client(ctx, *st.flags.aws)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", arg, err)
		}
		st.client = c
	}
	opts := s3.Options{Since: st.since, Until: st.until, Warn: st.warn, Relist: st.flags.relist}
	if st.flags.watch <= 0 {
		if st.listed == nil {
			g, err := ingest.NewListLog(ctx, st.d)
			if err != nil {
				return nil, err
			}
			st.listed = g
		}
		opts.Resume = st.listed
	}
	l, err := s3.NewLister(st.client, arg, opts)
	if err != nil {
		return nil, err
	}
	st.made = append(st.made, l)
	if st.flags.watch <= 0 {
		return l, nil
	}
	return st.watchLister(arg, l)
}

// resumedObjects counts the objects of the days not listed because an
// earlier load listed them whole and loaded them: already loaded and
// unchanged, as far as can be known without listing them.
func (st *s3Sources) resumedObjects() int {
	n := int64(0)
	for _, l := range st.made {
		n += l.Stats().ObjectsResumed
	}
	return int(n)
}

// printResumed says, for each s3:// source, how many days were not
// listed because an earlier load listed them whole and loaded them.
func (st *s3Sources) printResumed(w io.Writer) {
	for _, l := range st.made {
		if s := l.Stats(); s.DaysResumed > 0 {
			fmt.Fprintf(w, "%s: %s days (%s objects) listed whole and loaded before: not listed again (--relist lists them)\n",
				l.URL(), ingest.Group(s.DaysResumed), ingest.Group(s.ObjectsResumed))
		}
	}
}

// warn reports a failed poll of --watch; the next poll tries again.
func (st *s3Sources) warn(err error) {
	fmt.Fprintf(st.stderr, "s3logs: %v (trying again in %s)\n", err, st.flags.watch)
}

// watchLister arranges --watch: the load lists its sources one after the
// other, so the s3:// sources before the last one list nothing themselves,
// and the last one lists them all, then polls them all until Ctrl-C.
func (st *s3Sources) watchLister(arg string, l *s3.Lister) (source.Lister, error) {
	st.pending = append(st.pending, l)
	args := st.args
	last := -1
	for i, a := range args {
		if strings.HasPrefix(a, "s3://") {
			last = i
		}
	}
	if last < 0 || args[last] != arg || len(st.pending) < countS3(args) {
		return emptyLister{}, nil
	}
	if last != len(args)-1 {
		return nil, fmt.Errorf("--watch: name local sources before the s3:// ones (%s would never be read)", args[last+1])
	}
	return watchAll{ls: st.pending, every: st.flags.watch}, nil
}

func countS3(args []string) int {
	n := 0
	for _, a := range args {
		if strings.HasPrefix(a, "s3://") {
			n++
		}
	}
	return n
}

// emptyLister lists nothing: with --watch, its source is listed by the
// last s3:// source's watchAll.
type emptyLister struct{}

func (emptyLister) List(context.Context, func(source.Object) error) error { return nil }

// watchAll lists several s3:// sources, then polls them (s3.Watch).
type watchAll struct {
	ls    []*s3.Lister
	every time.Duration
}

func (w watchAll) List(ctx context.Context, fn func(source.Object) error) error {
	return s3.Watch(ctx, w.ls, w.every, fn)
}

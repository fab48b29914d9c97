package main

// S3 sources of load, owned by the S3 engineer: the flags that say how to
// reach S3 and which part of a bucket to read, and the hook that turns an
// s3://bucket/prefix argument into a lister (loader/s3).

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/loader/s3"
	"github.com/s3logs/s3logs/loader/source"
)

func init() {
	s3Flags = defineS3Flags
	s3Hook = s3Lister
}

// s3Settings are the S3 flags of one load command line.
type s3Settings struct {
	fs           *flag.FlagSet
	aws          awscfg.Options
	since, until timeFlag
	watch        time.Duration

	mu      sync.Mutex
	client  *awss3.Client // made on first use, shared by the s3:// sources
	pending []*s3.Lister  // with --watch: the s3:// sources listed so far
}

// s3Current holds the flags of the load being run; s3Lister reads them. It
// is nil, or belongs to another command line, when a source comes from
// elsewhere (the shell's .load), and then AWS's defaults apply.
var s3Current *s3Settings

// defineS3Flags defines the S3 flags on fs (load's flag set).
func defineS3Flags(fs *flag.FlagSet) {
	st := &s3Settings{fs: fs}
	now := time.Now()
	st.since.now, st.until.now = now, now
	s3Current = st
	defineAWSFlags(fs, &st.aws)
	fs.Var(&st.since, "since", "load only rows at or after `T`: a date (2024-06-01), an RFC 3339 time, or an age (24h, 7d, 2w, 1d12h); for s3:// sources it also narrows the listing")
	fs.Var(&st.until, "until", "load only rows before `T` (same forms as --since)")
	fs.Func("concurrency", "s3:// objects fetched and parsed at once, `N` (same as --workers; default 32 for s3:// sources)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("want a number of at least 1, not %q", v)
		}
		if w := fs.Lookup("workers"); w != nil {
			return w.Value.Set(v)
		}
		return nil
	})
	fs.DurationVar(&st.watch, "watch", 0, "keep polling the s3:// sources every `INTERVAL` (30s, 5m) and load new objects as they arrive, until Ctrl-C")
}

// defineAWSFlags defines on fs the flags that say how to reach S3
// (--region, --profile, --endpoint-url, --no-sign-request) into o. Load and
// export both use it, so that they take the same flags with the same
// environment defaults: an endpoint from AWS_ENDPOINT_URL_S3 is addressed
// path-style by awscfg only when it comes through o.Endpoint.
func defineAWSFlags(fs *flag.FlagSet, o *awscfg.Options) {
	fs.StringVar(&o.Region, "region", "", "AWS `REGION` of the bucket (default: AWS_REGION, the profile's, or us-east-1)")
	fs.StringVar(&o.Profile, "profile", "", "`NAME` of a profile in the shared AWS config and credentials files (default: AWS_PROFILE)")
	fs.StringVar(&o.Endpoint, "endpoint-url", firstEnv("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
		"`URL` of an S3-compatible store or local server, addressed path-style (default: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL)")
	fs.BoolVar(&o.NoSign, "no-sign-request", false, "send anonymous requests, for public buckets (no credentials are looked up)")
}

// firstEnv returns the first non-empty environment variable of names.
func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// timeFlag is a --since/--until value parsed with s3.ParseTime. String
// returns it in RFC 3339, so that the load command, which reads the flags
// by name, sees the same instant.
type timeFlag struct {
	now time.Time
	t   time.Time
}

func (f *timeFlag) String() string {
	if f == nil || f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339Nano)
}

func (f *timeFlag) Set(v string) error {
	t, err := s3.ParseTime(v, f.now)
	if err != nil {
		return err
	}
	f.t = t
	return nil
}

// s3Lister is s3Hook: it makes the lister of one s3:// argument.
func s3Lister(ctx context.Context, arg string) (source.Lister, error) {
	st := s3Current
	if st == nil || !st.fs.Parsed() || !contains(st.fs.Args(), arg) {
		st = &s3Settings{}
	}
	client, err := st.s3Client(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", arg, err)
	}
	l, err := s3.NewLister(client, arg, s3.Options{Since: st.since.t, Until: st.until.t, Warn: st.warn})
	if err != nil || st.watch <= 0 {
		return l, err
	}
	return st.watchLister(arg, l)
}

// s3Client returns the client of this command line, made once.
func (st *s3Settings) s3Client(ctx context.Context) (*awss3.Client, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.client == nil {
		c, err := awscfg.S3Client(ctx, st.aws)
		if err != nil {
			return nil, err
		}
		st.client = c
	}
	return st.client, nil
}

// warn reports a failed poll of --watch; the next poll tries again.
func (st *s3Settings) warn(err error) {
	fmt.Fprintf(os.Stderr, "s3logs: %v (trying again in %s)\n", err, st.watch)
}

// watchLister arranges --watch: the load lists its sources one after the
// other, so the s3:// sources before the last one list nothing themselves,
// and the last one lists them all, then polls them all until Ctrl-C.
func (st *s3Settings) watchLister(arg string, l *s3.Lister) (source.Lister, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.pending = append(st.pending, l)
	args := st.fs.Args()
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
	return watchAll{ls: st.pending, every: st.watch}, nil
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

func contains(args []string, a string) bool {
	for _, x := range args {
		if x == a {
			return true
		}
	}
	return false
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

package s3

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3logs/s3logs/internal/awscfg"
)

// list sends one ListObjectsV2 request and counts it, unless the endpoint
// was taken for gone (see health). When S3 answers
// that the bucket is in another region and names it, the client is
// switched to that region (as the AWS CLI does) and the request sent again.
func (l *Lister) list(ctx context.Context, in *awss3.ListObjectsV2Input) (*awss3.ListObjectsV2Output, error) {
	if d := l.health.gone(); d != nil {
		return nil, d // the GETs found the endpoint gone
	}
	if l.opts.PageSize > 0 && in.MaxKeys == nil {
		in.MaxKeys = &l.opts.PageSize
	}
	l.stats.listRequests.Add(1)
	c := l.client.Load()
	out, err := c.ListObjectsV2(ctx, in)
	var se *awscfg.Error
	if err != nil && errors.As(awscfg.Classify(err, awscfg.OpList, l.bucket, l.prefix), &se) && se.Kind == awscfg.ErrWrongRegion &&
		se.Region != "" && se.Region != c.Options().Region {
		l.client.CompareAndSwap(c, awss3.New(c.Options(), func(o *awss3.Options) { o.Region = se.Region }))
		l.stats.listRequests.Add(1)
		out, err = l.client.Load().ListObjectsV2(ctx, in)
	}
	if err != nil {
		return nil, fmt.Errorf("s3://%s/%s: %w", l.bucket, l.prefix, awscfg.Classify(err, awscfg.OpList, l.bucket, l.prefix))
	}
	l.stats.keysSeen.Add(int64(len(out.Contents) + len(out.CommonPrefixes)))
	return out, nil
}

// page is one listing response, cut to what the span wants, or the
// error that ended the listing.
type page struct {
	objects  []listed
	prefixes []string
	err      error
}

// listed is what a listing says of one object, all a load needs of it.
// A page of the SDK's output holds about 1,000 objects of a dozen pointer
// fields each; a pass keeps up to two pages per listing goroutine waiting
// for the load to take their objects, so pages are held as these instead
// (measured with S3LOGS_MEMPROFILE on 100,000 objects: 7.6 MB of the
// SDK's objects in use at the peak of the Go heap).
type listed struct {
	key, etag string
	size      int64
	mod       time.Time
}

// compact returns the objects and common prefixes of out.
func compact(out *awss3.ListObjectsV2Output) page {
	pg := page{objects: make([]listed, len(out.Contents))}
	for i, o := range out.Contents {
		pg.objects[i] = listed{
			key:  aws.ToString(o.Key),
			etag: strings.Trim(aws.ToString(o.ETag), `"`),
			size: aws.ToInt64(o.Size),
			mod:  aws.ToTime(o.LastModified),
		}
	}
	if len(out.CommonPrefixes) > 0 {
		pg.prefixes = make([]string, len(out.CommonPrefixes))
		for i, cp := range out.CommonPrefixes {
			pg.prefixes[i] = aws.ToString(cp.Prefix)
		}
	}
	return pg
}

// pages lists in page after page and calls fn with each until fn returns
// false or an error, or the listing ends. The next page is fetched while fn
// handles the current one, so the listing latency overlaps the caller's
// work; at most two pages are held at once. Each page is first given to
// trim, on the fetching goroutine, which may cut it short and returns true
// when it is the last one wanted (its keys reach past the span), so a
// narrowed listing sends no request it does not need; fn gets what trim
// left of it, compacted.
func (l *Lister) pages(ctx context.Context, in *awss3.ListObjectsV2Input, trim func(*awss3.ListObjectsV2Output) bool, fn func(page) (bool, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Unbuffered: the goroutine fetches the page after the one fn is
	// handling, then waits for fn to finish with it. A buffer would let it
	// fetch a second page ahead.
	ch := make(chan page)
	go func() {
		defer close(ch)
		for {
			out, err := l.list(ctx, in)
			last := err != nil || out.IsTruncated == nil || !*out.IsTruncated || out.NextContinuationToken == nil
			pg := page{err: err}
			if err == nil {
				if trim(out) {
					last = true
				}
				pg = compact(out)
			}
			select {
			case ch <- pg:
			case <-ctx.Done():
				return
			}
			if last {
				return
			}
			next := *in
			next.ContinuationToken = out.NextContinuationToken
			next.StartAfter = nil
			next.MaxKeys = nil // Options.PageSize, after a first request of one key
			in = &next
		}
	}()
	for pg := range ch {
		if pg.err != nil {
			return pg.err
		}
		more, err := fn(pg)
		if err != nil || !more {
			return err
		}
	}
	return ctx.Err()
}

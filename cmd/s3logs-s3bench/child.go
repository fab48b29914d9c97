package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/loader/s3/s3test"
	"github.com/s3logs/s3logs/loader/source"
)

// bucket holds the benchmark's objects.
const bucket = "bench"

// set is one group of served objects: n objects of lines lines each.
type set struct{ n, lines int }

// prefix is where the set's objects are.
func (s set) prefix() string { return fmt.Sprintf("n%dx%d/", s.n, s.lines) }

// sets returns the groups the server holds: -objects counts of -lines
// lines, and, when there are several counts, the smallest count with as
// many lines in all as the largest (same data, fewer objects), to tell the
// memory that follows the object count from the memory that follows the
// data.
func (c *config) sets() []set {
	var ss []set
	lo, hi := c.objects[0], c.objects[0]
	for _, n := range c.objects {
		ss = append(ss, set{n, c.lines})
		lo, hi = min(lo, n), max(hi, n)
	}
	if lo < hi {
		ss = append(ss, set{lo, c.lines * hi / lo})
	}
	return ss
}

// serve fills an in-memory S3 server with the objects of every count,
// prints its URL and serves until stdin closes or ctx ends.
func serve(ctx context.Context, c *config, stdin io.Reader, stdout io.Writer) error {
	srv := s3test.Start()
	defer srv.Close()
	if err := srv.CreateBucket(bucket); err != nil {
		return err
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	seed := int64(0)
	for _, st := range c.sets() {
		for i := range st.n {
			at := start.Add(time.Duration(i) * time.Minute)
			seed++
			key := s3test.SimpleKey(st.prefix(), at, s3test.Unique(i))
			if err := srv.Put(bucket, key, s3test.LogBody(seed, st.lines, at)); err != nil {
				return err
			}
		}
	}
	srv.Latency = c.latency
	fmt.Fprintln(stdout, srv.URL)
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, stdin)
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return nil
}

// runBaseline is the sequential baseline: one goroutine, the same SDK
// client as s3logs, ListObjectsV2 page by page and each object in turn
// fetched, read whole and parsed with loader.Reader. It prints the number
// of rows parsed.
func runBaseline(ctx context.Context, endpoint, prefix string, stdout io.Writer) error {
	client, err := awscfg.S3Client(ctx, awscfg.Options{Endpoint: endpoint, NoSign: true, Region: "us-east-1"})
	if err != nil {
		return err
	}
	var rows int64
	in := &awss3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	for {
		out, err := client.ListObjectsV2(ctx, in)
		if err != nil {
			return err
		}
		for _, o := range out.Contents {
			n, err := fetchAndParse(ctx, client, aws.ToString(o.Key))
			if err != nil {
				return err
			}
			rows += n
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	fmt.Fprintln(stdout, rows)
	return nil
}

// fetchAndParse GETs one object, reads it whole and parses it.
func fetchAndParse(ctx context.Context, client *awss3.Client, key string) (int64, error) {
	obj, err := client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	defer obj.Body.Close()
	body, err := io.ReadAll(obj.Body)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	text, err := source.Decode(bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	r := loader.NewReader(text, "s3://"+bucket+"/"+key, loader.Options{})
	defer r.Release()
	for r.Next() {
	}
	return r.Stats().Rows, r.Err()
}

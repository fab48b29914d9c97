package main

import (
	"bufio"
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

// The key layouts served.
const (
	simpleLayout      = "simple"
	partitionedLayout = "partitioned"
)

// start is when the first object of each set is delivered.
var start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// set is one group of served objects: n objects of lines lines each,
// delivered evenly over days days, in a layout.
type set struct {
	n, lines, days int
	layout         string
}

// prefix is where the set's objects are.
func (s set) prefix() string { return fmt.Sprintf("%s-n%dx%d/", s.layout, s.n, s.lines) }

// sources are the source buckets of the partitioned layout, objects
// taking turns among them.
var sources = [][3]string{
	{"111111111111", "us-east-1", "web"}, {"111111111111", "us-east-1", "api"},
	{"111111111111", "eu-west-1", "web"}, {"111111111111", "eu-west-1", "static"},
}

// key is the key of the i-th object of the set, delivered at at.
func (s set) key(i int, at time.Time) string {
	if s.layout == partitionedLayout {
		src := sources[i%len(sources)]
		return s3test.PartitionedKey(s.prefix(), src[0], src[1], src[2], at.Truncate(24*time.Hour), at, s3test.Unique(i))
	}
	return s3test.SimpleKey(s.prefix(), at, s3test.Unique(i))
}

// sets returns the groups the server holds: every -objects count in every
// -layouts layout.
func (c *config) sets() []set {
	var ss []set
	for _, layout := range c.layouts {
		for _, n := range c.objects {
			ss = append(ss, set{n: n, lines: c.lines, days: c.days, layout: layout})
		}
	}
	return ss
}

// serve fills an in-memory S3 server with the objects of every set,
// prints its URL and serves until stdin closes or ctx ends. A line
// "reset" on stdin zeroes its counts (it answers "ok"), a line "counts"
// prints the list requests, keys listed and GETs since.
func serve(ctx context.Context, c *config, stdin io.Reader, stdout io.Writer) error {
	srv := s3test.Start()
	defer srv.Close()
	if err := srv.CreateBucket(bucket); err != nil {
		return err
	}
	seed := int64(0)
	for _, st := range c.sets() {
		every := time.Duration(st.days) * 24 * time.Hour / time.Duration(st.n)
		for i := range st.n {
			at := start.Add(time.Duration(i) * every).Truncate(time.Second)
			seed++
			if err := srv.Put(bucket, st.key(i, at), s3test.LogBody(seed, st.lines, at)); err != nil {
				return err
			}
		}
	}
	srv.Latency = c.latency
	srv.Reset()
	fmt.Fprintln(stdout, srv.URL)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			switch sc.Text() {
			case "reset":
				srv.Reset()
				fmt.Fprintln(stdout, "ok")
			case "counts":
				n := srv.Counts()
				fmt.Fprintln(stdout, n.Lists, n.Listed, n.Gets)
			default:
				fmt.Fprintln(stdout, "unknown command")
			}
		}
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

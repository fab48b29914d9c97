package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/internal/db"
)

// S3API is the part of the S3 client that exports use; *s3.Client (from
// awscfg.S3Client) satisfies it.
type S3API interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(ctx context.Context, in *s3.UploadPartInput, optFns ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

// isS3 reports whether out is an s3:// URI.
func isS3(out string) bool { return strings.HasPrefix(out, "s3://") }

// s3URI is a parsed s3://bucket/prefix.
type s3URI struct{ bucket, key string }

// parseS3 splits s3://bucket/key; the bucket must not be empty.
func parseS3(out string) (s3URI, error) {
	rest := strings.TrimPrefix(out, "s3://")
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return s3URI{}, fmt.Errorf("%w: %q has no bucket (want s3://bucket/prefix/)", ErrUsage, out)
	}
	return s3URI{bucket: bucket, key: key}, nil
}

func (u s3URI) String() string { return "s3://" + u.bucket + "/" + u.key }

// isNotFound reports whether err is S3's answer for a missing object.
func isNotFound(err error) bool {
	var nf *types.NotFound
	var nsk *types.NoSuchKey
	if errors.As(err, &nf) || errors.As(err, &nsk) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NoSuchKey")
}

// objectExists asks S3 whether key exists.
func objectExists(ctx context.Context, c S3API, bucket, key string) (bool, error) {
	_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		return true, nil
	}
	if isNotFound(err) {
		return false, nil
	}
	return false, awscfg.Classify(err, awscfg.OpHead, bucket, key)
}

// putFile uploads the local file src as bucket/key: with one PutObject up
// to multipartAbove bytes, else as a multipart upload (one PutObject takes
// at most 5 GB). S3 makes the object visible whole or not at all.
func putFile(ctx context.Context, c S3API, src, bucket, key string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() > multipartAbove {
		return putMultipart(ctx, c, f, fi.Size(), bucket, key)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          f,
		ContentLength: aws.Int64(fi.Size()),
		ContentType:   aws.String(parquetType),
	})
	return awscfg.Classify(err, awscfg.OpPut, bucket, key)
}

const parquetType = "application/vnd.apache.parquet"

// Multipart uploads: files over multipartAbove bytes are sent in parts of
// partSize bytes (more when the file would need over maxParts of them),
// partsAtOnce at a time. S3 takes parts of 5 MiB to 5 GiB, at most 10,000.
var (
	multipartAbove int64 = 64 << 20
	partSize       int64 = 16 << 20
)

const (
	maxParts    = 10000
	partsAtOnce = 4
)

// putMultipart uploads the size bytes of f as bucket/key in parts; on
// failure the upload is aborted (S3 would otherwise keep, and bill, the
// parts sent).
func putMultipart(ctx context.Context, c S3API, f io.ReaderAt, size int64, bucket, key string) error {
	part := max(partSize, (size+maxParts-1)/maxParts)
	n := int((size + part - 1) / part)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), ContentType: aws.String(parquetType)})
	if err != nil {
		return awscfg.Classify(err, awscfg.OpPut, bucket, key)
	}
	parts := make([]types.CompletedPart, n)
	errs := make([]error, n)
	sem := make(chan struct{}, partsAtOnce)
	var wg sync.WaitGroup
	for i := range n {
		off := int64(i) * part
		length := min(part, size-off)
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			out, err := c.UploadPart(ctx, &s3.UploadPartInput{
				Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: io.NewSectionReader(f, off, length), ContentLength: aws.Int64(length),
			})
			if err != nil {
				errs[i] = fmt.Errorf("part %d of %d: %w", i+1, n, awscfg.Classify(err, awscfg.OpPut, bucket, key))
				return
			}
			parts[i] = types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1))}
		}()
	}
	wg.Wait()
	err = errors.Join(errs...)
	if err == nil {
		_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
		err = awscfg.Classify(err, awscfg.OpPut, bucket, key)
	}
	if err != nil {
		c.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId})
	}
	return err
}

// listKeys returns every key under prefix.
func listKeys(ctx context.Context, c S3API, bucket, prefix string, limit int) ([]string, error) {
	var keys []string
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	for {
		out, err := c.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, awscfg.Classify(err, awscfg.OpList, bucket, prefix)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
			if limit > 0 && len(keys) >= limit {
				return keys, nil
			}
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			return keys, nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// runFileS3 exports one Parquet file to S3: written to a local temporary
// directory, then uploaded with one PutObject.
func runFileS3(ctx context.Context, d *db.DB, opts Options) (Result, error) {
	u, err := parseS3(opts.Out)
	if err != nil {
		return Result{}, fmt.Errorf("export %s: %w", opts.Out, err)
	}
	if u.key == "" || strings.HasSuffix(u.key, "/") {
		u.key += opts.defaultName()
	}
	dest := u.String()
	exists, err := objectExists(ctx, opts.S3, u.bucket, u.key)
	if err != nil {
		return Result{}, fmt.Errorf("export %s: %w: %w", dest, ErrWrite, err)
	}
	if exists && !opts.Force {
		return Result{}, fmt.Errorf("export %s: %w", dest, ErrExists)
	}
	tmpDir, err := os.MkdirTemp("", "s3logs-export-*")
	if err != nil {
		return Result{}, fmt.Errorf("export %s: %w: %v", dest, ErrWrite, err)
	}
	defer os.RemoveAll(tmpDir)
	local := filepath.Join(tmpDir, path.Base(u.key))
	rows, err := writeFile(ctx, d, opts, local)
	if err != nil {
		return Result{}, fmt.Errorf("export %s: %w", dest, err)
	}
	if err := putFile(ctx, opts.S3, local, u.bucket, u.key); err != nil {
		return Result{}, fmt.Errorf("export %s: %w: upload: %w", dest, ErrWrite, err)
	}
	return Result{Out: dest, Files: []string{dest}, Rows: rows}, nil
}

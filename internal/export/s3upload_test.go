package export

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// recordingS3 passes requests to an S3API and records the ones that
// change objects, in order; failPart, when set, fails that UploadPart.
type recordingS3 struct {
	S3API
	mu       sync.Mutex
	ops      []string // "put KEY", "delete KEY", "part N", "complete KEY", "abort KEY"
	failPart int32
}

func (r *recordingS3) record(op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, op)
}

func (r *recordingS3) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	r.record("put " + aws.ToString(in.Key))
	return r.S3API.PutObject(ctx, in, o...)
}

func (r *recordingS3) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, o ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	r.record("delete " + aws.ToString(in.Key))
	return r.S3API.DeleteObject(ctx, in, o...)
}

func (r *recordingS3) UploadPart(ctx context.Context, in *s3.UploadPartInput, o ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	r.record("part")
	if aws.ToInt32(in.PartNumber) == r.failPart {
		return nil, errors.New("injected part failure")
	}
	return r.S3API.UploadPart(ctx, in, o...)
}

func (r *recordingS3) CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, o ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	r.record("complete " + aws.ToString(in.Key))
	return r.S3API.CompleteMultipartUpload(ctx, in, o...)
}

func (r *recordingS3) AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, o ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error) {
	r.record("abort " + aws.ToString(in.Key))
	return r.S3API.AbortMultipartUpload(ctx, in, o...)
}

func (r *recordingS3) count(prefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, op := range r.ops {
		if strings.HasPrefix(op, prefix) {
			n++
		}
	}
	return n
}

// TestS3Multipart: a file over the multipart threshold is uploaded in
// parts and arrives whole; a failed part aborts the upload and leaves no
// object. (A file over 5 GB failed with the one PutObject.)
func TestS3Multipart(t *testing.T) {
	defer func(a, p int64) { multipartAbove, partSize = a, p }(multipartAbove, partSize)
	multipartAbove, partSize = 1<<20, 5<<20 // S3's smallest part
	ctx := context.Background()
	body := make([]byte, 11<<20+123)
	rand.Read(body)
	src := filepath.Join(t.TempDir(), "big.parquet")
	if err := os.WriteFile(src, body, 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recordingS3{S3API: fakeS3(t)}
	if err := putFile(ctx, rec, src, "lake", "big/x.parquet"); err != nil {
		t.Fatal(err)
	}
	if p, puts := rec.count("part"), rec.count("put "); p != 3 || puts != 0 {
		t.Errorf("%d parts and %d PutObjects, want 3 parts of 5 MiB, 5 MiB and 1 MiB and no PutObject", p, puts)
	}
	out, err := rec.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lake"), Key: aws.String("big/x.parquet")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("downloaded %d bytes (err %v), want the %d uploaded", len(got), err, len(body))
	}

	rec.failPart = 2
	err = putFile(ctx, rec, src, "lake", "big/y.parquet")
	if err == nil || !strings.Contains(err.Error(), "part 2 of 3") {
		t.Errorf("failed part: err = %v, want part 2 of 3 named", err)
	}
	if rec.count("abort big/y.parquet") != 1 || rec.count("complete big/y.parquet") != 0 {
		t.Errorf("failed part: ops %q, want the upload aborted, not completed", rec.ops)
	}
	if ok, err := objectExists(ctx, rec, "lake", "big/y.parquet"); ok || err != nil {
		t.Errorf("failed upload left an object (%v, %v)", ok, err)
	}
}

// TestS3PublishNeverTwice: a partition being replaced in an S3 lake has
// its old files deleted before any new one is uploaded, so a reader never
// sees the rows of both.
func TestS3PublishNeverTwice(t *testing.T) {
	ctx := context.Background()
	rec := &recordingS3{S3API: fakeS3(t)}
	st := &s3Store{c: rec, u: s3URI{bucket: "lake", key: "logs/"}}
	part := "year=2026/month=01/day=02"
	for _, k := range []string{"part-old-0.parquet", "part-old-1.parquet"} {
		if _, err := rec.S3API.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lake"), Key: aws.String("logs/" + part + "/" + k), Body: strings.NewReader("old")}); err != nil {
			t.Fatal(err)
		}
	}
	src := t.TempDir()
	for _, k := range []string{"part-new-0.parquet", "part-new-1.parquet"} {
		if err := os.WriteFile(filepath.Join(src, k), []byte("new"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names, err := st.publish(ctx, part, src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"delete logs/" + part + "/part-old-0.parquet", "delete logs/" + part + "/part-old-1.parquet",
		"put logs/" + part + "/part-new-0.parquet", "put logs/" + part + "/part-new-1.parquet",
	}
	if strings.Join(rec.ops, "\n") != strings.Join(want, "\n") {
		t.Errorf("ops:\n%s\nwant:\n%s", strings.Join(rec.ops, "\n"), strings.Join(want, "\n"))
	}
	keys, err := listKeys(ctx, rec, "lake", "logs/"+part+"/", 0)
	if err != nil || len(keys) != 2 || len(names) != 2 {
		t.Errorf("partition holds %q (err %v), published %q; want the 2 new files", keys, err, names)
	}
}

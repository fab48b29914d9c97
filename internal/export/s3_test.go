package export

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/s3logs/s3logs/internal/awscfg"
)

// fakeS3 starts gofakes3 on loopback with bucket "lake" and returns a client
// made the way the command makes it (awscfg, endpoint, path style).
func fakeS3(t *testing.T) *s3.Client {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	backend := s3mem.New()
	if err := backend.CreateBucket("lake"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	c, err := awscfg.S3Client(context.Background(), awscfg.Options{Region: "us-east-1", Endpoint: srv.URL, NoSign: true, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// download copies every object under prefix into dir, keeping key paths,
// and returns the keys, sorted.
func download(t *testing.T, c *s3.Client, prefix, dir string) []string {
	t.Helper()
	ctx := context.Background()
	keys, err := listKeys(ctx, c, "lake", prefix, 0)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lake"), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(k))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestS3File(t *testing.T) {
	ctx := context.Background()
	d := newDB(t, 120)
	c := fakeS3(t)
	tests := []struct {
		name string
		opts Options
		key  string
		want error
	}{
		{"to a prefix", Options{Table: true, Out: "s3://lake/exports/"}, "exports/aws_s3serveraccess.parquet", nil},
		{"again refused", Options{Table: true, Out: "s3://lake/exports/"}, "exports/aws_s3serveraccess.parquet", ErrExists},
		{"again with force", Options{Table: true, Out: "s3://lake/exports/", Force: true}, "exports/aws_s3serveraccess.parquet", nil},
		{"query to a key", Options{Query: "SELECT * FROM aws_s3serveraccess WHERE httpstatus = 500", Out: "s3://lake/q/denied.parquet"}, "q/denied.parquet", nil},
		{"no bucket", Options{Table: true, Out: "s3:///x.parquet"}, "", ErrUsage},
		{"missing bucket", Options{Table: true, Out: "s3://nosuch/x.parquet"}, "", ErrWrite},
		{"bad query uploads nothing", Options{Query: "SELECT nosuch FROM aws_s3serveraccess", Out: "s3://lake/bad.parquet"}, "bad.parquet", ErrQuery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.S3 = c
			res, err := Run(ctx, d, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "s3://") {
					t.Errorf("error %q does not name the output", err)
				}
				if tt.want == ErrQuery {
					if ok, _ := objectExists(ctx, c, "lake", tt.key); ok {
						t.Errorf("%s uploaded despite the error", tt.key)
					}
				}
				return
			}
			if want := "s3://lake/" + tt.key; res.Out != want || len(res.Files) != 1 || res.Files[0] != want {
				t.Errorf("result %+v, want %s", res, want)
			}
			dir := t.TempDir()
			download(t, c, tt.key, dir)
			sc, got := readParquet(t, filepath.Join(dir, filepath.FromSlash(tt.key)))
			want := "SELECT * FROM aws_s3serveraccess"
			if tt.opts.Query != "" {
				want = tt.opts.Query
			} else {
				checkTypes(t, sc)
			}
			_, wantRows := dbRows(t, d, want)
			diffRows(t, wantRows, got)
		})
	}
}

func TestS3Lake(t *testing.T) {
	ctx := context.Background()
	d := newDB(t, 300) // 9 days
	c := fakeS3(t)
	opts := Options{Table: true, PartitionBy: ByDay, Out: "s3://lake/logs", S3: c, Now: fixedNow}
	check := func(step string, parts int, rows int64) {
		t.Helper()
		res, err := Run(ctx, d, opts)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if res.Out != "s3://lake/logs/" || res.Partitions != parts || res.Rows != rows {
			t.Errorf("%s: out %s partitions %d rows %d; want s3://lake/logs/ %d %d", step, res.Out, res.Partitions, res.Rows, parts, rows)
		}
		dir := t.TempDir()
		keys := download(t, c, "logs/", dir)
		root := filepath.Join(dir, "logs")
		if got := lakeFiles(t, root, ByDay); len(got)+1 != len(keys) {
			t.Errorf("%s: %d keys, want the %d lake files and the state", step, len(keys), len(got))
		}
		sameRows(t, d, hive(root, ByDay), "aws_s3serveraccess")
		want, got := perDay(t, d, root)
		diffRows(t, want, got)
		if !strings.Contains(res.DDL, "LOCATION 's3://lake/logs/'") || !strings.Contains(res.DDL, "'storage.location.template' = 's3://lake/logs/year=${year}/month=${month}/day=${day}/'") {
			t.Errorf("%s: DDL does not point at the bucket:\n%s", step, res.DDL)
		}
	}
	check("first", 9, 300)
	check("nothing new", 0, 0)
	seed(t, d, "2026-01-07 20:00:00+00", 1000, 1020)
	check("new rows", 2, 31+13)
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("lake"), Key: aws.String("logs/year=2026/month=01/day=02/part-20260120T093000Z-0.parquet")}); err != nil {
		t.Fatal(err)
	}
	check("a partition deleted from the lake", 1, 38)
	// A stale object in a rewritten partition is removed; the lake never
	// holds a row twice.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lake"), Key: aws.String("logs/year=2026/month=01/day=08/part-old-0.parquet"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	opts.Force = true
	check("force", 10, 320)

	// A prefix holding something else is refused.
	_, err := Run(ctx, d, Options{Table: true, PartitionBy: ByDay, Out: "s3://lake/logs/year=2026/", S3: c, Now: fixedNow})
	if !errors.Is(err, ErrExists) {
		t.Errorf("export into a foreign prefix: err = %v, want ErrExists", err)
	}
}

// check that *s3.Client satisfies S3API, as the command relies on it.
var _ S3API = (*s3.Client)(nil)

// TestS3ErrorsClassified: a failed S3 request of an export is reported the
// way the loader reports one (awscfg.Classify: kind, status and what to
// do), and the kind can be tested with errors.Is, for a file and for a lake.
func TestS3ErrorsClassified(t *testing.T) {
	ctx := context.Background()
	d := newDB(t, 20)
	c := fakeS3(t)
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"file", Options{Table: true, Out: "s3://nosuch/x.parquet", S3: c},
			"export s3://nosuch/x.parquet: cannot write: upload: bucket does not exist (HTTP 404 NoSuchBucket): check the bucket name in s3://nosuch/"},
		{"lake", Options{Table: true, Out: "s3://nosuch/lake/", PartitionBy: ByDay, S3: c},
			"export s3://nosuch/lake/: cannot write: read _s3logs_export.json: bucket does not exist (HTTP 404 NoSuchBucket): check the bucket name in s3://nosuch/"},
	}
	for _, tt := range tests {
		_, err := Run(ctx, d, tt.opts)
		if !errors.Is(err, ErrWrite) || !errors.Is(err, awscfg.ErrNoSuchBucket) {
			t.Errorf("%s: err = %v, want ErrWrite and awscfg.ErrNoSuchBucket", tt.name, err)
		}
		if err != nil && err.Error() != tt.want {
			t.Errorf("%s: error\n%s\nwant\n%s", tt.name, err, tt.want)
		}
	}
}

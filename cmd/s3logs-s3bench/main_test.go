package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3logs/s3logs/internal/awscfg"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-objects", "10,x"}, `-objects: "x" is not a positive count`},
		{[]string{"-objects", "0"}, `-objects: "0" is not a positive count`},
		{[]string{"-lines", "0"}, "-lines and -concurrency must be at least 1, -latency not negative"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	}
	for _, tc := range tests {
		var stderr bytes.Buffer
		code := run(context.Background(), tc.args, strings.NewReader(""), io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}

// TestServeAndBaseline runs the server mode in process, lists what it
// serves, and runs the baseline against it.
func TestServeAndBaseline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	stdinR, stdinW := io.Pipe()
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"-serve", "-objects", "3,7", "-lines", "4", "-latency", "1ms"}, stdinR, pw, io.Discard)
	}()
	url, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url = strings.TrimSpace(url)
	c, err := awscfg.S3Client(ctx, awscfg.Options{Endpoint: url, NoSign: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []set{{3, 4}, {7, 4}, {3, 9}} {
		n := st.n
		out, err := c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(st.prefix())})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Contents) != n {
			t.Errorf("prefix %s holds %d objects, want %d", st.prefix(), len(out.Contents), n)
		}
		var stdout bytes.Buffer
		start := time.Now()
		if code := run(ctx, []string{"-baseline", url, "-prefix", st.prefix()}, strings.NewReader(""), &stdout, io.Discard); code != 0 {
			t.Fatalf("baseline exit %d", code)
		}
		if got, want := strings.TrimSpace(stdout.String()), fmt.Sprint(st.n*st.lines); got != want {
			t.Errorf("baseline of %d objects printed %q rows, want %s", n, got, want)
		}
		// One list and n gets, each delayed by the server's latency.
		if d := time.Since(start); d < time.Duration(n+1)*time.Millisecond {
			t.Errorf("baseline of %d objects took %v, less than %d delayed requests", n, d, n+1)
		}
	}
	stdinW.Close()
	if code := <-done; code != 0 {
		t.Errorf("server exit %d", code)
	}
}

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
		{[]string{"-lines", "0"}, "-lines and -concurrency must be at least 1, -days at least 3, -latency not negative"},
		{[]string{"-days", "2"}, "-days at least 3"},
		{[]string{"-layouts", "simple,flat"}, `-layouts: "flat" is not simple or partitioned`},
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
// serves in both layouts, checks its counts commands, and runs the
// baseline against it.
func TestServeAndBaseline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	stdinR, stdinW := io.Pipe()
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"-serve", "-objects", "3,7", "-lines", "4", "-latency", "1ms", "-days", "5"}, stdinR, pw, io.Discard)
	}()
	out := bufio.NewReader(pr)
	url, err := out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url = strings.TrimSpace(url)
	c, err := awscfg.S3Client(ctx, awscfg.Options{Endpoint: url, NoSign: true})
	if err != nil {
		t.Fatal(err)
	}
	command := func(cmd string) string {
		fmt.Fprintln(stdinW, cmd)
		line, err := out.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(line)
	}
	for _, st := range []set{{3, 4, 5, simpleLayout}, {7, 4, 5, simpleLayout}, {7, 4, 5, partitionedLayout}} {
		n := st.n
		if got := command("reset"); got != "ok" {
			t.Fatalf("reset answered %q", got)
		}
		lo, err := c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(st.prefix())})
		if err != nil {
			t.Fatal(err)
		}
		if len(lo.Contents) != n {
			t.Errorf("prefix %s holds %d objects, want %d", st.prefix(), len(lo.Contents), n)
		}
		days := map[string]bool{}
		for _, o := range lo.Contents {
			k := strings.TrimPrefix(aws.ToString(o.Key), st.prefix())
			if st.layout == partitionedLayout && !strings.HasPrefix(k, "111111111111/") {
				t.Errorf("partitioned key %s", aws.ToString(o.Key))
			}
			days[k[len(k)-len("2024-01-01-00-00-00-0000000000000000"):][:10]] = true
		}
		if len(days) != min(n, 5) {
			t.Errorf("%s: objects delivered on %d days, want %d", st.prefix(), len(days), min(n, 5))
		}
		if got, want := command("counts"), fmt.Sprintf("1 %d 0", n); got != want {
			t.Errorf("counts answered %q, want %q", got, want)
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

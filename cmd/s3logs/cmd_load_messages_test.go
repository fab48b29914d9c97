package main

import (
	"bytes"
	"context"
	"io"
	"math/rand"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// endless is standard input that never ends (yes, cat /dev/urandom) until
// the test stops it; it counts the bytes read from it.
type endless struct {
	fill func(p []byte)
	stop atomic.Bool
	read atomic.Int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.stop.Load() {
		return 0, io.EOF
	}
	e.fill(p)
	e.read.Add(int64(len(p)))
	return len(p), nil
}

// TestEndlessStdinNotALog loads standard input that never ends and is not
// a log: the load stops promptly with the not-a-log message, having read
// little of it. Before, standard input was copied to its end first (to
// name it by its hash), so such a load never ended; the test fails after
// a minute instead of hanging.
func TestEndlessStdinNotALog(t *testing.T) {
	yes := func(p []byte) {
		for i := range p {
			p[i] = "y\n"[i%2]
		}
	}
	rng := rand.New(rand.NewSource(1))
	random := func(p []byte) { rng.Read(p) }
	tests := []struct {
		name string
		fill func([]byte)
		want string
	}{
		{"yes", yes, "s3logs: -: not an S3 server access log: none of its first 32,768 lines is one (32,768 rejected, 0 blank), so none of it was loaded; line 1: "},
		{"random bytes", random, "s3logs: -: not an S3 server access log: it holds binary data (a NUL byte at byte "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbPath := filepath.Join(isolate(t), "t.duckdb")
			in := &endless{fill: tt.fill}
			defer in.stop.Store(true) // ends a load that did not stop by itself
			var out, errb bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- run(context.Background(), []string{"load", "--db", dbPath, "-"}, in, &out, &errb) }()
			select {
			case code := <-done:
				if code != 1 || !strings.Contains(errb.String(), tt.want) {
					t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", code, errb.String(), tt.want)
				}
				if n := in.read.Load(); n > 1<<20 {
					t.Errorf("read %d bytes of standard input, want at most 1 MiB", n)
				}
			case <-time.After(time.Minute):
				in.stop.Store(true)
				<-done
				t.Fatalf("the load was still reading standard input after a minute (%d bytes read)", in.read.Load())
			}
		})
	}
}

package awscfg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const (
	testKeyID  = "AKIDTESTKEY0000000"
	testSecret = "sEcReT/do-not-print-me"
	// profileKeyID is the key of profile "other"; an explicit profile
	// takes precedence over the environment's keys, as in the AWS CLI.
	profileKeyID = "AKIDPROFILE0000000"
)

// isolate points the SDK at empty config files and fixed environment
// credentials so the developer's own AWS setup cannot leak into a test.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	if err := os.WriteFile(cfgFile, []byte("[profile other]\nregion = eu-west-3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	credFile := filepath.Join(dir, "credentials")
	if err := os.WriteFile(credFile, []byte("[other]\naws_access_key_id = "+profileKeyID+"\naws_secret_access_key = "+testSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credFile)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", testKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecret)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	return cfgFile
}

// recorder is an http.Handler in front of gofakes3 that records each
// request's path and Authorization header, and answers the first fail
// requests with a 503 SlowDown.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	fail int
	seen []string // "METHOD path auth"
	code int
}

func (h *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.seen = append(h.seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
	fail := h.fail > 0
	h.fail--
	h.mu.Unlock()
	if fail {
		code := map[int]string{403: "AccessDenied", 500: "InternalError", 503: "SlowDown"}[h.code]
		w.WriteHeader(h.code)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>injected</Message></Error>`)
		return
	}
	h.next.ServeHTTP(w, r)
}

func newServer(t *testing.T, fail, code int) (*httptest.Server, *recorder) {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket("logs"); err != nil {
		t.Fatal(err)
	}
	body := "hello\n"
	if _, err := be.PutObject("logs", "a/b.log", nil, strings.NewReader(body), int64(len(body)), nil); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{next: gofakes3.New(be).Server(), fail: fail, code: code}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return srv, rec
}

func getBody(ctx context.Context, c *awss3.Client) (string, error) {
	out, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("logs"), Key: aws.String("a/b.log")})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), err
}

func TestS3Client(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		fail     int
		code     int
		wantErr  string // substring of the error; "" means success
		wantReqs int
		wantAuth string // prefix of the Authorization header of the last request
	}{
		{name: "signed path-style", opts: Options{}, wantReqs: 1, wantAuth: "AWS4-HMAC-SHA256 Credential=" + testKeyID + "/"},
		{name: "anonymous", opts: Options{NoSign: true}, wantReqs: 1, wantAuth: ""},
		{name: "profile", opts: Options{Profile: "other"}, wantReqs: 1, wantAuth: "AWS4-HMAC-SHA256 Credential=" + profileKeyID + "/"},
		{name: "retries throttling", opts: Options{MaxAttempts: 3, MaxBackoff: time.Millisecond}, fail: 2, code: 503, wantReqs: 3, wantAuth: "AWS4-HMAC-SHA256"},
		{name: "retries 500", opts: Options{MaxAttempts: 4, MaxBackoff: time.Millisecond}, fail: 3, code: 500, wantReqs: 4, wantAuth: "AWS4-HMAC-SHA256"},
		{name: "gives up", opts: Options{MaxAttempts: 2, MaxBackoff: time.Millisecond}, fail: 5, code: 503, wantReqs: 2, wantErr: "StatusCode: 503"},
		{name: "403 not retried", opts: Options{MaxAttempts: 4, MaxBackoff: time.Millisecond}, fail: 5, code: 403, wantReqs: 1, wantErr: "StatusCode: 403"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			srv, rec := newServer(t, tc.fail, tc.code)
			tc.opts.Endpoint = srv.URL
			c, err := S3Client(context.Background(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := getBody(context.Background(), c)
			if len(rec.seen) != tc.wantReqs {
				t.Errorf("requests = %d %q, want %d", len(rec.seen), rec.seen, tc.wantReqs)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), testSecret) {
					t.Errorf("error shows the secret key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != "hello\n" {
				t.Errorf("body = %q, want %q", got, "hello\n")
			}
			last := rec.seen[len(rec.seen)-1]
			wantPrefix := "GET /logs/a/b.log " + tc.wantAuth
			if !strings.HasPrefix(last, wantPrefix) || (tc.wantAuth == "" && last != wantPrefix) {
				t.Errorf("last request = %q, want prefix %q", last, wantPrefix)
			}
			if strings.Contains(last, testSecret) {
				t.Errorf("request shows the secret key: %q", last)
			}
		})
	}
}

func TestS3ClientRegion(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		env  string
		want string
	}{
		{name: "default", want: DefaultRegion},
		{name: "flag", opts: Options{Region: "ap-south-1"}, env: "eu-central-1", want: "ap-south-1"},
		{name: "env", env: "eu-central-1", want: "eu-central-1"},
		{name: "profile", opts: Options{Profile: "other"}, want: "eu-west-3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			t.Setenv("AWS_REGION", tc.env)
			c, err := S3Client(context.Background(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Options().Region; got != tc.want {
				t.Errorf("region = %q, want %q", got, tc.want)
			}
			if c.Options().UsePathStyle {
				t.Errorf("UsePathStyle without an endpoint")
			}
		})
	}
}

func TestS3ClientErrors(t *testing.T) {
	isolate(t)
	_, err := S3Client(context.Background(), Options{Profile: "missing"})
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing profile: err = %v, want it to name the profile", err)
	}
	for _, ep := range []string{"localhost:9000", "--no-sign-request", "ftp://host", "http://"} {
		_, err = S3Client(context.Background(), Options{Endpoint: ep})
		want := fmt.Sprintf("invalid endpoint URL %q: want http://host[:port] or https://host[:port]", ep)
		if err == nil || err.Error() != want {
			t.Errorf("endpoint %q: err = %v, want %s", ep, err, want)
		}
	}
	_, err = S3Client(context.Background(), Options{MaxAttempts: -1})
	if err == nil || !strings.Contains(err.Error(), "MaxAttempts") {
		t.Errorf("negative attempts: err = %v", err)
	}
	// A network failure is an error, not a hang, and shows no secret.
	c, err := S3Client(context.Background(), Options{Endpoint: "http://127.0.0.1:1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = getBody(context.Background(), c)
	var oe *smithy.OperationError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "connect") || strings.Contains(err.Error(), testSecret) {
		t.Errorf("network failure: err = %v", err)
	}
}

func TestRedactURLUserinfo(t *testing.T) {
	for _, tc := range []struct{ in, secret string }{
		{"http://user:s3cret@localhost:9000/b", "s3cret"},
		{`invalid "http://u:pa/ss w@rd@host" and https://k@h`, "pa/ss"},
	} {
		if got := Redact(tc.in); strings.Contains(got, tc.secret) || got == tc.in {
			t.Errorf("Redact(%q) = %q, still holds %q", tc.in, got, tc.secret)
		}
	}
	for _, in := range []string{"http://localhost:9000", "no url here @ all"} {
		if got := Redact(in); got != in {
			t.Errorf("Redact(%q) = %q, want it unchanged", in, got)
		}
	}
}

// TestInvalidEndpointRedacted: the error of an invalid endpoint URL does
// not print the password in it.
func TestInvalidEndpointRedacted(t *testing.T) {
	for _, ep := range []string{"ftp://admin:hunter2@host", "http://admin:hun/ter2@host:port", "http://admin:hunter2@"} {
		_, err := S3Client(context.Background(), Options{Endpoint: ep, NoSign: true})
		if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "hun/ter2") {
			t.Errorf("S3Client(%q): err = %v, want an error without the password", ep, err)
		}
	}
}

package awscfg

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRedact: each kind of credential a server may echo is replaced, and
// the text around it is kept.
func TestRedact(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0123abcd\nnext line",
			"Authorization: [redacted]\nnext line"},
		{"header was AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0123abcd",
			"header was AWS4-HMAC-SHA256 Credential=[redacted], SignedHeaders=host, Signature=[redacted]"},
		{"key ASIAY34FZKBOKMUTVV7A is not allowed", "key [redacted key id] is not allowed"},
		{"https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101&X-Amz-Signature=deadbeef&X-Amz-Security-Token=FwoGZX",
			"https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]&X-Amz-Security-Token=[redacted]"},
		{"GET /k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=abc%2Bdef&Expires=1", "GET /k?AWSAccessKeyId=[redacted]&Signature=[redacted]&Expires=1"},
		{"endpoint http://minio:s3cr3tpass@10.0.0.5:9000/bucket failed", "endpoint http://[redacted]@10.0.0.5:9000/bucket failed"},
		{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = [redacted]"},
		{"We encountered an internal error. Please try again.", "We encountered an internal error. Please try again."},
	} {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// TestServerEchoRedacted: an S3-compatible server's 500 whose message
// quotes the request's Authorization header and a URL with user info
// prints neither the access key id, the signature nor the password.
func TestServerEchoRedacted(t *testing.T) {
	isolate(t)
	const keyID = "AKIAIOSFODNN7EXAMPLE"
	t.Setenv("AWS_ACCESS_KEY_ID", keyID)
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.WriteHeader(500)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>request by `+keyID+` via http://admin:hunter2@backend:9000/ cannot verify Authorization: `+auth+
			`</Message></Error>`)
	}))
	defer srv.Close()
	c, err := S3Client(context.Background(), Options{Endpoint: srv.URL, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = getBody(context.Background(), c)
	err = Classify(err, OpGet, "logs", "a/b.log")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(auth, keyID) {
		t.Fatalf("Classify = %v (auth sent %q), want ErrUnavailable", err, auth)
	}
	sig := auth[strings.LastIndex(auth, "Signature=")+len("Signature="):]
	msg := err.Error()
	for _, secret := range []string{keyID, sig, "hunter2", testSecret} {
		if strings.Contains(msg, secret) {
			t.Errorf("message shows %q: %s", secret, msg)
		}
	}
	if !strings.HasSuffix(msg, ": request by [redacted key id] via http://[redacted]@backend:9000/ cannot verify Authorization: [redacted]") {
		t.Errorf("message lost its shape: %s", msg)
	}
}

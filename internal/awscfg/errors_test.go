package awscfg

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

// TestClassify: the kind comes from the S3 code, the access-denied hint
// names the permission the request needed, and nil and cancellation pass
// through unclassified.
func TestClassify(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}
	tests := []struct {
		name string
		err  error
		op   Op
		kind error
		want string
	}{
		{"list denied", denied, OpList, ErrAccessDenied, "access denied: the credentials may not list this bucket (s3:ListBucket); check --profile, or use --no-sign-request for a public bucket"},
		{"get denied", denied, OpGet, ErrAccessDenied, "access denied: the credentials may not read this object (s3:GetObject)"},
		{"head denied", denied, OpHead, ErrAccessDenied, "access denied: the credentials may not read this object (s3:GetObject)"},
		{"put denied", denied, OpPut, ErrAccessDenied, "access denied: the credentials may not write this object (s3:PutObject)"},
		{"delete denied", denied, OpDelete, ErrAccessDenied, "access denied: the credentials may not delete this object (s3:DeleteObject)"},
		{"no bucket", &smithy.GenericAPIError{Code: "NoSuchBucket"}, OpPut, ErrNoSuchBucket, "bucket does not exist: check the bucket name in s3://b/"},
		{"wrong region", &smithy.GenericAPIError{Code: "AuthorizationHeaderMalformed", Message: "the region 'us-east-1' is wrong; expecting 'eu-west-3'"}, OpList, ErrWrongRegion, "bucket is in another region: the bucket is in eu-west-3; use --region eu-west-3"},
		{"bad keys", &smithy.GenericAPIError{Code: "InvalidAccessKeyId"}, OpGet, ErrBadCredentials, "credentials rejected by S3: check --profile and the keys in the environment"},
		{"no credentials", errors.New("operation error S3: ListObjectsV2, get identity: get credentials: failed to refresh cached credentials"), OpList, ErrNoCredentials, "no AWS credentials found: set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use --no-sign-request for a public bucket"},
		{"changed", &smithy.GenericAPIError{Code: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold"}, OpGet, ErrChanged, "object changed while it was read: load again to read its new content"},
		{"other", errors.New("boom"), OpRead, ErrRequest, "S3 request failed: operation error S3: wrapped: boom"},
	}
	for _, tt := range tests {
		cause := fmt.Errorf("operation error S3: wrapped: %w", tt.err)
		err := Classify(cause, tt.op, "b", "k")
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, tt.kind) || e.Op != tt.op || !errors.Is(err, tt.err) {
			t.Errorf("%s: Classify = %#v, want an *Error of kind %v and op %s wrapping the cause", tt.name, err, tt.kind, tt.op)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%s: error\n%s\nwant\n%s", tt.name, err, tt.want)
		}
		if got := Reason(err); got != tt.kind.Error() {
			t.Errorf("%s: Reason = %q, want %q", tt.name, got, tt.kind.Error())
		}
	}
	for _, err := range []error{nil, context.Canceled, fmt.Errorf("get: %w", context.DeadlineExceeded)} {
		if got := Classify(err, OpGet, "b", "k"); got != err {
			t.Errorf("Classify(%v) = %v, want it unchanged", err, got)
		}
	}
}

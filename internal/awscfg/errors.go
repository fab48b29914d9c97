package awscfg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The kinds of S3 failure. An *Error matches its kind with errors.Is, so a
// load summary can count skipped objects by reason with errors.Is or with
// Reason, and an export can say why an upload failed.
var (
	ErrNoSuchBucket   = errors.New("bucket does not exist")
	ErrAccessDenied   = errors.New("access denied")
	ErrWrongRegion    = errors.New("bucket is in another region")
	ErrNoCredentials  = errors.New("no AWS credentials found")
	ErrBadCredentials = errors.New("credentials rejected by S3")
	ErrNoSuchKey      = errors.New("object no longer exists")
	ErrChanged        = errors.New("object changed while it was read")
	ErrUnavailable    = errors.New("S3 kept failing after retries")
	ErrNetwork        = errors.New("cannot reach S3")
	ErrRequest        = errors.New("S3 request failed")
)

// Op names an S3 request; it decides what an access-denied error says is
// missing.
type Op string

// The S3 requests s3logs makes: the loader lists, gets and reads log
// objects; export also heads, puts and deletes.
const (
	OpList   Op = "list"
	OpGet    Op = "get"
	OpRead   Op = "read" // reading the body of a GET
	OpHead   Op = "head"
	OpPut    Op = "put"
	OpDelete Op = "delete"
)

// Error is a failed S3 request, classified so that a person can act on it.
// Its text does not repeat the s3:// name of the object: the load pipeline
// prints Object.Name before it, List and export wrap it with the URL. It
// never contains credentials.
type Error struct {
	Op     Op
	Bucket string
	Key    string // the object key, or the prefix of a listing
	Kind   error  // one of the Err* kinds above
	Status int    // HTTP status, 0 when no response came back
	Code   string // S3 error code such as AccessDenied, or ""
	Region string // with ErrWrongRegion: the bucket's region, when S3 said
	Err    error  // the SDK's error
}

// Error returns the kind, the S3 code and status, and what to do about it.
// Text that came from the server is redacted (Redact): a server may echo
// the request's credentials in it.
func (e *Error) Error() string {
	return Redact(e.text())
}

// text is Error before redaction.
func (e *Error) text() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	switch {
	case e.Status != 0 && e.Code != "":
		fmt.Fprintf(&b, " (HTTP %d %s)", e.Status, e.Code)
	case e.Status != 0:
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if hint := e.hint(); hint != "" {
		b.WriteString(": ")
		b.WriteString(hint)
	}
	return b.String()
}

// hint says what to do, or gives the underlying cause when that is the
// useful part.
func (e *Error) hint() string {
	switch e.Kind {
	case ErrNoSuchBucket:
		return "check the bucket name in s3://" + e.Bucket + "/"
	case ErrChanged:
		return "load again to read its new content"
	case ErrAccessDenied:
		switch e.Op {
		case OpList:
			return "the credentials may not list this bucket (s3:ListBucket); check --profile, or use --no-sign-request for a public bucket"
		case OpPut:
			return "the credentials may not write this object (s3:PutObject)"
		case OpDelete:
			return "the credentials may not delete this object (s3:DeleteObject)"
		}
		return "the credentials may not read this object (s3:GetObject)"
	case ErrWrongRegion:
		if e.Region != "" {
			return "the bucket is in " + e.Region + "; use --region " + e.Region
		}
		return "use --region with the bucket's region"
	case ErrNoCredentials:
		return "set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use --no-sign-request for a public bucket"
	case ErrBadCredentials:
		return "check --profile and the keys in the environment"
	case ErrNetwork, ErrRequest, ErrUnavailable:
		return cause(e.Err)
	}
	return ""
}

// Cause is the part of Error that says what went wrong underneath (for a
// network failure, the dial or read error), redacted; "" when the kind
// says it all.
func (e *Error) Cause() string { return Redact(cause(e.Err)) }

// Is reports whether target is e's kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the SDK's error.
func (e *Error) Unwrap() error { return e.Err }

// Reason returns the short reason of a load failure for a summary that
// counts skipped objects by reason: the kind of an *Error ("access
// denied"), else the error's text.
func Reason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind.Error()
	}
	if err == nil {
		return ""
	}
	return Redact(err.Error())
}

// wrongRegionMessage finds the expected region in the message of an
// AuthorizationHeaderMalformed error.
var wrongRegionMessage = regexp.MustCompile(`expecting '([a-z0-9-]+)'`)

// Classify turns an error of an S3 request into an *Error that says what
// to do about it; the S3 lister (loader/s3) uses it for every request, and
// export for its uploads. op names the request. A nil error stays nil, and
// context cancellation is returned as is, so that Ctrl-C is reported as an
// interruption and not as an S3 failure.
func Classify(err error, op Op, bucket, key string) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	e := &Error{Op: op, Bucket: bucket, Key: key, Err: err, Kind: ErrRequest}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		e.Status = re.HTTPStatusCode()
		e.Region = re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code = ae.ErrorCode()
		if m := wrongRegionMessage.FindStringSubmatch(ae.ErrorMessage()); m != nil && e.Region == "" {
			e.Region = m[1]
		}
	}
	e.Kind = kind(err, e.Status, e.Code)
	return e
}

// kind picks the kind of a failure from its HTTP status and S3 code.
func kind(err error, status int, code string) error {
	switch code {
	case "NoSuchBucket":
		return ErrNoSuchBucket
	case "NoSuchKey":
		return ErrNoSuchKey
	case "PreconditionFailed":
		return ErrChanged
	case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
		return ErrWrongRegion
	case "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired":
		return ErrBadCredentials
	case "AccessDenied", "AllAccessDisabled", "AccountProblem":
		return ErrAccessDenied
	}
	switch {
	case status == 301 || status == 307:
		return ErrWrongRegion
	case status == 403:
		return ErrAccessDenied
	case status == 404 && code == "":
		return ErrNoSuchKey
	case status == 412:
		return ErrChanged
	case status == 429 || status >= 500:
		return ErrUnavailable
	case status != 0:
		return ErrRequest
	}
	if strings.Contains(err.Error(), "get credentials") || strings.Contains(err.Error(), "failed to retrieve credentials") {
		return ErrNoCredentials
	}
	var ne net.Error
	var se *smithyhttp.RequestSendError
	if errors.As(err, &ne) || errors.As(err, &se) {
		return ErrNetwork
	}
	return ErrRequest
}

// cause returns the innermost useful text of an SDK error: the SDK wraps
// every failure in "operation error S3: GetObject, https response error
// StatusCode: ..., RequestID: ..., api error ...", which is noise for a
// person.
func cause(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != "" {
		return ae.ErrorMessage()
	}
	var ne *net.OpError
	if errors.As(err, &ne) {
		return ne.Error()
	}
	var se *smithyhttp.RequestSendError
	if errors.As(err, &se) && se.Err != nil {
		return se.Err.Error()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

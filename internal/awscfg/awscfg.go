// Package awscfg builds the S3 client every s3logs command uses from a few
// command-line options (region, profile, endpoint, unsigned requests), on top
// of the AWS SDK's default configuration chain: environment variables, the
// shared config and credentials files, SSO, web identity and instance roles.
//
// It also classifies failed S3 requests (Classify, Error) for the loader
// and export alike. Credentials are never copied into errors or output:
// the SDK resolves them lazily and signs requests with them; nothing here
// formats them.
package awscfg

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// DefaultRegion is the region used when neither Options.Region nor the
// environment or profile names one. S3 answers a request for a bucket in
// another region with an error that names the bucket's region, which the
// S3 lister turns into a "use --region X" message.
const DefaultRegion = "us-east-1"

// DefaultMaxAttempts is the number of attempts (first try plus retries) for
// each S3 request when Options.MaxAttempts is zero. Throttling (SlowDown,
// 503) and 5xx answers and connection errors are retried with exponential
// backoff and jitter.
const DefaultMaxAttempts = 6

// DefaultMaxBackoff caps the delay between two attempts when
// Options.MaxBackoff is zero.
const DefaultMaxBackoff = 20 * time.Second

// maxConnsIdle is the idle connection pool size per host. The SDK's default
// (10) is below the S3 lister's default concurrency, which would make every
// extra worker open and close a TCP (and TLS) connection per object.
const maxConnsIdle = 256

// Options says how to reach S3. The zero value means AWS's defaults: the
// region and credentials of the default chain, the regional AWS endpoint,
// virtual-hosted addressing and signed requests.
type Options struct {
	// Region overrides AWS_REGION and the profile's region.
	Region string
	// Profile names a profile of the shared config files (like --profile of
	// the AWS CLI); empty means AWS_PROFILE or "default".
	Profile string
	// Endpoint is the base URL of an S3-compatible store or a local server,
	// e.g. http://127.0.0.1:9000. When set, buckets are addressed
	// path-style (endpoint/bucket/key).
	Endpoint string
	// NoSign sends anonymous, unsigned requests (public buckets), like
	// --no-sign-request of the AWS CLI; no credentials are looked up.
	NoSign bool
	// MaxAttempts is the number of attempts per request; 0 means
	// DefaultMaxAttempts, 1 disables retries.
	MaxAttempts int
	// MaxBackoff caps the delay between attempts; 0 means DefaultMaxBackoff.
	MaxBackoff time.Duration
}

// S3Client returns an S3 client configured by o. It reads the shared config
// files (and fails with a clear error when o.Profile does not exist) but
// does not contact AWS: credential and region problems surface on the first
// request. The client is safe for concurrent use and keeps enough idle
// connections for many concurrent GETs.
func S3Client(ctx context.Context, o Options) (*awss3.Client, error) {
	if o.MaxAttempts < 0 {
		return nil, errors.New("awscfg: MaxAttempts must not be negative")
	}
	if o.Endpoint != "" {
		if u, err := url.Parse(o.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("invalid endpoint URL %q: want http://host[:port] or https://host[:port]", Redact(o.Endpoint))
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOptions(o)...)
	if err != nil {
		return nil, fmt.Errorf("aws configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	return awss3.NewFromConfig(cfg, func(so *awss3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
			so.UsePathStyle = true
		}
	}), nil
}

// responseHeaderTimeout is how long a request waits for the headers of
// its answer before it fails (and is retried).
const responseHeaderTimeout = 2 * time.Minute

// loadOptions translates o into the SDK's configuration options.
func loadOptions(o Options) []func(*config.LoadOptions) error {
	attempts := o.MaxAttempts
	if attempts == 0 {
		attempts = DefaultMaxAttempts
	}
	backoff := o.MaxBackoff
	if backoff == 0 {
		backoff = DefaultMaxBackoff
	}
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = maxConnsIdle
			t.MaxIdleConnsPerHost = maxConnsIdle
			// A server that takes the request but never answers would
			// hold a load or an export for ever. S3 answers the
			// headers of every call s3logs makes within seconds (a
			// CompleteMultipartUpload that takes minutes sends its 200
			// first); a body that stalls is loader/s3's Options.Stall.
			t.ResponseHeaderTimeout = responseHeaderTimeout
		})),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = attempts
				so.MaxBackoff = backoff
				// A bulk load of thousands of objects must keep retrying a
				// throttled bucket with backoff rather than fail fast once
				// the client-wide retry quota is spent.
				so.RateLimiter = ratelimit.None
			})
		}),
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.NoSign {
		opts = append(opts, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	}
	if o.Endpoint != "" {
		// S3-compatible stores and local servers often reject or ignore
		// the flexible checksums the SDK sends by default; send and check
		// them only where the API requires them.
		opts = append(opts,
			config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
			config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired))
	}
	return opts
}

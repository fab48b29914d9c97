package main

import (
	"context"
	"flag"

	"github.com/s3logs/s3logs/loader/source"
)

// s3Hook turns an s3://bucket/prefix argument of load (and of repl's
// sources) into a Lister. The S3 engineer's load_s3.go sets it from init();
// while it is nil, s3:// sources are refused with a clear message.
var s3Hook func(ctx context.Context, arg string) (source.Lister, error)

// s3Flags, when set (by load_s3.go), defines the S3 flags (--region,
// --profile, --endpoint-url, --no-sign-request, --since, --until, ...) on
// the load command's flag set; s3Hook reads their values.
var s3Flags func(fs *flag.FlagSet)

package main

// The flags that several commands take, each defined once: a constructor
// defines it on a command's flag set, with one name and one help text, and
// returns where its value lands; the command passes that value down. No
// flag is reached through a global or set up by an init function.

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/internal/when"
	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/loader/source"
)

// defaultDB is the database used when neither --db nor S3LOGS_DB is given.
const defaultDB = "s3logs.duckdb"

// dbFlag defines the shared --db flag on fs: the DuckDB file to use,
// default s3logs.duckdb in the working directory or $S3LOGS_DB.
func dbFlag(fs *flag.FlagSet) *string {
	def := defaultDB
	if v := os.Getenv("S3LOGS_DB"); v != "" {
		def = v
	}
	return dbFlagDefault(fs, def, "; env S3LOGS_DB")
}

// dbFlagDefault defines --db on fs with the default def; note ends the
// help's parenthesis. demo uses it for a database in memory by default.
func dbFlagDefault(fs *flag.FlagSet, def, note string) *string {
	v := dbPathValue(def)
	fs.Var(&v, "db", "DuckDB database `PATH` (:memory: for a throwaway one"+note+")")
	return (*string)(&v)
}

// dbPathValue is the value of --db: an empty path (an unset variable, as in
// --db "$DB") is a usage error, not a throwaway in-memory database.
type dbPathValue string

func (v *dbPathValue) String() string { return string(*v) }

func (v *dbPathValue) Set(s string) error {
	if s == "" {
		return errors.New("empty database path (an unset variable?): give a file, or :memory: for a throwaway database")
	}
	*v = dbPathValue(s)
	return nil
}

// window is the time window of --since and --until: the rows (or events)
// at or after Since and before Until; a zero bound is no bound. load and
// detect (and so the shell's .detect) take it.
type window struct {
	since, until timeValue
}

// windowFlags defines --since and --until on fs; their relative forms
// (24h, now-7d) count back from now. Their values are checked as they are
// parsed, so a bad time is a usage error naming the flag.
func windowFlags(fs *flag.FlagSet, now time.Time) *window {
	w := &window{since: timeValue{now: now}, until: timeValue{now: now}}
	fs.Var(&w.since, "since", "only rows at or after `TIME`: "+when.Forms)
	fs.Var(&w.until, "until", "only rows before `TIME` (same forms as --since)")
	return w
}

// bounds returns the window, or a usage error when --until is not after
// --since.
func (w *window) bounds() (since, until time.Time, err error) {
	since, until = w.since.t, w.until.t
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		return since, until, usagef("--until must be after --since")
	}
	return since, until, nil
}

// timeValue is a flag.Value holding a time parsed with when.Parse; the
// empty string is the zero time, no bound.
type timeValue struct {
	now  time.Time
	t    time.Time
	text string
}

// String returns the text as given.
func (v *timeValue) String() string {
	if v == nil {
		return ""
	}
	return v.text
}

// Set parses s.
func (v *timeValue) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		v.t, v.text = time.Time{}, s
		return nil
	}
	t, err := when.Parse(s, v.now)
	if err != nil {
		return err
	}
	v.t, v.text = t, s
	return nil
}

// excludeFlag defines the repeatable --exclude on fs: patterns of files
// load leaves out, checked as they are parsed.
func excludeFlag(fs *flag.FlagSet) *globList {
	g := &globList{}
	fs.Var(g, "exclude", "leave out files whose name, or its last parts, match `GLOB` (such as '*.md' or 'docs/*'; repeatable)")
	return g
}

// globList is a flag.Value collecting filepath.Match patterns.
type globList []string

// String returns the patterns joined by commas.
func (g *globList) String() string {
	if g == nil {
		return ""
	}
	return strings.Join(*g, ",")
}

// Set adds one pattern, refusing one filepath.Match cannot read.
func (g *globList) Set(p string) error {
	if _, err := filepath.Match(p, ""); err != nil {
		return fmt.Errorf("bad pattern %q: %w", p, err)
	}
	*g = append(*g, p)
	return nil
}

// maxLineFlag defines --max-line-bytes on fs: the longest line load reads
// (loader.MaxLineBytes by default); a longer one is rejected with its
// length and read to its end without being held in memory.
func maxLineFlag(fs *flag.FlagSet) *byteSize {
	v := byteSize(loader.MaxLineBytes)
	fs.Var(&v, "max-line-bytes", "longest line read, as `SIZE` (bytes, or with K, M or G for KiB, MiB, GiB); a longer line is rejected with its length and skipped")
	return &v
}

// byteSize is a flag.Value of a positive number of bytes: 1048576, 1024K,
// 1M, 1MiB, 1G.
type byteSize int

// String returns the size in bytes.
func (b *byteSize) String() string {
	if b == nil {
		return ""
	}
	return strconv.Itoa(int(*b))
}

// Set parses s.
func (b *byteSize) Set(s string) error {
	num := strings.TrimSpace(s)
	mult := int64(1)
	up := strings.ToUpper(num)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(up, u.suffix) {
			num, mult = strings.TrimSpace(num[:len(num)-len(u.suffix)]), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return fmt.Errorf("want a positive size such as 8M or 1048576, got %q", s)
	}
	if n*mult > math.MaxInt32 {
		return fmt.Errorf("%q is more than 2 GiB, the longest line a record batch can hold", s)
	}
	*b = byteSize(n * mult)
	return nil
}

// formatFlag defines --format on fs: one of formats, def when not given.
// The command checks the value (render.ParseFormat, or its own list).
func formatFlag(fs *flag.FlagSet, formats []string, def string) *string {
	return fs.String("format", def, "output `FORMAT`: "+strings.Join(formats, ", "))
}

// queriesDirFlag defines --queries-dir on fs: the user's folder of saved
// queries, read after the built-in ones and the default folder (see
// loadCatalog).
func queriesDirFlag(fs *flag.FlagSet) *string {
	return fs.String("queries-dir", "", "folder `DIR` of your own saved queries (default: the s3logs/queries folder of your user config directory)")
}

// paramFlag collects repeated --param key=value flags.
type paramFlag map[string]string

// paramsFlag defines the repeatable --param on fs and returns its values.
func paramsFlag(fs *flag.FlagSet) paramFlag {
	p := paramFlag{}
	fs.Var(p, "param", "`key=value` parameter of the saved query (repeatable)")
	return p
}

// String is for flag.Value; the values are never printed as a default.
func (p paramFlag) String() string { return "" }

// Set adds one key=value; a key given twice is an error.
func (p paramFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	if _, dup := p[k]; dup {
		return fmt.Errorf("parameter %s given twice", k)
	}
	p[k] = val
	return nil
}

// awsFlags defines on fs the flags that say how to reach S3 (--region,
// --profile, --endpoint-url, --no-sign-request). Load and export both take
// them, with the same environment defaults: an endpoint from
// AWS_ENDPOINT_URL_S3 is addressed path-style by awscfg only when it comes
// through Options.Endpoint.
func awsFlags(fs *flag.FlagSet) *awscfg.Options {
	o := &awscfg.Options{}
	fs.StringVar(&o.Region, "region", "", "AWS `REGION` of the bucket (default: AWS_REGION, the profile's, or us-east-1)")
	fs.StringVar(&o.Profile, "profile", "", "`NAME` of a profile in the shared AWS config and credentials files (default: AWS_PROFILE)")
	fs.StringVar(&o.Endpoint, "endpoint-url", firstEnv("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
		"`URL` of an S3-compatible store or local server, addressed path-style (default: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL)")
	fs.BoolVar(&o.NoSign, "no-sign-request", false, "send anonymous requests, for public buckets (no credentials are looked up)")
	return o
}

// firstEnv returns the first non-empty environment variable of names.
func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// inputFormatFlag defines load's --format on fs: the format of every
// source's records (text, json or parquet); by default each file or
// object's is detected from its content (source.Decode).
func inputFormatFlag(fs *flag.FlagSet) *source.Format {
	f := new(source.Format)
	fs.Func("format", "read every SOURCE as `FORMAT`: text, json (AWS's CloudWatch Logs records, one per line) or parquet (default: detected per file from its content)", func(s string) error {
		v, err := source.ParseFormat(s)
		*f = v
		return err
	})
	return f
}

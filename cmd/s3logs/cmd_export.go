package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/export"
	"github.com/s3logs/s3logs/internal/render"
	"github.com/s3logs/s3logs/queries"
)

func init() {
	register(&command{
		Name:    "export",
		Usage:   "export [--db PATH] (--query SQL | --saved NAME [--param key=value ...] [--queries-dir DIR] | --table) --out PATH|- [--format parquet|csv|json] [--partition-by day|hour] [--compression zstd|snappy|gzip|none] [--force]",
		Summary: "Write query results, the table or a partitioned lake as Parquet",
		Help: `Writes Parquet that keeps the table's types: timestamps as UTC timestamps,
bigints, additionalFields and p_any_* as lists of strings.

--query runs SQL (Panther macros such as p_occurs_since are expanded);
--saved runs a saved query (see 's3logs queries list'; your own are read
from --queries-dir as well) with --param values;
--table exports the whole aws_s3serveraccess table. The output is one file,
written under a temporary name and renamed, so it appears whole or not at
all; an existing file is replaced only with --force. When --out is a folder
(or ends in /) the file is named export.parquet (aws_s3serveraccess.parquet
for --table). An --out ending in .csv, or .json, .ndjson or .jsonl (each
maybe followed by .gz or .zst) writes CSV with a header or newline-delimited
JSON instead; any other extension is an error (--format names the format).
--out - writes to standard output: CSV or JSON (--format csv|json) to a
pipe byte for byte or to a terminal with control characters shown escaped,
Parquet only when standard output is not a terminal.

--table --partition-by day|hour writes a lake in Hive layout,
year=YYYY/month=MM/day=DD[/hour=HH]/, one file per partition, and prints the
DDL to query it from Athena, Trino, Spark and DuckDB. Export into the same
lake again after loading more logs: only the partitions whose rows changed
are rewritten, each swapped in whole, so the lake never holds a row twice
(its state is kept in _s3logs_export.json at its root). The lake remembers
the database it was exported from: exporting another one into it is refused
(it would mix the two) unless --force.

--out s3://bucket/prefix/ uploads the export to S3 with the usual AWS
credentials (--profile, --region, --endpoint-url as for load).`,
		Examples: []string{
			"s3logs export --query \"SELECT * FROM aws_s3serveraccess WHERE httpstatus = 403\" --out denied.parquet",
			"s3logs export --saved principal_activity --param principal=arn:aws:iam::123456789012:user/alice --param start=now-7d --out alice.parquet",
			"s3logs export --table --out all.parquet --compression snappy",
			"s3logs export --query \"SELECT * FROM aws_s3serveraccess WHERE p_occurs_since('1 d')\" --out today.csv.gz",
			"s3logs export --table --partition-by day --out lake/",
			"s3logs export --table --partition-by hour --out s3://my-bucket/s3logs-lake/ --profile sec",
			"s3logs export --timeline --table --out case.jsonl --ip-ranges ip-ranges.json",
			"s3logs export --table --aws-names --partition-by day --out lake-aws/",
		},
		Run: runExport,
	})
}

// exportFlags are the export command's flags.
type exportFlags struct {
	db, query, saved, out, partition, compression *string
	queriesDir, format                            *string
	table, force, timeline, awsNames              *bool
	params                                        paramFlag
	aws                                           *awscfg.Options
	intel                                         *intelFlags
}

func defineExportFlags(fs *flag.FlagSet) *exportFlags {
	f := &exportFlags{}
	f.db = dbFlag(fs)
	f.query = fs.String("query", "", "`SQL` whose results are exported")
	f.saved = fs.String("saved", "", "`NAME` of a saved query whose results are exported")
	f.params = paramsFlag(fs)
	f.queriesDir = queriesDirFlag(fs)
	f.table = fs.Bool("table", false, "export the whole aws_s3serveraccess table")
	f.out = fs.String("out", "", "output `PATH`: a .parquet, .csv or .json file, a folder, s3://bucket/prefix/, or - for standard output (required)")
	f.format = fs.String("format", "", "`parquet|csv|json` instead of the one --out's name implies (needed for csv or json with --out -)")
	f.partition = fs.String("partition-by", "", "with --table, write a Hive-layout lake partitioned by `day|hour` of p_event_time")
	f.compression = fs.String("compression", "", "`codec`: "+strings.Join(export.Compressions, ", ")+" (default zstd for Parquet; for CSV and JSON gzip or zstd by a .gz or .zst suffix, else none)")
	f.force = fs.Bool("force", false, "replace an existing output (for a lake: rewrite every partition)")
	f.awsNames = fs.Bool("aws-names", false, "with --table, name the columns as AWS's JSON server access log records do (the s3_access_logs view's names: request_time, http_status...), so the lake unions with an S3 Tables mirror")
	f.aws = awsFlags(fs) // for s3:// outputs, as for load
	f.timeline = fs.Bool("timeline", false, "write a Timesketch timeline to a .jsonl or .csv --out: message, datetime, timestamp_desc, then the columns (--table: of the enriched view), in time order")
	f.intel = defineIntelFlags(fs)
	return f
}

// runExport is the export command: flags to options, then export.Run, then
// the summary (stderr) and, for a lake, its DDL (stdout).
func runExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("export")
	f := defineExportFlags(fs)
	if err := env.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (SQL goes in --query, the output in --out)", fs.Arg(0))
	}
	opts, err := f.options(ctx, env.Stderr)
	if err != nil {
		return err
	}
	d, err := env.openExisting(ctx, *f.db) // a missing file is an error, not an empty export
	if err != nil {
		return err
	}
	defer d.Close()
	_, done, err := f.intel.apply(ctx, d)
	if err != nil {
		return err
	}
	defer done()
	if *f.saved != "" {
		// A saved query may come from anyone's pack: one read-only query.
		if err := queries.CheckReadOnly(ctx, d, opts.Query); err != nil {
			return fmt.Errorf("--saved %s: %w", *f.saved, err)
		}
	}
	if opts.Out == "-" {
		return env.exportToStdout(ctx, d, opts)
	}
	res, err := export.Run(ctx, d, opts)
	if err != nil {
		if errors.Is(err, export.ErrUsage) {
			return usagef("%s", err)
		}
		return err
	}
	reportExport(env, res, opts)
	return nil
}

// options checks the flags and turns them into export options: the saved
// query is bound, macros are expanded, and an S3 client is made for s3://.
func (f *exportFlags) options(ctx context.Context, stderr io.Writer) (export.Options, error) {
	if n := exportCountTrue(*f.query != "", *f.saved != "", *f.table); n != 1 {
		return export.Options{}, usagef("give exactly one of --query, --saved and --table")
	}
	if *f.out == "" {
		return export.Options{}, usagef("--out is required")
	}
	if len(f.params) > 0 && *f.saved == "" {
		return export.Options{}, usagef("--param needs --saved")
	}
	if *f.out == "-" && *f.partition != "" {
		return export.Options{}, usagef("--out - writes one file to standard output; a lake (--partition-by) needs a folder")
	}
	opts := export.Options{
		Format:      strings.ToLower(*f.format),
		Table:       *f.table,
		Out:         *f.out,
		PartitionBy: *f.partition,
		Compression: *f.compression,
		Force:       *f.force,
		Timeline:    *f.timeline,
		AWSNames:    *f.awsNames,
	}
	var err error
	switch {
	case *f.query != "":
		if opts.Query, err = queries.Expand(*f.query); err != nil {
			return export.Options{}, usagef("--query: %s", err)
		}
	case *f.saved != "":
		if opts.Query, opts.Args, err = exportBindSaved(stderr, *f.saved, *f.queriesDir, f.params); err != nil {
			return export.Options{}, err
		}
	}
	if strings.HasPrefix(opts.Out, "s3://") {
		c, err := awscfg.S3Client(ctx, *f.aws)
		if err != nil {
			return export.Options{}, err
		}
		opts.S3 = c
	}
	return opts, nil
}

// exportToStdout runs the export into a temporary file and copies it to
// standard output (--out -). Parquet is binary: it goes to a pipe or a
// file, never to a terminal. CSV or JSON on a terminal has its control
// characters escaped (copyVisible).
func (env *Env) exportToStdout(ctx context.Context, d *db.DB, opts export.Options) error {
	if opts.Format == "" {
		opts.Format = export.Parquet
	}
	if opts.Format == export.Parquet && env.IsTerminal(env.Stdout) {
		return usagef("--out - on a terminal: Parquet is binary; pipe it to a program, give --format csv or json, or --out FILE")
	}
	dir, err := os.MkdirTemp("", "s3logs-export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	opts.Out = filepath.Join(dir, "export")
	res, err := export.Run(ctx, d, opts)
	if err != nil {
		if errors.Is(err, export.ErrUsage) {
			return usagef("%s", strings.ReplaceAll(err.Error(), opts.Out, "-"))
		}
		return errors.New(strings.ReplaceAll(err.Error(), opts.Out, "standard output"))
	}
	f, err := os.Open(res.Out)
	if err != nil {
		return err
	}
	defer f.Close()
	copyOut := func() error { _, err := io.Copy(env.Stdout, f); return err }
	if env.IsTerminal(env.Stdout) && (opts.Compression == "" || opts.Compression == "none") {
		// Text on a terminal: log fields are the requester's text, so their
		// control characters are shown escaped, as query's formats do; a pipe
		// or a file gets the bytes exactly.
		escape := render.Visible
		if opts.Format == export.JSON {
			escape = func(s string) string { return string(escapeJSONControls([]byte(s))) } // still JSON
		}
		copyOut = func() error { return copyVisible(env.Stdout, f, escape) }
	}
	if err := copyOut(); err != nil {
		return fmt.Errorf("write to standard output: %w", err)
	}
	fmt.Fprintf(env.Stderr, "exported %s rows to standard output\n", queries.GroupDigits(res.Rows))
	return nil
}

// exportCountTrue counts the true values.
func exportCountTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// exportBindSaved loads the saved queries as every command does
// (loadCatalog: built-in, the user's default folder, then --queries-dir)
// and binds the one called name, saying on stderr when it is a user's file
// that overrides a built-in.
func exportBindSaved(stderr io.Writer, name, queriesDir string, params map[string]string) (string, []any, error) {
	cat, err := loadCatalog(queriesDir)
	if err != nil {
		return "", nil, err
	}
	q, err := cat.Get(name)
	if err != nil {
		return "", nil, usagef("--saved: %s", err)
	}
	if note := q.OverrideNote(); note != "" {
		fmt.Fprintln(stderr, note) // a user's file shadows a built-in
	}
	text, args, err := q.Bind(params)
	if err != nil {
		return "", nil, usagef("%s", err)
	}
	return text, args, nil
}

// reportExport prints a one-line summary on stderr and, for a lake, the DDL
// on stdout.
func reportExport(env *Env, res export.Result, opts export.Options) {
	if opts.PartitionBy == "" {
		size := ""
		if fi, err := os.Stat(res.Out); err == nil {
			size = fmt.Sprintf(" (%s)", exportByteSize(fi.Size()))
		}
		fmt.Fprintf(env.Stderr, "exported %s rows to %s%s\n", queries.GroupDigits(res.Rows), res.Out, size)
		return
	}
	removed := ""
	if res.Removed > 0 {
		removed = fmt.Sprintf(", %s removed (their rows are gone or on other days now)", queries.GroupDigits(int64(res.Removed)))
	}
	fmt.Fprintf(env.Stderr, "exported %s rows in %s partitions (%s files) to %s; %s partitions unchanged%s\n",
		queries.GroupDigits(res.Rows), queries.GroupDigits(int64(res.Partitions)), queries.GroupDigits(int64(len(res.Files))), res.Out, queries.GroupDigits(int64(res.Unchanged)), removed)
	if res.NoTime > 0 {
		fmt.Fprintf(env.Stderr, "warning: %s rows without p_event_time are not in the lake\n", queries.GroupDigits(res.NoTime))
	}
	fmt.Fprint(env.Stdout, res.DDL)
}

// exportByteSize formats n bytes for people.
func exportByteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// copyVisible copies the text of src to the terminal dst a line at a time,
// each line (without its line end, which is kept) passed through escape:
// render.Visible for CSV (\x1B...), escapeJSONControls for JSON.
func copyVisible(dst io.Writer, src io.Reader, escape func(string) string) error {
	br := bufio.NewReader(src)
	bw := bufio.NewWriter(dst)
	for {
		line, err := br.ReadString('\n')
		if text, ok := strings.CutSuffix(line, "\n"); ok {
			bw.WriteString(escape(text))
			bw.WriteByte('\n')
		} else {
			bw.WriteString(escape(line))
		}
		if err == io.EOF {
			return bw.Flush()
		}
		if err != nil {
			return err
		}
	}
}

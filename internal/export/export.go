// Package export writes s3logs data out: the result of a query, the whole
// aws_s3serveraccess table, or a Hive-layout lake partitioned by event time
// that Athena, Trino, Spark and DuckDB can scan in place. `s3logs export`
// and the shell's .export call Run.
//
// DuckDB's COPY ... TO ... (FORMAT parquet) does the writing, so the files
// keep the schema's types: timestamps are Parquet TIMESTAMP(MICROS,
// isAdjustedToUTC=true), bigints INT64, additionalFields and the p_any_*
// columns LIST<STRING>, column names exactly as in package schema. An output
// named .csv or .json/.ndjson/.jsonl (maybe .gz or .zst) is written as CSV
// or newline-delimited JSON instead.
//
// Writes are atomic: a file is written under a temporary name in its final
// directory, synced and renamed into place, so it appears whole or not at
// all. An existing output is refused unless Options.Force is set. Errors
// name the output, never the temporary file.
//
// A lake (Options.Table with Options.PartitionBy) is laid out as
// year=YYYY/month=MM/day=DD[/hour=HH]/part-<run>-<n>.parquet, from
// p_event_time, zero-padded so that Athena partition projection works, one
// file per partition and run. It is exported into again and again without
// ever holding a row twice: a state file _s3logs_export.json at the lake's
// root records, per partition, its files, row count and a hash of the
// (p_row_id, p_parse_time) of its rows. Each run computes the same from the
// database, in one transaction with the COPY, and rewrites whole exactly the
// partitions whose content differs (or whose files were deleted from the
// lake). The new files are written to a temporary directory beside the lake
// and each partition directory is swapped in with one atomic rename
// (RENAME_EXCHANGE on Linux), under an flock on the lake's directory that
// keeps a second export out. Partitions the database has no rows for are
// left as they are; rows without p_event_time are counted, not exported.
//
// Outputs starting with s3:// are written locally to a temporary directory
// and uploaded with Options.S3 (awscfg.S3Client). A file is one PutObject; a
// lake partition is replaced by uploading its new files and then deleting
// its other objects (a reader at that moment may see both; S3 has no
// rename), with the state file written last.
package export

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/schema"
)

// Partition granularities accepted in Options.PartitionBy.
const (
	ByDay  = "day"
	ByHour = "hour"
)

// Formats accepted in Options.Format. Lakes are Parquet only.
const (
	Parquet = "parquet"
	CSV     = "csv"  // with a header line
	JSON    = "json" // newline-delimited JSON objects
)

// Compressions accepted in Options.Compression (CSV and JSON: gzip, zstd
// and none).
var Compressions = []string{"zstd", "snappy", "gzip", "none"}

// DefaultCompression is used for Parquet when Options.Compression is empty.
const DefaultCompression = "zstd"

// StateFile is the name of the lake's state file at its root. Its leading
// underscore makes Hive, Spark, Trino and Athena skip it.
const StateFile = "_s3logs_export.json"

// Errors wrapped by Run, for errors.Is.
var (
	ErrUsage  = errors.New("invalid export options")
	ErrExists = errors.New("already exists; use --force to replace it")
	ErrQuery  = errors.New("query failed")
	ErrWrite  = errors.New("cannot write")
)

// Options says what to export and where. Exactly one of Query and Table is
// set.
type Options struct {
	Query       string           // a SELECT (one statement; a trailing ';' is allowed), with Panther macros already expanded
	Args        []any            // values of the query's ? or $name placeholders (sql.Named values from queries.Query.Bind)
	Table       bool             // export the whole aws_s3serveraccess table
	Out         string           // file path, directory (ends in / or exists) or s3://bucket/prefix; a lake's root for PartitionBy
	PartitionBy string           // "", ByDay or ByHour; needs Table
	Format      string           // Parquet, CSV or JSON; "" infers it from Out (.csv, .json, .ndjson, .jsonl, each maybe + .gz or .zst), else Parquet
	Compression string           // Parquet: zstd (default), snappy, gzip or none; CSV and JSON: from Out's .gz or .zst, else none
	Force       bool             // replace an existing output; for a lake, rewrite every partition
	Timeline    bool             // write Timesketch's layout (message, datetime, timestamp_desc, then the columns), CSV or JSON only
	AWSNames    bool             // with Table: name the columns as AWS's JSON records do (schema.AWSTable), as the s3_access_logs view does
	S3          S3API            // the client used for s3:// outputs; usually awscfg.S3Client's
	Now         func() time.Time // clock for the run id and the DDL's year range; nil means time.Now
}

// Result describes what an export wrote.
type Result struct {
	Out        string   // where the export went: the file, lake root, or s3:// URI
	Files      []string // files written by this run (local paths or s3:// URIs), sorted
	Rows       int64    // rows written by this run
	Partitions int      // lake partitions (re)written by this run
	Unchanged  int      // lake partitions already up to date, not rewritten
	Removed    int      // lake partitions removed: the table has no rows there any more
	NoTime     int64    // table rows without p_event_time, which a lake cannot place (not exported)
	DDL        string   // for a lake: statements to query it from Athena, Trino, Spark and DuckDB
}

// Run exports according to opts from the database d. It returns one error
// that names the output and wraps ErrUsage, ErrExists, ErrQuery, ErrWrite or
// ErrBusy (and the underlying error) when something goes wrong; nothing
// partial is left at the output then. Run takes its own connection from d's
// pool, so temporary tables and SET values of another connection (a shell
// session's) are not visible to the query.
func Run(ctx context.Context, d *db.DB, opts Options) (Result, error) {
	if err := opts.defaults(); err != nil {
		return Result{}, fmt.Errorf("export %s: %w", opts.Out, err)
	}
	if err := opts.check(); err != nil {
		return Result{}, fmt.Errorf("export %s: %w", opts.Out, err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PartitionBy != "" {
		return runLake(ctx, d, opts)
	}
	return runFile(ctx, d, opts)
}

// defaults fills in the format and compression implied by Out. A file name
// whose extension names no format (x.csv.bz2, x.txt, x.parquet.gz) is a
// usage error rather than Parquet under that name; a name without one, a
// folder, and a lake's root are Parquet.
func (o *Options) defaults() error {
	name := strings.ToLower(o.Out)
	ext := path.Ext(name)
	if ext == ".gz" || ext == ".zst" {
		name = strings.TrimSuffix(name, ext)
	}
	if o.Format == "" {
		switch inner := path.Ext(name); {
		case inner == ".csv":
			o.Format = CSV
		case inner == ".json" || inner == ".ndjson" || inner == ".jsonl":
			o.Format = JSON
		case o.PartitionBy != "" || strings.HasSuffix(o.Out, "/") || strings.HasSuffix(o.Out, string(filepath.Separator)) || isDir(o.Out):
			o.Format = Parquet
		case inner == ".parquet" && ext == inner, ext == "":
			o.Format = Parquet
		default:
			return fmt.Errorf("%w: cannot tell the format from the name %s: want .parquet, or .csv, .json, .ndjson or .jsonl (these maybe + .gz or .zst)", ErrUsage, path.Base(o.Out))
		}
	}
	if o.Compression == "" {
		switch {
		case o.Format == Parquet:
			o.Compression = DefaultCompression
		case ext == ".gz":
			o.Compression = "gzip"
		case ext == ".zst":
			o.Compression = "zstd"
		default:
			o.Compression = "none"
		}
	}
	return nil
}

// check validates the combination of options.
func (o *Options) check() error {
	switch {
	case o.Out == "":
		return fmt.Errorf("%w: no output path", ErrUsage)
	case o.Table && strings.TrimSpace(o.Query) != "":
		return fmt.Errorf("%w: give a query or the table, not both", ErrUsage)
	case !o.Table && strings.TrimSpace(o.Query) == "":
		return fmt.Errorf("%w: give a query or the table", ErrUsage)
	case o.PartitionBy != "" && o.PartitionBy != ByDay && o.PartitionBy != ByHour:
		return fmt.Errorf("%w: partition by %q: want day or hour", ErrUsage, o.PartitionBy)
	case o.PartitionBy != "" && !o.Table:
		return fmt.Errorf("%w: partitioning needs the table export (--table)", ErrUsage)
	case o.AWSNames && !o.Table:
		return fmt.Errorf("%w: AWS's names are for the table export (--table); a query names its own columns", ErrUsage)
	case isS3(o.Out) && o.S3 == nil:
		return fmt.Errorf("%w: no S3 client for an s3:// output", ErrUsage)
	case o.Format != Parquet && o.Format != CSV && o.Format != JSON:
		return fmt.Errorf("%w: format %q: want parquet, csv or json", ErrUsage, o.Format)
	case o.PartitionBy != "" && o.Format != Parquet:
		return fmt.Errorf("%w: a partitioned lake is Parquet, not %s", ErrUsage, o.Format)
	case o.Timeline && (o.Format == Parquet || o.PartitionBy != ""):
		return fmt.Errorf("%w: a timeline is a .csv or .jsonl file (Timesketch imports those), not Parquet", ErrUsage)
	}
	_, err := o.formatSQL()
	return err
}

// formatSQL returns the FORMAT and COMPRESSION options of COPY.
func (o *Options) formatSQL() (string, error) {
	c := o.Compression
	switch {
	case o.Format == Parquet && c == "none":
		c = "uncompressed"
	case o.Format == Parquet && (c == "zstd" || c == "snappy" || c == "gzip"):
	case o.Format != Parquet && (c == "none" || c == "zstd" || c == "gzip"):
	default:
		return "", fmt.Errorf("%w: compression %q for %s: want one of %s", ErrUsage, c, o.Format, strings.Join(Compressions, ", "))
	}
	header := ""
	if o.Format == CSV {
		header = ", HEADER true"
	}
	return fmt.Sprintf("FORMAT %s%s, COMPRESSION %s", o.Format, header, c), nil
}

// source returns the SELECT whose rows are exported.
func (o *Options) source() string {
	if o.Timeline {
		return timelineSource(trimQuery(o.Query), o.Table)
	}
	if o.Table {
		// In table order (the order of loading): sorting would cost more than
		// the write itself. Lakes are sorted by time (see lakeQuery).
		return "SELECT " + o.columns() + " FROM " + schema.Quote(schema.TableName)
	}
	return trimQuery(o.Query)
}

// columns returns the select list of a table export: every column, under
// AWS's names with AWSNames.
func (o *Options) columns() string {
	if o.AWSNames {
		return schema.AWSSelectList()
	}
	return "*"
}

// table returns the columns a table export writes.
func (o *Options) table() *schema.Table {
	if o.AWSNames {
		return schema.AWSTable()
	}
	return schema.S3ServerAccess
}

// trimQuery removes surrounding space and trailing semicolons, so that the
// query can be wrapped in COPY (...).
func trimQuery(q string) string {
	q = strings.TrimSpace(q)
	for strings.HasSuffix(q, ";") {
		q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	}
	return q
}

// defaultName is the file name used when Out names a directory.
func (o *Options) defaultName() string {
	if o.Table {
		return schema.TableName + ".parquet"
	}
	return "export.parquet"
}

// copyError classifies an error of a COPY statement writing to tmp (shown as
// final): DuckDB I/O errors are write errors, others are the query's fault.
func copyError(err error, tmp, final string) error {
	msg := strings.ReplaceAll(err.Error(), tmp, final)
	var de *duckdb.Error
	if errors.As(err, &de) && (de.Type == duckdb.ErrorTypeIO || de.Type == duckdb.ErrorTypePermission) {
		return fmt.Errorf("%w: %s", ErrWrite, msg)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: %s", ErrQuery, msg)
}

// copySQL returns the COPY statement writing query to path (options
// checked already).
func copySQL(query, path string, opts *Options, extra string) string {
	f, _ := opts.formatSQL()
	return fmt.Sprintf("COPY (\n%s\n) TO %s (%s%s)", query, schema.Literal(path), f, extra)
}

// runFile exports one Parquet file, locally or to S3.
func runFile(ctx context.Context, d *db.DB, opts Options) (Result, error) {
	if isS3(opts.Out) {
		return runFileS3(ctx, d, opts)
	}
	path := opts.Out
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(filepath.Separator)) || isDir(path) {
		path = filepath.Join(path, opts.defaultName())
	}
	if _, err := os.Lstat(path); err == nil && !opts.Force {
		return Result{}, fmt.Errorf("export %s: %w", path, ErrExists)
	}
	rows, err := writeFile(ctx, d, opts, path)
	if err != nil {
		return Result{}, fmt.Errorf("export %s: %w", path, err)
	}
	return Result{Out: path, Files: []string{path}, Rows: rows}, nil
}

// isDir reports whether path is an existing directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// writeFile writes the export to path atomically: a temporary file in the
// same directory, synced, then renamed over path.
func writeFile(ctx context.Context, d *db.DB, opts Options, path string) (int64, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrWrite, err)
	}
	removeStaleTemps(dir, filepath.Base(path))
	f, err := os.CreateTemp(dir, tempPrefix(filepath.Base(path))+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return 0, fmt.Errorf("%w: cannot create a file in %s: %v", ErrWrite, dir, err)
	}
	tmp := f.Name()
	f.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmp)
		}
	}()
	conn, err := d.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	defer db.LimitMemory(ctx, conn, ExportMemory)()
	// DuckDB's own temporary file is redundant with ours.
	res, err := conn.ExecContext(ctx, copySQL(opts.source(), tmp, &opts, ", USE_TMP_FILE false"), opts.Args...)
	if err != nil {
		return 0, copyError(err, tmp, path)
	}
	rows, _ := res.RowsAffected()
	if err := syncFile(tmp); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrWrite, err)
	}
	// CreateTemp made the file private; an export is an ordinary file.
	if err := os.Chmod(tmp, 0o644); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrWrite, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrWrite, err)
	}
	done = true
	syncDir(dir)
	return rows, nil
}

// tempPrefix is how the temporary files of an export to name begin: then
// the writer's PID, a dash and a random part (.NAME.tmp-PID-RANDOM).
func tempPrefix(name string) string { return "." + name + ".tmp-" }

// removeStaleTemps removes the temporary files an export to name left in
// dir when it was killed: those of a process that is no longer running, and
// those without a PID (written before it was part of the name). A running
// export's file is left alone.
func removeStaleTemps(dir, name string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), tempPrefix(name))
		if !ok || e.IsDir() {
			continue
		}
		pidText, _, withPID := strings.Cut(rest, "-")
		if pid, err := strconv.Atoi(pidText); withPID && err == nil && processRunning(pid) {
			continue
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
}

// processRunning reports whether a process with that PID is running.
func processRunning(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// syncFile flushes a written file to stable storage.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir flushes a directory's entries (after a rename); best effort, as
// some file systems do not support it.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

package ingest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/loader/source"
	"github.com/s3logs/s3logs/schema"
)

// Status values of a manifest row.
const (
	StatusLoaded  = "loaded"  // the whole object is in the tables
	StatusPartial = "partial" // a prefix of the object is in the tables; the load was interrupted
	StatusError   = "error"   // reading the object failed; error says why (rows read before the failure are kept)
	// StatusRefused: the object's bytes cannot be read in full as a log
	// (not a log, other compression, truncated or corrupt gzip; see
	// source.IsContentError); error says why, rows read before the damage
	// are kept. It is skipped, with a note, while unchanged.
	StatusRefused = "refused"
)

// manifestRow is one row of the manifest.
type manifestRow struct {
	ID, Name                       string
	Size                           int64
	MTime                          time.Time
	ETag                           string
	Bytes, Lines, Rows, Rejected   int64
	Blank, Filtered                int64
	Status, Error, Checksum, Label string
	LoadedAt                       time.Time
	Windows                        string // see windows.String
	Replaced                       int64  // rows with bytes that are not valid UTF-8 (loader.Stats.Replaced)
}

// readManifest returns the manifest rows by id.
func readManifest(ctx context.Context, q driver.QueryerContext) (map[string]manifestRow, error) {
	m := map[string]manifestRow{}
	if err := scanManifest(ctx, q, "", nil, func(r manifestRow) { m[r.ID] = r }); err != nil {
		return nil, err
	}
	return m, nil
}

func asInt(v any) int64 {
	i, _ := v.(int64)
	return i
}

// job is one object to read, with what the manifest knows of it.
type job struct {
	obj   source.Object
	label string
	prev  *manifestRow // the manifest row of an earlier load, nil if none
	// resume: the object is a local plain file that only grew since prev
	// (the worker checks its bytes before trusting this).
	resume bool
	// format is the format of the object's records: detected by
	// source.Decode, or Options.Format; set by the worker before parsing.
	format source.Format
	// windows are the time windows whose rows are kept (see widen); widen:
	// the object is unchanged but read again for rows an earlier, narrower
	// window left out.
	windows windows
	widen   bool
	// counted is how much of the object's stored bytes its worker has read
	// (see countReader), for Progress.
	counted int64
}

// plan decides what to do with o given the manifest: nil means it is
// already loaded and unchanged.
func plan(o source.Object, m map[string]manifestRow) *job {
	prev, ok := m[o.ID]
	if !ok {
		return &job{obj: o}
	}
	j := &job{obj: o, prev: &prev}
	same := prev.Size == o.Size && o.Size >= 0
	if o.ETag != "" || prev.ETag != "" {
		same = same && prev.ETag == o.ETag
	} else {
		same = same && prev.MTime.UnixMicro() == o.ModTime.UnixMicro() && !o.ModTime.IsZero()
	}
	switch {
	case (prev.Status == StatusLoaded || prev.Status == StatusRefused) && same:
		return nil
	case prev.Status == StatusLoaded && o.ETag == "" && prev.ETag == "" &&
		o.Size > prev.Size && prev.Bytes == prev.Size && prev.Checksum != "":
		j.resume = true
	}
	return j
}

// manifestCols is the number of columns of the manifest.
var manifestCols = len(schema.Manifest.Columns)

// deleteManifestRows deletes the manifest rows of ids, within the current
// transaction, 500 at a time.
func deleteManifestRows(ctx context.Context, ex driver.ExecerContext, ids []string) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]driver.NamedValue, n)
		for i, id := range ids[:n] {
			args[i] = driver.NamedValue{Ordinal: i + 1, Value: id}
		}
		q := "DELETE FROM " + schema.ManifestTableName + " WHERE id IN (" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
		if _, err := ex.ExecContext(ctx, q, args); err != nil {
			return fmt.Errorf("update %s: %w", schema.ManifestTableName, err)
		}
		ids = ids[n:]
	}
	return nil
}

// manifestSchema is the Arrow schema of the manifest.
var manifestSchema = schema.Manifest.ArrowSchema()

// manifestRecord builds the manifest rows rows as one record batch, in
// the order of schema.Manifest's columns, NULL for an empty etag, error,
// checksum or windows and a zero mtime. The caller releases the record.
//
// The manifest rows of a commit go in through an Arrow view, as the
// rejects do (see view.go): before, they went in as INSERT ... VALUES
// statements of up to 100 rows of 18 values, each bound through the
// driver, which cost more CPU per object than its rows (a load of 100,000
// small S3 objects took 78 s without writing them, 85 to 92 s with), and
// the statements prepared for each number of rows held DuckDB memory that
// grew with the load.
func manifestRecord(alloc memory.Allocator, rows []manifestRow) arrow.RecordBatch {
	b := array.NewRecordBuilder(alloc, manifestSchema)
	defer b.Release()
	b.Reserve(len(rows))
	for _, r := range rows {
		appendString(b.Field(schema.ManID), r.ID)
		appendString(b.Field(schema.ManName), r.Name)
		b.Field(schema.ManSize).(*array.Int64Builder).Append(r.Size)
		if r.MTime.IsZero() {
			b.Field(schema.ManMTime).AppendNull()
		} else {
			b.Field(schema.ManMTime).(*array.TimestampBuilder).Append(arrow.Timestamp(r.MTime.UnixMicro()))
		}
		appendNullIfEmpty(b.Field(schema.ManETag), r.ETag)
		for _, c := range []struct {
			col int
			v   int64
		}{{schema.ManBytes, r.Bytes}, {schema.ManLines, r.Lines}, {schema.ManRows, r.Rows}, {schema.ManRejected, r.Rejected},
			{schema.ManBlank, r.Blank}, {schema.ManFiltered, r.Filtered}, {schema.ManReplaced, r.Replaced}} {
			b.Field(c.col).(*array.Int64Builder).Append(c.v)
		}
		appendString(b.Field(schema.ManStatus), r.Status)
		appendNullIfEmpty(b.Field(schema.ManError), r.Error)
		appendNullIfEmpty(b.Field(schema.ManChecksum), r.Checksum)
		appendString(b.Field(schema.ManLabel), r.Label)
		b.Field(schema.ManLoadedAt).(*array.TimestampBuilder).Append(arrow.Timestamp(r.LoadedAt.UnixMicro()))
		appendNullIfEmpty(b.Field(schema.ManWindows), r.Windows)
	}
	return b.NewRecordBatch()
}

func appendString(b array.Builder, s string) { b.(*array.StringBuilder).Append(s) }

// appendNullIfEmpty appends s, or NULL when it is empty.
func appendNullIfEmpty(b array.Builder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	appendString(b, s)
}

// newManifestReader returns the reader of the manifest rows of in's
// commit (see commit).
func newManifestReader(in *inserter) *pendingReader {
	return pendingOf(manifestSchema, &in.manifestRows, func(rows []manifestRow) arrow.RecordBatch {
		return manifestRecord(in.l.opts.Allocator, rows)
	})
}

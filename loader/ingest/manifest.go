package ingest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math/bits"
	"strings"
	"time"

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

// writeManifest inserts rows (deleting the earlier rows of the ids in
// replace first) within the current transaction: the DELETEs through ex,
// the INSERTs through insert (a statement for each number of rows
// manifestChunk gives, which a stmtCache keeps prepared).
func writeManifest(ctx context.Context, ex driver.ExecerContext, insert execFunc, rows []manifestRow, replace []string) error {
	for len(replace) > 0 {
		n := min(len(replace), 500)
		args := make([]driver.NamedValue, n)
		for i, id := range replace[:n] {
			args[i] = driver.NamedValue{Ordinal: i + 1, Value: id}
		}
		q := "DELETE FROM " + schema.ManifestTableName + " WHERE id IN (" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
		if _, err := ex.ExecContext(ctx, q, args); err != nil {
			return fmt.Errorf("update %s: %w", schema.ManifestTableName, err)
		}
		replace = replace[n:]
	}
	for len(rows) > 0 {
		n := manifestChunk(len(rows))
		tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", manifestCols), ",") + ")"
		q := "INSERT INTO " + schema.ManifestTableName + " VALUES " + strings.TrimSuffix(strings.Repeat(tuple+",", n), ",")
		args := make([]driver.NamedValue, 0, n*manifestCols)
		for _, r := range rows[:n] {
			for _, v := range r.values() {
				args = append(args, driver.NamedValue{Ordinal: len(args) + 1, Value: v})
			}
		}
		if err := insert(ctx, q, args); err != nil {
			return fmt.Errorf("update %s: %w", schema.ManifestTableName, err)
		}
		rows = rows[n:]
	}
	return nil
}

// manifestBatch is the most manifest rows one INSERT writes.
const manifestBatch = 100

// manifestChunk is how many of n manifest rows still to write the next
// INSERT writes: manifestBatch, or fewer as a power of two, so that the
// statements prepared (and kept, see stmtCache) are those of 100, 64, 32,
// 16, 8, 4, 2 and 1 rows whatever the commits' numbers of rows. With one
// statement for each number up to manifestBatch, a load of 100,000 S3
// objects (about 70 commits, each ending in a different number) kept about
// 70 prepared plans of up to 1,800 parameters, which held DuckDB memory
// that grew with the load: about 45 MB more at the end than at 10,000
// objects. At most six more statements a commit.
func manifestChunk(n int) int {
	if n >= manifestBatch {
		return manifestBatch
	}
	return 1 << (bits.Len(uint(n)) - 1)
}

// execFunc runs one statement with args.
type execFunc func(ctx context.Context, q string, args []driver.NamedValue) error

// stmtCache runs statements on one connection, each prepared the first
// time it is run and kept: the manifest's INSERT of 100 rows of 18 values
// took DuckDB longer to parse than to run, again for every commit.
type stmtCache struct {
	conn  driver.ConnPrepareContext
	stmts map[string]driver.Stmt
}

func newStmtCache(conn driver.ConnPrepareContext) *stmtCache {
	return &stmtCache{conn: conn, stmts: map[string]driver.Stmt{}}
}

// exec runs q with args, prepared once.
func (c *stmtCache) exec(ctx context.Context, q string, args []driver.NamedValue) error {
	st, ok := c.stmts[q]
	if !ok {
		var err error
		if st, err = c.conn.PrepareContext(ctx, q); err != nil {
			return err
		}
		c.stmts[q] = st
	}
	_, err := st.(driver.StmtExecContext).ExecContext(ctx, args)
	return err
}

// close closes the prepared statements.
func (c *stmtCache) close() {
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}

// values returns r's values in the order of schema.Manifest's columns.
func (r manifestRow) values() []any {
	v := make([]any, manifestCols)
	v[schema.ManID], v[schema.ManName], v[schema.ManSize] = r.ID, r.Name, r.Size
	if !r.MTime.IsZero() {
		v[schema.ManMTime] = r.MTime
	}
	v[schema.ManETag], v[schema.ManBytes], v[schema.ManLines], v[schema.ManRows] = nullIfEmpty(r.ETag), r.Bytes, r.Lines, r.Rows
	v[schema.ManRejected], v[schema.ManBlank], v[schema.ManFiltered] = r.Rejected, r.Blank, r.Filtered
	v[schema.ManStatus], v[schema.ManError], v[schema.ManChecksum] = r.Status, nullIfEmpty(r.Error), nullIfEmpty(r.Checksum)
	v[schema.ManLabel], v[schema.ManLoadedAt], v[schema.ManWindows] = r.Label, r.LoadedAt, nullIfEmpty(r.Windows)
	v[schema.ManReplaced] = r.Replaced
	return v
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// writeManifestRows deletes the earlier manifest rows of the ids in
// replace and inserts rows, in the open transaction.
//
// They go in as multi-row INSERT ... VALUES statements, prepared once per
// number of rows (see stmtCache), which bind every value through the
// driver. An Arrow batch would
// cost a few microseconds, but since the move to DuckDB 2.0 the Arrow
// views live in an in-memory catalog that a transaction writing to the
// database file cannot register into (see view.go), and the manifest rows
// are known only at commit time: feeding them through a view registered
// before BEGIN is left for later.
func (in *inserter) writeManifestRows(ctx context.Context, rows []manifestRow, replace []string) error {
	return writeManifest(ctx, in.ex, in.stmts.exec, rows, replace)
}

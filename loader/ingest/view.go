package ingest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/schema"
)

// scratchCatalog is an in-memory database attached for the load, where
// the Arrow views live. DuckDB's Arrow scan creates an ordinary view in the
// connection's current catalog, and DuckDB 2.0 refuses to commit one into
// a database file ("Cannot serialize a table function with process-local
// bind input"); so the inserter registers its views in this catalog, and
// only the rows it copies out of them reach the file.
//
// A transaction may write to one attached database only, and registering
// or dropping a view writes to the scratch catalog: so the views are
// registered before the load's first BEGIN and dropped after its last
// COMMIT, each in a transaction of its own, and the transactions only
// read them.
//
// They are registered, and the INSERT from each prepared, once per load,
// not once per transaction, because DuckDB's C API leaks the schema it
// asks an Arrow stream for (the C copy arrow-go exports: the columns, their
// names and formats): duckdb_arrow_scan at each registration, and the
// scan's bind at each query it is bound in (it clears the schema's release
// callback, so nobody frees it). With four views registered and bound per
// transaction, the C heap grew by 96 KB a transaction; registered once, with
// prepared INSERTs (bound once), by 2 KB (TestTransactionsKeepCMemory).
//
// A registered view scans its stream from where the last scan left it:
// each scan copies the stream and calls its get_next until a batch marks
// the end. So each of the load's readers is armed before each transaction
// (arm) and then yields that transaction's batches and ends; the next
// transaction's INSERT reads on. Hence one INSERT of rows, one of rejects,
// (when there are any) one of replacement marks and one of manifest rows
// per transaction.
const scratchCatalog = "s3logs_scratch"

// The Arrow views of a load, in scratchCatalog, by their index in
// inserter.views: the rows the workers send, and the rejected lines, the
// replacement marks and the manifest rows gathered meanwhile.
const (
	rowsView = iota
	rejectsView
	replacedView
	manifestView
)

// scratchViews are the names of the views, by index; the first is also
// the name an earlier version gave its view in the database itself.
var scratchViews = [...]string{
	rowsView:     "s3logs_ingest_view",
	rejectsView:  "s3logs_ingest_rejects_view",
	replacedView: "s3logs_ingest_replaced_view",
	manifestView: "s3logs_ingest_manifest_view",
}

// viewTables are the tables the views' rows go to, by index.
var viewTables = [...]string{
	rowsView:     schema.TableName,
	rejectsView:  schema.RejectsTableName,
	replacedView: schema.ReplacedTableName,
	manifestView: schema.ManifestTableName,
}

// viewReader is the reader behind a view, armed before each transaction.
type viewReader interface {
	array.RecordReader
	arm()
}

// arrowView is one of the load's views: its reader, the release of its
// registration (nil until registered) and the INSERT from it into its
// table (nil until prepared).
type arrowView struct {
	rdr     viewReader
	release func()
	insert  driver.Stmt
}

// prepareScratch learns the catalog of the tables, attaches scratchCatalog
// and drops views left in either (an earlier version could leave its view
// in the database; a failed load of this process, in the scratch catalog).
func (in *inserter) prepareScratch(ctx context.Context) error {
	rows, err := in.conn.(driver.QueryerContext).QueryContext(ctx, "SELECT current_database()", nil)
	if err != nil {
		return err
	}
	v := make([]driver.Value, 1)
	err = rows.Next(v)
	rows.Close()
	if err != nil {
		return fmt.Errorf("current database: %w", err)
	}
	in.home = schema.Quote(fmt.Sprint(v[0]))
	for _, q := range []string{
		"DROP VIEW IF EXISTS " + in.home + ".main." + scratchViews[rowsView],
		"ATTACH IF NOT EXISTS ':memory:' AS " + scratchCatalog,
	} {
		if _, err := in.ex.ExecContext(ctx, q, nil); err != nil {
			return fmt.Errorf("prepare the Arrow views: %s: %w", q, err)
		}
	}
	for _, name := range scratchViews {
		q := "DROP VIEW IF EXISTS " + scratchCatalog + ".main." + name
		if _, err := in.ex.ExecContext(ctx, q, nil); err != nil {
			return fmt.Errorf("prepare the Arrow views: %s: %w", q, err)
		}
	}
	return nil
}

// openViews makes the load's readers (the stream's, reading msgs until
// streamCtx is cancelled, and those of what is gathered meanwhile),
// registers them as the views and prepares the INSERT from each. It must
// run outside a transaction; on an error, what it did is undone.
func (in *inserter) openViews(ctx, streamCtx context.Context, msgs <-chan message) error {
	in.sr = newStreamReader(in, streamCtx, msgs)
	in.views = [...]arrowView{
		rowsView:     {rdr: in.sr},
		rejectsView:  {rdr: newRejectsReader(in)},
		replacedView: {rdr: newMarksReader(in)},
		manifestView: {rdr: newManifestReader(in)},
	}
	err := in.registerViews()
	for i := range in.views {
		if err != nil {
			break
		}
		q := "INSERT INTO " + in.home + ".main." + schema.Quote(viewTables[i]) + " SELECT * FROM " + scratchCatalog + ".main." + scratchViews[i]
		if in.views[i].insert, err = in.conn.(driver.ConnPrepareContext).PrepareContext(ctx, q); err != nil {
			err = fmt.Errorf("prepare the insert into %s: %w", viewTables[i], err)
		}
	}
	if err != nil {
		in.closeViews()
	}
	return err
}

// registerViews registers the views' readers in scratchCatalog.
func (in *inserter) registerViews() error {
	ctx := context.Background()
	if _, err := in.ex.ExecContext(ctx, "USE "+scratchCatalog, nil); err != nil {
		return fmt.Errorf("use %s: %w", scratchCatalog, err)
	}
	var err error
	for i := range in.views {
		v := &in.views[i]
		if v.release, err = in.ar.RegisterView(v.rdr, scratchViews[i]); err != nil {
			err = fmt.Errorf("register %s: %w", scratchViews[i], err)
			break
		}
	}
	if _, uerr := in.ex.ExecContext(ctx, "USE "+in.home, nil); uerr != nil && err == nil {
		err = fmt.Errorf("use %s: %w", in.home, uerr)
	}
	return err
}

// closeViews closes the prepared INSERTs, drops the views that were
// registered and releases their readers; outside a transaction.
func (in *inserter) closeViews() {
	if in.sr == nil {
		return
	}
	for i := range in.views {
		v := &in.views[i]
		if v.insert != nil {
			v.insert.Close()
		}
		if v.release != nil {
			in.ex.ExecContext(context.Background(), "DROP VIEW IF EXISTS "+scratchCatalog+".main."+scratchViews[i], nil)
			v.release()
		}
		v.rdr.Release()
	}
	in.views, in.sr = [len(scratchViews)]arrowView{}, nil
}

// insertFrom copies view v into its table, with the INSERT prepared for
// it. Only a plain SELECT * of a registered view is reliable, and only
// once per arm of its reader.
func (in *inserter) insertFrom(ctx context.Context, v int) error {
	if _, err := in.views[v].insert.(driver.StmtExecContext).ExecContext(ctx, nil); err != nil {
		return fmt.Errorf("insert into %s: %w", viewTables[v], err)
	}
	return nil
}

// pendingReader is the array.RecordReader behind the rejects, marks and
// manifest views: read (after the rows' INSERT), it yields what the
// inserter gathered meanwhile as one batch, made by take (nil when there
// is nothing), which also clears it, then ends until armed again.
type pendingReader struct {
	schema *arrow.Schema
	take   func() arrow.RecordBatch
	refs   atomic.Int64
	cur    arrow.RecordBatch
	done   bool
}

func newPendingReader(sch *arrow.Schema, take func() arrow.RecordBatch) *pendingReader {
	r := &pendingReader{schema: sch, take: take}
	r.refs.Store(1)
	return r
}

// pendingOf returns the reader of the values gathered in *vals: read, it
// builds them into one batch with build and clears them.
func pendingOf[T any](sch *arrow.Schema, vals *[]T, build func([]T) arrow.RecordBatch) *pendingReader {
	return newPendingReader(sch, func() arrow.RecordBatch {
		if len(*vals) == 0 {
			return nil
		}
		rec := build(*vals)
		*vals = (*vals)[:0]
		return rec
	})
}

// newRejectsReader returns the reader of in's pending rejects.
func newRejectsReader(in *inserter) *pendingReader {
	return pendingOf(rejectsSchema, &in.rejects, func(rs []loader.Reject) arrow.RecordBatch {
		return rejectsRecord(in.l.opts.Allocator, rs, time.Now())
	})
}

// newMarksReader returns the reader of in's pending replacement marks.
func newMarksReader(in *inserter) *pendingReader {
	return pendingOf(marksSchema, &in.marks, func(ms []mark) arrow.RecordBatch {
		return marksRecord(in.l.opts.Allocator, ms)
	})
}

func (r *pendingReader) Retain() { r.refs.Add(1) }

func (r *pendingReader) Release() {
	if r.refs.Add(-1) == 0 && r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

func (r *pendingReader) Schema() *arrow.Schema { return r.schema }

func (r *pendingReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is RecordBatch (for the deprecated name in the interface).
func (r *pendingReader) Record() arrow.RecordBatch { return r.cur }

func (r *pendingReader) Err() error { return nil }

// arm lets the next scan read the pending batch.
func (r *pendingReader) arm() { r.done = false }

// Next yields the pending batch once per arm.
func (r *pendingReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done {
		return false
	}
	r.done = true
	r.cur = r.take()
	return r.cur != nil
}

// rejectsSchema and marksSchema are the Arrow schemas of the rejects
// table and of the marks table.
var (
	rejectsSchema = schema.Rejects.ArrowSchema()
	marksSchema   = schema.Replaced.ArrowSchema()
)

// marksRecord builds the rows of schema.Replaced for marks. The caller
// releases the record.
func marksRecord(alloc memory.Allocator, marks []mark) arrow.RecordBatch {
	b := array.NewRecordBuilder(alloc, marksSchema)
	defer b.Release()
	for _, m := range marks {
		b.Field(schema.RepPRowID).(*array.StringBuilder).Append(m.rowID)
		b.Field(schema.RepPSourceID).(*array.StringBuilder).Append(m.source)
		b.Field(schema.RepField).(*array.StringBuilder).Append(m.field)
	}
	return b.NewRecordBatch()
}

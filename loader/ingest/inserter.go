package ingest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/loader/source"
	"github.com/s3logs/s3logs/schema"
)

// inserter owns the one connection that writes: it inserts the batches
// the workers send, and commits them with the manifest rows that describe
// them. It runs in one goroutine; DuckDB's threads run its statements.
//
// Each transaction is one INSERT INTO aws_s3serveraccess SELECT * FROM an
// Arrow view whose reader (streamReader) pulls the workers' batches from
// the channel as DuckDB asks for them, and one INSERT of the rejected
// lines gathered meanwhile (see view.go). DuckDB scans the stream on all
// its threads: each takes the next batch, converts it, and compresses and
// writes its own row groups to the database file as they fill. Memory
// stays bounded however big the transaction, and no thread of the load is
// the critical path: the parsers and DuckDB's threads share the cores.
type inserter struct {
	l    *Loader
	conn driver.Conn
	ex   driver.ExecerContext
	ar   *duckdb.Arrow
	home string // the database's catalog, as SQL (quoted), where the tables are

	manifest *manifestIndex // as it was when the load started
	written  idSet          // ids with a manifest row written by this load

	manifestRows []manifestRow // the manifest rows of the commit under way, read through the manifest view

	// The Arrow views, registered once, at the first transaction (see
	// view.go), and the reader of the rows' view, which says why each
	// transaction's stream ended; sr is nil until then.
	views [len(scratchViews)]arrowView
	sr    *streamReader

	inTxn    bool
	txnStart time.Time
	txnRows  int
	carry    *carried // rows cut off a batch at the end of the last transaction, first in the next
	rejects  []loader.Reject
	marks    []mark             // the replacement marks of the rows in the open transaction (see schema.Replaced)
	stash    *message           // a start whose DELETE waits for the running INSERT to end
	restore  [][2]string        // settings to put back when the load ends
	touched  map[*job]*jobState // jobs with something in the open transaction
	live     map[*job]*jobState // jobs started and not yet committed as done

	sum Summary
}

// jobState is what the inserter knows of one object being loaded.
type jobState struct {
	j         *job
	offset    int64 // bytes skipped (a grown file)
	firstLine int64
	reloaded  bool
	done      *message
	// part counts what of the object the transactions so far hold, the
	// open one included: the rows inserted (not those carried to the next
	// transaction), the rejected, blank and filtered lines, and the lines
	// and bytes they came from. It is what the manifest row of an object
	// still being read records (see manifestRow).
	part loader.Stats
}

// newInserter connects, creates the manifest and reads it.
func newInserter(ctx context.Context, l *Loader) (*inserter, error) {
	conn, err := l.d.Connector.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", l.d.Path, err)
	}
	in := &inserter{l: l, conn: conn, written: newIDSet(), touched: map[*job]*jobState{}, live: map[*job]*jobState{}}
	in.ex = conn.(driver.ExecerContext)
	if in.ar, err = duckdb.NewArrowFromConn(conn); err != nil {
		conn.Close()
		return nil, err
	}
	if _, err := in.ex.ExecContext(ctx, schema.Manifest.CreateSQL(), nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("create %s: %w", schema.ManifestTableName, err)
	}
	if err := addManifestColumns(ctx, in.ex); err != nil {
		conn.Close()
		return nil, err
	}
	if err := in.prepareScratch(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	if in.manifest, err = readManifestIndex(ctx, conn.(driver.QueryerContext), l.d.DB); err != nil {
		conn.Close()
		return nil, err
	}
	if err := in.tune(ctx); err != nil {
		in.close()
		return nil, err
	}
	return in, nil
}

// loadSettings are the DuckDB settings a load changes, and their values
// while it runs. threads: one per usable CPU (runtime.NumCPU, which
// respects the process's CPU affinity, as under taskset), so that DuckDB
// scans the Arrow stream in parallel: each of its threads takes the next
// batch from the stream and converts, compresses and writes its own row
// groups; DuckDB's default would count the machine's cores instead.
// preserve_insertion_order off lets those threads append their row groups
// in any order (with it on they would wait for each other to keep the
// stream's order); a row's identity is p_row_id, made from its object and
// line, not its position. max_vacuum_tasks 0: each thread ends each
// INSERT with a row group of its own only partly filled, and the
// checkpoint's vacuum would merge such row groups by writing them again,
// leaving the first copy as free blocks in the file: measured on 250,000
// lines in one transaction on 2 threads, 65.8 MB and 3.6-3.8 CPU-s with
// the vacuum, 43.5 MB and 2.4-2.7 CPU-s without (the size of a
// one-thread load). A memory limit (for a database file; an
// in-memory one must keep everything): written blocks otherwise stay
// cached without bound (the default limit is 80% of RAM). 512 MB holds the
// row groups being filled and the cache of written blocks, which
// dropCache empties at each commit.
func loadSettings() [][2]string {
	return [][2]string{
		{"threads", fmt.Sprint(runtime.NumCPU())},
		{"preserve_insertion_order", "false"},
		{"max_vacuum_tasks", "0"},
		{"memory_limit", loadMemoryLimit},
	}
}

// loadMemoryLimit is DuckDB's memory limit during a load into a file.
const loadMemoryLimit = "'512MB'"

// tune applies loadSettings, remembering the values to restore (the
// database may stay open after the load, in the shell).
func (in *inserter) tune(ctx context.Context) error {
	q := in.conn.(driver.QueryerContext)
	for _, kv := range loadSettings() {
		if kv[0] == "memory_limit" && (in.l.d.Path == db.Memory || in.l.d.Path == "") {
			continue
		}
		rows, err := q.QueryContext(ctx, "SELECT current_setting('"+kv[0]+"')::VARCHAR", nil)
		if err != nil {
			return err
		}
		v := make([]driver.Value, 1)
		err = rows.Next(v)
		rows.Close()
		if err != nil {
			return err
		}
		in.restore = append(in.restore, [2]string{kv[0], schema.Literal(fmt.Sprint(v[0]))})
		if _, err := in.ex.ExecContext(ctx, "SET "+kv[0]+" = "+kv[1], nil); err != nil {
			return fmt.Errorf("SET %s: %w", kv[0], err)
		}
	}
	return nil
}

// dropCache empties DuckDB's cache of the blocks committed so far, by
// lowering the memory limit for a moment (a file database only). DuckDB
// keeps every block it wrote cached until the memory limit forces it out,
// so without this a load's memory grew with the data loaded until the
// cache reached the limit: measured on 1,000,000 and 4,000,000 lines, peaks
// of 0.68 and 1.11 GB (1.64x); with it 0.63 and 0.72 GB (1.14x), in the
// same time. The blocks are on disk; nothing is read back. A failure to
// lower the limit (memory pinned elsewhere, as by the shell) only leaves
// the cache as it was.
func (in *inserter) dropCache(ctx context.Context) error {
	if in.l.d.Path == db.Memory || in.l.d.Path == "" {
		return nil
	}
	in.ex.ExecContext(ctx, "SET memory_limit = '16MB'", nil)
	if _, err := in.ex.ExecContext(ctx, "SET memory_limit = "+loadMemoryLimit, nil); err != nil {
		return fmt.Errorf("SET memory_limit: %w", err)
	}
	return nil
}

// close rolls back what was not committed, restores the settings and
// closes the connection.
func (in *inserter) close() {
	if in.carry != nil {
		in.carry.rec.Release()
		in.carry = nil
	}
	bg := context.Background()
	if in.inTxn {
		in.ex.ExecContext(bg, "ROLLBACK", nil)
		in.inTxn = false
	}
	in.closeViews()
	for _, kv := range in.restore {
		in.ex.ExecContext(bg, "SET "+kv[0]+" = "+kv[1], nil)
	}
	in.ex.ExecContext(bg, "DETACH DATABASE IF EXISTS "+scratchCatalog, nil)
	in.conn.Close()
}

// checkpoint writes what the write-ahead log holds into the database
// file, so that the load's time includes it (rather than the close).
func (in *inserter) checkpoint(ctx context.Context) error {
	if in.l.d.Path == db.Memory || in.l.d.Path == "" {
		return nil
	}
	if _, err := in.ex.ExecContext(ctx, "CHECKPOINT", nil); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// run consumes the workers' messages until msgs is closed, committing
// along the way, and returns the summary of what it committed. When ctx is
// cancelled it commits what it has (objects still being read are recorded
// as partial, to be reloaded next time) and returns ctx's error.
func (in *inserter) run(ctx context.Context, msgs <-chan message) (Summary, error) {
	for {
		end, err := in.transaction(ctx, msgs)
		if err != nil {
			return in.sum, err
		}
		switch end {
		case endInput:
			return in.sum, in.checkpoint(context.WithoutCancel(ctx))
		case endCancel:
			in.countPartial()
			return in.sum, ctx.Err()
		}
	}
}

// transaction runs one transaction: the DELETE of an object's earlier
// rows if one is due, one INSERT of the rows streamed from the workers
// until the transaction is due (see streamReader), one INSERT of the
// rejects gathered meanwhile, the manifest rows, COMMIT. It says why the
// stream ended.
func (in *inserter) transaction(ctx context.Context, msgs <-chan message) (streamEnd, error) {
	// Statements run to their end even when ctx is cancelled: the stream
	// ends instead, and what was read is committed.
	bg := context.WithoutCancel(ctx)
	if in.sr == nil {
		if err := in.openViews(bg, ctx, msgs); err != nil {
			return 0, err
		}
	}
	for _, v := range in.views {
		v.rdr.arm()
	}
	err := in.begin(bg)
	if err == nil {
		err = in.fill(bg)
	}
	if err == nil {
		err = in.commit(bg)
	}
	return in.sr.end, err
}

// fill runs the statements of a transaction before its commit.
func (in *inserter) fill(ctx context.Context) error {
	if in.stash != nil {
		m := *in.stash
		in.stash = nil
		if err := in.deleteRows(ctx, m.j.obj.ID); err != nil {
			return err
		}
		in.start(m)
	}
	if err := in.insertFrom(ctx, rowsView); err != nil {
		return err
	}
	if err := in.insertFrom(ctx, rejectsView); err != nil {
		return err
	}
	if len(in.marks) == 0 { // the usual case: no statement
		return nil
	}
	return in.insertFrom(ctx, replacedView)
}

// commitDue says whether to commit now: the transaction holds CommitRows
// rows; or it is CommitEvery old and ends on a row group boundary (admit
// cuts it at the next one), or the input is slow (nothing queued) or it
// has been a second more; or the load is idle (nothing queued, every
// object read) so that what arrived (under --watch, say) shows up promptly.
func (in *inserter) commitDue(queued int) bool {
	age := time.Since(in.txnStart)
	if in.txnRows >= in.l.opts.CommitRows {
		return true
	}
	if every := in.l.opts.CommitEvery; age >= every && (in.txnRows%RowGroupRows == 0 || queued == 0 || age >= every+time.Second) {
		return true
	}
	if queued > 0 || age < idleCommitAfter || len(in.touched) == 0 {
		return false
	}
	for _, st := range in.live {
		if st.done == nil {
			return false
		}
	}
	return true
}

// maxPendingRejects is how many rejected lines end a transaction early
// (they are inserted at its end, and held in memory until then).
const maxPendingRejects = 16384

// take applies one message to the open transaction and returns the batch
// it carries, if any. stop asks to end the running INSERT: a start whose
// earlier rows must be deleted first (it is stashed), or many rejects to
// write.
func (in *inserter) take(m message) (rec arrow.RecordBatch, stop bool) {
	switch m.kind {
	case msgStart:
		if m.deleteFirst {
			in.stash = &m
			return nil, true
		}
		in.start(m)
	case msgBatch:
		st := in.live[m.j]
		in.touched[m.j] = st
		in.rejects = append(in.rejects, m.rejects...)
		if st != nil {
			c := m.counts
			if m.rec != nil { // its rows, their lines and marks are counted as admit inserts them
				c.Rows, c.Lines, c.Replaced = c.Rows-m.rec.NumRows(), c.Lines-m.rec.NumRows(), 0
			}
			st.part = plus(st.part, c)
		}
		var full bool
		if m.rec != nil {
			rec, full = in.admit(m.j, m.rec, m.replaced)
		}
		return rec, full || len(in.rejects)+len(in.marks) >= maxPendingRejects
	case msgDone:
		st := in.live[m.j]
		if st == nil { // nothing was started: the object could not be opened or was refused (binary, not a log)
			in.l.fail(m.err)
			if source.IsContentError(m.err) { // remembered, so that it is skipped while unchanged
				st = &jobState{j: m.j, done: &m}
				in.live[m.j], in.touched[m.j] = st, st
			}
			return nil, false
		}
		st.done = &m
		in.touched[m.j] = st
		if m.err != nil {
			in.l.fail(m.err)
		}
	}
	return nil, false
}

// carried is the part of a batch of job j that did not fit in the last
// transaction, and the replacement marks of its rows.
type carried struct {
	j        *job
	rec      arrow.RecordBatch
	replaced []loader.Replacement
}

// mark is a row of schema.Replaced.
type mark struct{ rowID, source, field string }

// admit counts rec's rows into the open transaction and returns what of
// it to insert now. A batch that would take the transaction past
// CommitRows (or, once the transaction is CommitEvery old, past the next
// row group boundary) is cut there: the rest is carried into the next
// transaction, and full says the transaction is due. So a transaction
// holds whole row groups of DuckDB (CommitRows is a multiple of them),
// which DuckDB writes compressed to the file; one that ended in a partial
// row group left rows that the final checkpoint compressed again
// (measured on 1,000,000 lines: a 2.7 s checkpoint, and a third of the
// file free blocks).
//
// replaced are the replacement marks of rec's rows: those of the rows
// inserted now join the transaction's, the others go with the carried rows.
func (in *inserter) admit(j *job, rec arrow.RecordBatch, replaced []loader.Replacement) (out arrow.RecordBatch, full bool) {
	n := int(rec.NumRows())
	defer func() {
		if out == nil {
			return
		}
		k := int(out.NumRows())
		var rows int64 // rows with a mark, of those inserted
		for i, r := range replaced {
			if r.Row >= k {
				in.carry.replaced = shift(replaced[i:], k)
				break
			}
			in.marks = append(in.marks, mark{r.RowID, j.obj.ID, r.Field})
			if i == 0 || replaced[i-1].Row != r.Row {
				rows++
			}
		}
		if st := in.live[j]; st != nil {
			st.part.Rows += int64(k)
			st.part.Lines += int64(k)
			st.part.Replaced += rows
		}
	}()
	room := in.l.opts.CommitRows - in.txnRows
	if time.Since(in.txnStart) >= in.l.opts.CommitEvery {
		room = min(room, RowGroupRows-in.txnRows%RowGroupRows) // due by age: end at the next row group
	}
	if n < room {
		in.txnRows += n
		return rec, false
	}
	in.txnRows += room
	if n == room {
		return rec, true
	}
	if room <= 0 { // a transaction already over (not cut: CommitRows changed under it)
		in.txnRows += n - room
		return rec, true
	}
	out = rec.NewSlice(0, int64(room))
	in.carry = &carried{j: j, rec: rec.NewSlice(int64(room), int64(n))}
	rec.Release()
	return out, true
}

// takeCarry returns the rows carried from the last transaction, if any,
// counted into the open one.
func (in *inserter) takeCarry() (rec arrow.RecordBatch, full bool) {
	c := in.carry
	if c == nil {
		return nil, false
	}
	in.carry = nil
	in.touched[c.j] = in.live[c.j]
	return in.admit(c.j, c.rec, c.replaced)
}

// shift returns marks with Row lowered by k (the rows before them cut off).
func shift(marks []loader.Replacement, k int) []loader.Replacement {
	out := make([]loader.Replacement, len(marks))
	for i, m := range marks {
		m.Row -= k
		out[i] = m
	}
	return out
}

// start records that an object's rows begin.
func (in *inserter) start(m message) {
	st := &jobState{j: m.j, offset: m.offset, firstLine: m.firstLine, reloaded: m.deleteFirst}
	in.live[m.j], in.touched[m.j] = st, st
}

func (in *inserter) begin(ctx context.Context) error {
	if in.inTxn {
		return nil
	}
	if _, err := in.ex.ExecContext(ctx, "BEGIN TRANSACTION", nil); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	in.inTxn, in.txnStart, in.txnRows = true, time.Now(), 0
	return nil
}

// deleteRows removes what earlier loads stored of the object id.
func (in *inserter) deleteRows(ctx context.Context, id string) error {
	args := []driver.NamedValue{{Ordinal: 1, Value: id}}
	for _, q := range []string{
		"DELETE FROM " + schema.Quote(schema.TableName) + " WHERE p_source_id = ?",
		"DELETE FROM " + schema.Quote(schema.RejectsTableName) + " WHERE source = ?",
		"DELETE FROM " + schema.Quote(schema.ReplacedTableName) + " WHERE p_source_id = ?",
	} {
		if _, err := in.ex.ExecContext(ctx, q, args); err != nil {
			return fmt.Errorf("remove old rows of %s: %w", id, err)
		}
	}
	return nil
}

// commit writes everything pending and the manifest rows of the touched
// objects, and commits.
func (in *inserter) commit(ctx context.Context) error {
	if !in.inTxn {
		return nil
	}
	var rows []manifestRow
	var replace []string
	now := time.Now().UTC()
	for _, st := range in.touched {
		id := st.j.obj.ID
		if st.j.prev != nil || in.written.has(id) {
			replace = append(replace, id)
		}
		rows = append(rows, in.manifestRow(st, now))
	}
	if err := deleteManifestRows(ctx, in.ex, replace); err != nil {
		return err
	}
	in.manifestRows = rows
	if err := in.insertFrom(ctx, manifestView); err != nil {
		return err
	}
	if _, err := in.ex.ExecContext(ctx, "COMMIT", nil); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	in.inTxn = false
	if err := in.dropCache(ctx); err != nil {
		return err
	}
	for j, st := range in.touched {
		in.written.add(j.obj.ID)
		if st.done != nil {
			in.count(st)
			delete(in.live, j)
		}
	}
	clear(in.touched)
	return nil
}

// manifestRow describes st as committed now. An object still being read
// is partial, with the counts of what is committed of it (st.part): the
// lines of its chunks are parsed in parallel, so they are not a prefix of
// the object, and the next load reads it again whole.
func (in *inserter) manifestRow(st *jobState, now time.Time) manifestRow {
	o := st.j.obj
	r := manifestRow{ID: o.ID, Name: o.Name, Size: o.Size, MTime: o.ModTime, ETag: o.ETag,
		Label: st.j.label, LoadedAt: now, Status: StatusPartial, Windows: st.j.windows.String()}
	d := st.done
	s := st.part
	if d != nil {
		s = d.stats
		r.Status, r.Checksum = StatusLoaded, d.checksum
	}
	r.Bytes, r.Lines = st.offset+s.Bytes, st.firstLine+s.Lines
	r.Rows, r.Rejected, r.Blank, r.Filtered, r.Replaced = s.Rows, s.Rejected, s.Blank, s.Filtered, s.Replaced
	if p := st.j.prev; p != nil && !st.reloaded {
		r.Rows, r.Rejected, r.Blank, r.Filtered = r.Rows+p.Rows, r.Rejected+p.Rejected, r.Blank+p.Blank, r.Filtered+p.Filtered
		r.Replaced += p.Replaced
	}
	if d == nil {
		return r
	}
	if d.err != nil {
		r.Status, r.Error = StatusError, d.err.Error()
		if source.IsContentError(d.err) {
			r.Status = StatusRefused
		}
		if !d.loaded { // nothing of it stored: no lines to account for
			r.Lines, r.Rows, r.Rejected, r.Blank, r.Filtered, r.Replaced = 0, 0, 0, 0, 0, 0
		}
	}
	return r
}

// countPartial adds to the summary the objects still being read when the
// load was interrupted of which some rows are committed (the manifest
// records them as partial, with the same counts).
func (in *inserter) countPartial() {
	for _, st := range in.live {
		if st.done == nil && st.part.Rows > 0 {
			in.sum.Partial++
			in.sum.PartialRows += st.part.Rows
		}
	}
}

// count adds a committed, finished object to the summary.
func (in *inserter) count(st *jobState) {
	d := st.done
	if d.err != nil && !d.loaded {
		return
	}
	in.l.stored.Add(1)
	s := &in.sum
	s.Objects++
	if st.j.widen {
		s.Widened++
	} else if st.reloaded {
		s.Reloaded++
	} else if st.j.prev != nil {
		s.Resumed++
	}
	s.Lines += d.stats.Lines
	s.Rows += d.stats.Rows
	s.Rejected += d.stats.Rejected
	s.Blank += d.stats.Blank
	s.Filtered += d.stats.Filtered
	s.Replaced += d.stats.Replaced
	s.Bytes += d.stats.Bytes
}

// rejectsRecord builds the rows of schema.Rejects for rejects. The caller
// releases the record.
func rejectsRecord(alloc memory.Allocator, rejects []loader.Reject, at time.Time) arrow.RecordBatch {
	b := array.NewRecordBuilder(alloc, schema.Rejects.ArrowSchema())
	defer b.Release()
	ts := arrow.Timestamp(at.UnixMicro())
	for _, r := range rejects {
		b.Field(schema.RejSource).(*array.StringBuilder).Append(r.Source)
		b.Field(schema.RejLine).(*array.Int64Builder).Append(r.Line)
		if r.Column > 0 {
			b.Field(schema.RejColumn).(*array.Int64Builder).Append(int64(r.Column))
		} else {
			b.Field(schema.RejColumn).AppendNull()
		}
		if r.Field != "" {
			b.Field(schema.RejField).(*array.StringBuilder).Append(r.Field)
		} else {
			b.Field(schema.RejField).AppendNull()
		}
		b.Field(schema.RejReason).(*array.StringBuilder).Append(r.Reason)
		b.Field(schema.RejRaw).(*array.StringBuilder).Append(escapeInvalidUTF8(r.Raw))
		b.Field(schema.RejLoadedAt).(*array.TimestampBuilder).Append(ts)
	}
	return b.NewRecordBatch()
}

// escapeInvalidUTF8 returns b as a string with every byte that is not part
// of valid UTF-8 written as \xNN (and NUL as \x00, which DuckDB refuses).
func escapeInvalidUTF8(b []byte) string {
	if utf8.Valid(b) && !strings.ContainsRune(string(b), 0) {
		return string(b)
	}
	var s strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if (r == utf8.RuneError && n == 1) || r == 0 {
			fmt.Fprintf(&s, `\x%02x`, b[0])
		} else {
			s.Write(b[:n])
		}
		b = b[n:]
	}
	return s.String()
}

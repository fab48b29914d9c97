package export

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/schema"
)

// layout is the partition scheme of a lake.
type layout struct {
	by      string   // ByDay or ByHour
	columns []string // partition columns, outermost first
	formats []string // strftime format of each column's value
}

// layoutFor returns the layout for a PartitionBy value.
func layoutFor(by string) layout {
	l := layout{by: by, columns: []string{"year", "month", "day"}, formats: []string{"%Y", "%m", "%d"}}
	if by == ByHour {
		l.columns = append(l.columns, "hour")
		l.formats = append(l.formats, "%H")
	}
	return l
}

// keyExpr is the SQL expression of a row's partition path, for example
// 'year=2026/month=01/day=05'.
func (l layout) keyExpr() string {
	parts := make([]string, len(l.columns))
	for i, c := range l.columns {
		parts[i] = c + "=" + l.formats[i]
	}
	return fmt.Sprintf("strftime(p_event_time, %s)", schema.Literal(strings.Join(parts, "/")))
}

// checkColumns fails when a partition column has the name of a column of t
// (compared as engines do, without case), as the lake's readers would then
// see two columns with one name.
func (l layout) checkColumns(t *schema.Table) error {
	for _, p := range l.columns {
		for _, c := range t.Columns {
			if strings.EqualFold(p, c.Name) {
				return fmt.Errorf("%w: partition column %q collides with column %q of %s", ErrUsage, p, c.Name, t.Name)
			}
		}
	}
	return nil
}

// state is the content of the lake's StateFile.
type state struct {
	Version     int                  `json:"version"`
	PartitionBy string               `json:"partition_by"`
	AWSNames    bool                 `json:"aws_names,omitempty"` // the columns have AWS's names (Options.AWSNames)
	Partitions  map[string]partState `json:"partitions"`          // by partition path
	// Database is the database the lake is exported from (its absolute
	// path, see databaseID): exporting another one into it is refused, as
	// it would mix the two. Empty in lakes written before it was recorded.
	Database string `json:"database,omitempty"`
}

// databaseID names the database d for a lake's state: its file's absolute
// path (":memory:" for an in-memory one).
func databaseID(d *db.DB) string {
	if d.Path == db.Memory {
		return db.Memory
	}
	if abs, err := filepath.Abs(d.Path); err == nil {
		return abs
	}
	return d.Path
}

// partState fingerprints the rows a partition holds.
type partState struct {
	Rows  int64    `json:"rows"`
	Hash  string   `json:"hash"`  // xor and sum of hash(p_row_id, p_parse_time)
	Files []string `json:"files"` // file names inside the partition directory
}

const stateVersion = 1

// store is where a lake lives: a local directory or an S3 prefix.
type store interface {
	location() string                                               // the lake's root, for messages and DDL
	readState(ctx context.Context) (*state, error)                  // nil, nil when there is no state file
	isEmpty(ctx context.Context) (bool, error)                      // whether the root holds anything
	workDir() (string, error)                                       // an empty-to-be directory for DuckDB to write into
	publish(ctx context.Context, key, src string) ([]string, error) // replace partition key with the files in src; returns their final names
	writeState(ctx context.Context, st *state) error
	cleanup(work string)
	lock() (unlock func(failed bool), err error)                     // keeps other exports out of the lake for the run
	missing(ctx context.Context, st *state) (map[string]bool, error) // partitions of st with a file gone from the lake
	remove(ctx context.Context, key string) error                    // delete partition key and its files
}

// runLake exports the table as a partitioned lake, rewriting only the
// partitions whose rows differ from what the lake's state records.
func runLake(ctx context.Context, d *db.DB, opts Options) (Result, error) {
	lay := layoutFor(opts.PartitionBy)
	st, err := newStore(opts)
	if err != nil {
		return Result{}, fmt.Errorf("export %s: %w", opts.Out, err)
	}
	unlock, err := st.lock()
	if err != nil {
		return Result{}, fmt.Errorf("export %s: %w", st.location(), err)
	}
	res, err := exportLake(ctx, d, opts, lay, st)
	unlock(err != nil)
	if err != nil {
		return Result{}, fmt.Errorf("export %s: %w", st.location(), err)
	}
	return res, nil
}

// newStore returns the store for opts.Out.
func newStore(opts Options) (store, error) {
	if isS3(opts.Out) {
		u, err := parseS3(opts.Out)
		if err != nil {
			return nil, err
		}
		if u.key != "" && !strings.HasSuffix(u.key, "/") {
			u.key += "/"
		}
		return &s3Store{c: opts.S3, u: u}, nil
	}
	root, err := filepath.Abs(opts.Out)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	return &localStore{root: root}, nil
}

// exportLake is runLake once the store is known.
func exportLake(ctx context.Context, d *db.DB, opts Options, lay layout, st store) (Result, error) {
	if err := lay.checkColumns(opts.table()); err != nil {
		return Result{}, err
	}
	prev, err := lakeState(ctx, st, opts, lay, databaseID(d))
	if err != nil {
		return Result{}, err
	}
	conn, err := d.Conn(ctx)
	if err != nil {
		return Result{}, err
	}
	defer conn.Close()
	// One transaction, so that the fingerprints describe exactly the rows the
	// COPY writes even if a load commits meanwhile.
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return Result{}, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	cur, noTime, err := fingerprints(ctx, conn, lay)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrQuery, err)
	}
	// A partition someone deleted from the lake is written again.
	gone, err := st.missing(ctx, prev)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrWrite, err)
	}
	res := Result{Out: st.location(), NoTime: noTime}
	var touched []string
	for key, fp := range cur {
		if old, ok := prev.Partitions[key]; opts.Force || !ok || gone[key] || old.Rows != fp.Rows || old.Hash != fp.Hash {
			touched = append(touched, key)
		}
	}
	sort.Strings(touched)
	res.Unchanged = len(cur) - len(touched)
	// A partition of the lake whose rows the table no longer has there
	// (reloaded with changed contents, moved to other days) is removed,
	// after the new partitions are in place: a crash between the two
	// leaves a row twice until the next export, never nowhere.
	var stale []string
	for key := range prev.Partitions {
		if _, ok := cur[key]; !ok {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	if len(touched) > 0 {
		if err := writePartitions(ctx, conn, opts, lay, st, touched, cur, prev, &res); err != nil {
			return Result{}, err
		}
	}
	if len(stale) > 0 {
		if err := removePartitions(ctx, st, stale, prev, &res); err != nil {
			return Result{}, err
		}
	}
	if len(touched) > 0 || len(stale) > 0 {
		if err := st.writeState(ctx, prev); err != nil {
			return Result{}, fmt.Errorf("%w: %s: %w", ErrWrite, StateFile, err)
		}
	}
	res.DDL = DDL(DDLOptions{Location: st.location(), PartitionBy: lay.by, FirstYear: firstYear(prev, opts), LastYear: lastYear(prev, opts), Table: opts.table()})
	return res, nil
}

// lakeState reads the lake's state, or starts a new one: an existing
// non-lake output, or a lake exported from another database than dbID, is
// refused unless opts.Force.
func lakeState(ctx context.Context, st store, opts Options, lay layout, dbID string) (*state, error) {
	prev, err := st.readState(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrWrite, StateFile, err)
	}
	if prev == nil {
		empty, err := st.isEmpty(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrWrite, err)
		}
		if !empty && !opts.Force {
			return nil, fmt.Errorf("%w (it is not empty and has no %s, so it is not a lake s3logs wrote)", ErrExists, StateFile)
		}
		return &state{Version: stateVersion, PartitionBy: lay.by, AWSNames: opts.AWSNames, Partitions: map[string]partState{}, Database: dbID}, nil
	}
	if prev.Database != "" && prev.Database != dbID && !opts.Force {
		return nil, fmt.Errorf("%w: the lake was exported from the database %s, not %s; exporting this one into it would mix the two: export to another place, or give --force to rewrite its partitions from this one", ErrExists, prev.Database, dbID)
	}
	prev.Database = dbID
	if prev.PartitionBy != lay.by {
		return nil, fmt.Errorf("%w: the lake is partitioned by %s, not %s; export to another place", ErrUsage, prev.PartitionBy, lay.by)
	}
	if prev.AWSNames != opts.AWSNames {
		return nil, fmt.Errorf("%w: the lake's columns have %s, not %s; export to another place", ErrUsage, namesOf(prev.AWSNames), namesOf(opts.AWSNames))
	}
	if prev.Partitions == nil {
		prev.Partitions = map[string]partState{}
	}
	return prev, nil
}

// namesOf says whose column names a lake has.
func namesOf(aws bool) string {
	if aws {
		return "AWS's names (--aws-names)"
	}
	return "Panther's names"
}

// fingerprints computes each partition's row count and content hash from
// the database, and counts the rows without an event time.
func fingerprints(ctx context.Context, conn *sql.Conn, lay layout) (map[string]partState, int64, error) {
	q := fmt.Sprintf(`SELECT %s AS k, count(*), bit_xor(hash(p_row_id, p_parse_time)), sum(hash(p_row_id, p_parse_time))::VARCHAR
FROM %s GROUP BY k`, lay.keyExpr(), schema.Quote(schema.TableName))
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := map[string]partState{}
	var noTime int64
	for rows.Next() {
		var key sql.NullString
		var n int64
		var x uint64
		var sum string
		if err := rows.Scan(&key, &n, &x, &sum); err != nil {
			return nil, 0, err
		}
		if !key.Valid {
			noTime = n
			continue
		}
		out[key.String] = partState{Rows: n, Hash: strconv.FormatUint(x, 16) + ":" + sum}
	}
	return out, noTime, rows.Err()
}

// ExportMemory is DuckDB's memory limit during an export's COPY.
const ExportMemory = "512MB"

// writePartitions writes the touched partitions with one partitioned COPY,
// publishes each, and records them in the state (which the caller writes).
func writePartitions(ctx context.Context, conn *sql.Conn, opts Options, lay layout, st store, touched []string, cur map[string]partState, prev *state, res *Result) error {
	work, err := st.workDir()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrWrite, err)
	}
	defer st.cleanup(work)
	q := lakeQuery(lay, opts.columns(), touched, len(touched) == len(cur))
	// The COPY sorts the rows by time: bounded, it spills instead of
	// holding them all (7.5 GB for 4M rows).
	defer db.LimitMemory(ctx, conn, ExportMemory)()
	run := opts.Now().UTC().Format("20060102T150405Z")
	extra := fmt.Sprintf(", PARTITION_BY (%s), FILENAME_PATTERN %s", strings.Join(lay.columns, ", "), schema.Literal("part-"+run+"-{i}"))
	if _, err := conn.ExecContext(ctx, copySQL(q, work, &opts, extra)); err != nil {
		return copyError(err, work, st.location())
	}
	for _, key := range touched {
		names, err := st.publish(ctx, key, filepath.Join(work, filepath.FromSlash(key)))
		if err != nil {
			return fmt.Errorf("%w: partition %s: %w", ErrWrite, key, err)
		}
		ps := cur[key]
		ps.Files = names
		prev.Partitions[key] = ps
		res.Rows += ps.Rows
		res.Partitions++
		for _, n := range names {
			res.Files = append(res.Files, joinLocation(st.location(), key, n))
		}
	}
	sort.Strings(res.Files)
	return nil
}

// removePartitions deletes the stale partitions from the lake and from its
// state (which the caller writes).
func removePartitions(ctx context.Context, st store, stale []string, prev *state, res *Result) error {
	for _, key := range stale {
		if err := st.remove(ctx, key); err != nil {
			return fmt.Errorf("%w: remove partition %s: %w", ErrWrite, key, err)
		}
		delete(prev.Partitions, key)
		res.Removed++
	}
	return nil
}

// lakeQuery selects columns (a select list of the table) of the rows of the
// touched partitions with their partition columns, ordered by time so that
// DuckDB writes one file per partition.
func lakeQuery(lay layout, columns string, touched []string, all bool) string {
	var b strings.Builder
	b.WriteString("SELECT " + columns)
	for i, c := range lay.columns {
		fmt.Fprintf(&b, ", strftime(p_event_time, %s) AS %s", schema.Literal(lay.formats[i]), schema.Quote(c))
	}
	fmt.Fprintf(&b, " FROM %s WHERE p_event_time IS NOT NULL", schema.Quote(schema.TableName))
	if !all {
		lits := make([]string, len(touched))
		for i, k := range touched {
			lits[i] = schema.Literal(k)
		}
		fmt.Fprintf(&b, " AND %s IN (%s)", lay.keyExpr(), strings.Join(lits, ", "))
	}
	b.WriteString(" ORDER BY p_event_time")
	return b.String()
}

// joinLocation joins a lake root (a path or an s3:// URI) with a partition
// path and a file name.
func joinLocation(root, key, name string) string {
	if isS3(root) {
		return strings.TrimSuffix(root, "/") + "/" + key + "/" + name
	}
	return filepath.Join(root, filepath.FromSlash(key), name)
}

// partitionFiles lists the file names in a partition directory DuckDB wrote.
func partitionFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no files written", dir)
	}
	sort.Strings(names)
	return names, nil
}

// localStore is a lake in a local directory.
type localStore struct{ root string }

// ErrBusy is wrapped when another export is writing the same lake.
var ErrBusy = errors.New("another export into this lake is running")

// lock creates the lake's directory if needed and locks it (flock on
// Linux) so that two exports cannot interleave their partition swaps. On
// failure, a directory the run created is removed if still empty.
func (s *localStore) lock() (func(bool), error) {
	_, statErr := os.Stat(s.root)
	created := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(s.root, 0o755); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWrite, err)
	}
	release, err := lockDir(s.root)
	if err != nil {
		if created {
			os.Remove(s.root)
		}
		return nil, err
	}
	return func(failed bool) {
		release()
		if failed && created {
			os.Remove(s.root)
		}
	}, nil
}

func (s *localStore) location() string { return s.root }

func (s *localStore) missing(_ context.Context, st *state) (map[string]bool, error) {
	gone := map[string]bool{}
	for key, p := range st.Partitions {
		for _, f := range p.Files {
			if _, err := os.Stat(filepath.Join(s.root, filepath.FromSlash(key), f)); err != nil {
				gone[key] = true
				break
			}
		}
	}
	return gone, nil
}

func (s *localStore) readState(context.Context) (*state, error) {
	b, err := os.ReadFile(filepath.Join(s.root, StateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeState(b)
}

// decodeState parses a state file.
func decodeState(b []byte) (*state, error) {
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("corrupt state file: %v", err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("state file version %d, want %d", st.Version, stateVersion)
	}
	return &st, nil
}

func (s *localStore) isEmpty(context.Context) (bool, error) {
	ents, err := os.ReadDir(s.root)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return len(ents) == 0, nil
}

// workDir makes a temporary directory beside the lake (same file system,
// so partitions can be renamed into place; outside the lake, so readers
// globbing it never see half an export), after removing what earlier,
// interrupted runs left there.
func (s *localStore) workDir() (string, error) {
	parent, base := filepath.Dir(s.root), filepath.Base(s.root)
	prefix := "." + base + ".s3logs-tmp-"
	if old, _ := filepath.Glob(filepath.Join(parent, prefix+"*")); len(old) > 0 {
		for _, o := range old {
			os.RemoveAll(o)
		}
	}
	dir, err := os.MkdirTemp(parent, prefix+"*")
	if err != nil {
		return "", err
	}
	// DuckDB writes the partitions into a directory of its own making.
	return filepath.Join(dir, "lake"), nil
}

func (s *localStore) cleanup(work string) { os.RemoveAll(filepath.Dir(work)) }

// remove deletes the partition's directory, then its parents (month=,
// year=) that are left empty, up to the lake's root.
func (s *localStore) remove(_ context.Context, key string) error {
	dir := filepath.Join(s.root, filepath.FromSlash(key))
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for p := filepath.Dir(dir); p != s.root && strings.HasPrefix(p, s.root); p = filepath.Dir(p) {
		if os.Remove(p) != nil { // not empty
			break
		}
	}
	syncDir(filepath.Dir(dir))
	return nil
}

// publish swaps the new partition directory src in for the lake's one, in
// one atomic rename when the partition exists already.
func (s *localStore) publish(_ context.Context, key, src string) ([]string, error) {
	names, err := partitionFiles(src)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if err := syncFile(filepath.Join(src, n)); err != nil {
			return nil, err
		}
		if err := os.Chmod(filepath.Join(src, n), 0o644); err != nil {
			return nil, err
		}
	}
	dst := filepath.Join(s.root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return nil, err
	}
	if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(src, dst); err != nil {
			return nil, err
		}
	} else if err := exchange(src, dst); err != nil {
		return nil, err
	}
	syncDir(filepath.Dir(dst))
	return names, nil
}

func (s *localStore) writeState(_ context.Context, st *state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(s.root, "."+StateFile+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(append(b, '\n'))
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.root, StateFile))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(s.root)
	return nil
}

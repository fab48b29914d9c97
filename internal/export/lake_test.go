package export

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/schema"
)

// lakeFiles returns the lake's files relative to root, sorted, and fails on
// any path outside the Hive layout.
func lakeFiles(t *testing.T, root, by string) []string {
	t.Helper()
	re := `^year=\d{4}/month=(0[1-9]|1[0-2])/day=(0[1-9]|[12]\d|3[01])/part-20260120T093000Z-\d+\.parquet$`
	if by == ByHour {
		re = `^year=\d{4}/month=(0[1-9]|1[0-2])/day=(0[1-9]|[12]\d|3[01])/hour=([01]\d|2[0-3])/part-20260120T093000Z-\d+\.parquet$`
	}
	layout := regexp.MustCompile(re)
	var out []string
	err := filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if rel != StateFile && !layout.MatchString(rel) {
			t.Errorf("file outside the Hive layout: %s", rel)
		}
		if rel != StateFile {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// hive is the lake read back by DuckDB with Hive partitioning, without the
// partition columns.
func hive(root, by string) string {
	cols := "year, month, day"
	if by == ByHour {
		cols += ", hour"
	}
	return "(SELECT * EXCLUDE (" + cols + ") FROM read_parquet(" + schema.Literal(root+"/**/*.parquet") + ", hive_partitioning = true))"
}

// perDay returns "day=count" lines for the table and for the lake.
func perDay(t *testing.T, d *db.DB, root string) (want, got []string) {
	t.Helper()
	_, want = dbRows(t, d, "SELECT strftime(p_event_time, '%Y-%m-%d') AS d, count(*) FROM aws_s3serveraccess WHERE p_event_time IS NOT NULL GROUP BY d")
	_, got = dbRows(t, d, "SELECT year || '-' || month || '-' || day AS d, count(*) FROM read_parquet("+schema.Literal(root+"/**/*.parquet")+", hive_partitioning = true, hive_types_autocast = false) GROUP BY d")
	return want, got
}

func TestLakeRoundTrip(t *testing.T) {
	tests := []struct {
		by    string
		rows  int64
		parts int // partitions of the fixture rows (37 minutes apart from 2025-12-30 22:00)
	}{
		{ByDay, 800, 22},  // to 2026-01-20 10:43: 2 days of 2025, 20 of 2026
		{ByHour, 150, 92}, // to 2026-01-03 17:53: 2 + 24 + 24 + 24 + 18 hours
	}
	for _, tt := range tests {
		t.Run(tt.by, func(t *testing.T) {
			d := newDB(t, int(tt.rows))
			root := filepath.Join(t.TempDir(), "lake")
			res, err := Run(context.Background(), d, Options{Table: true, PartitionBy: tt.by, Out: root, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			files := lakeFiles(t, root, tt.by)
			if res.Rows != tt.rows || res.Partitions != tt.parts || res.Unchanged != 0 || len(res.Files) != len(files) {
				t.Errorf("result: rows %d partitions %d unchanged %d files %d; want %d %d 0 %d", res.Rows, res.Partitions, res.Unchanged, len(res.Files), tt.rows, tt.parts, len(files))
			}
			// One file per partition: nothing the engines would choke on.
			if len(files) != tt.parts {
				t.Errorf("%d files for %d partitions", len(files), tt.parts)
			}
			sameRows(t, d, hive(root, tt.by), "aws_s3serveraccess")
			want, got := perDay(t, d, root)
			diffRows(t, want, got)
			// Each file read by arrow-go holds exactly its partition's rows.
			for _, f := range files[:3] {
				sc, rows := readParquet(t, filepath.Join(root, f))
				checkTypes(t, sc)
				key := filepath.ToSlash(filepath.Dir(f))
				_, wantRows := dbRows(t, d, "SELECT * FROM aws_s3serveraccess WHERE "+layoutFor(tt.by).keyExpr()+" = "+schema.Literal(key))
				diffRows(t, wantRows, rows)
			}
			if !strings.Contains(res.DDL, "read_parquet('"+root+"/**/*.parquet', hive_partitioning = true)") {
				t.Errorf("DDL lacks the DuckDB one-liner for %s:\n%s", root, res.DDL)
			}
		})
	}
}

func TestLakeReexport(t *testing.T) {
	ctx := context.Background()
	d := newDB(t, 300) // 2025-12-30 22:00 to 2026-01-07 14:23: 9 days
	root := filepath.Join(t.TempDir(), "lake")
	opts := Options{Table: true, PartitionBy: ByDay, Out: root, Now: fixedNow}
	if _, err := Run(ctx, d, opts); err != nil {
		t.Fatal(err)
	}
	before := map[string]os.FileInfo{}
	for _, f := range lakeFiles(t, root, ByDay) {
		fi, _ := os.Stat(filepath.Join(root, f))
		before[f] = fi
	}

	steps := []struct {
		name      string
		change    func()
		force     bool
		parts     int
		unchanged int
		rows      int64
	}{
		{"nothing new", func() {}, false, 0, 9, 0},
		// 20 rows from 2026-01-07 20:00: 7 join the 24 of the lake's last
		// day, 13 start 2026-01-08.
		{"rows in an old and a new day", func() { seed(t, d, "2026-01-07 20:00:00+00", 1000, 1020) }, false, 2, 8, 31 + 13},
		{"a row reloaded with a new parse time", func() {
			if _, err := d.Exec("UPDATE aws_s3serveraccess SET p_parse_time = p_parse_time + INTERVAL 1 HOUR WHERE p_row_id = 'row-5'"); err != nil {
				t.Fatal(err)
			}
		}, false, 1, 9, 39}, // row-5 is on 2025-12-31, with rows 4 to 42
		{"a partition deleted from the lake", func() {
			if err := os.RemoveAll(filepath.Join(root, "year=2026", "month=01", "day=02")); err != nil {
				t.Fatal(err)
			}
		}, false, 1, 9, 38}, // 2026-01-02 holds rows 82 to 119; row 120 is at 2026-01-03 00:00:00.12
		{"force rewrites everything", func() {}, true, 10, 0, 320},
	}
	for _, s := range steps {
		s.change()
		opts.Force = s.force
		res, err := Run(ctx, d, opts)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if res.Partitions != s.parts || res.Unchanged != s.unchanged || res.Rows != s.rows {
			t.Errorf("%s: partitions %d unchanged %d rows %d; want %d %d %d", s.name, res.Partitions, res.Unchanged, res.Rows, s.parts, s.unchanged, s.rows)
		}
		sameRows(t, d, hive(root, ByDay), "aws_s3serveraccess")
		if n := count(t, d, "SELECT count(*) - count(DISTINCT p_row_id) FROM "+hive(root, ByDay)); n != 0 {
			t.Errorf("%s: %d duplicate rows in the lake", s.name, n)
		}
		if got := len(lakeFiles(t, root, ByDay)); got != 10 && s.name != "nothing new" {
			t.Errorf("%s: %d files, want one per partition (10)", s.name, got)
		}
		if s.name == "nothing new" {
			for f, fi := range before {
				now, err := os.Stat(filepath.Join(root, f))
				if err != nil || !os.SameFile(fi, now) {
					t.Errorf("nothing new: %s was rewritten", f)
				}
			}
		}
	}
	// Nothing is left beside the lake.
	ents, _ := os.ReadDir(filepath.Dir(root))
	if len(ents) != 1 {
		t.Errorf("the lake's parent holds %d entries, want the lake only", len(ents))
	}
}

func TestLakeRefusals(t *testing.T) {
	ctx := context.Background()
	d := newDB(t, 50)
	tests := []struct {
		name  string
		setup func(root string)
		opts  Options
		want  error
	}{
		{"foreign non-empty directory", func(root string) {
			os.MkdirAll(root, 0o755)
			os.WriteFile(filepath.Join(root, "notes.txt"), []byte("mine"), 0o644)
		}, Options{PartitionBy: ByDay}, ErrExists},
		{"foreign directory with force", func(root string) {
			os.MkdirAll(root, 0o755)
			os.WriteFile(filepath.Join(root, "notes.txt"), []byte("mine"), 0o644)
		}, Options{PartitionBy: ByDay, Force: true}, nil},
		{"lake of the other granularity", func(root string) {
			if _, err := Run(ctx, d, Options{Table: true, PartitionBy: ByHour, Out: root, Now: fixedNow}); err != nil {
				t.Fatal(err)
			}
		}, Options{PartitionBy: ByDay}, ErrUsage},
		{"corrupt state", func(root string) {
			os.MkdirAll(root, 0o755)
			os.WriteFile(filepath.Join(root, StateFile), []byte("{"), 0o644)
		}, Options{PartitionBy: ByDay}, ErrWrite},
		{"state of a future version", func(root string) {
			os.MkdirAll(root, 0o755)
			os.WriteFile(filepath.Join(root, StateFile), []byte(`{"version": 9}`), 0o644)
		}, Options{PartitionBy: ByDay}, ErrWrite},
		{"lake under a file", func(root string) {
			os.WriteFile(filepath.Dir(root)+"/f", nil, 0o644)
		}, Options{PartitionBy: ByDay, Out: "f/lake"}, ErrWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "lake")
			tt.setup(root)
			opts := tt.opts
			opts.Table, opts.Now = true, fixedNow
			if opts.Out == "" {
				opts.Out = root
			} else {
				opts.Out = filepath.Join(filepath.Dir(root), opts.Out)
			}
			_, err := Run(ctx, d, opts)
			if !errors.Is(err, tt.want) || (err != nil && !strings.Contains(err.Error(), opts.Out)) {
				t.Fatalf("err = %v, want %v naming %s", err, tt.want, opts.Out)
			}
			if tt.want == nil {
				sameRows(t, d, hive(root, ByDay), "aws_s3serveraccess")
			}
		})
	}
}

func TestLakeNoTime(t *testing.T) {
	d := newDB(t, 40)
	if _, err := d.Exec("UPDATE aws_s3serveraccess SET p_event_time = NULL WHERE p_row_id IN ('row-1', 'row-2', 'row-3')"); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "lake")
	res, err := Run(context.Background(), d, Options{Table: true, PartitionBy: ByDay, Out: root, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if res.NoTime != 3 || res.Rows != 37 {
		t.Errorf("NoTime %d Rows %d, want 3 and 37", res.NoTime, res.Rows)
	}
	sameRows(t, d, hive(root, ByDay), "(SELECT * FROM aws_s3serveraccess WHERE p_event_time IS NOT NULL)")
}

func TestCheckColumns(t *testing.T) {
	clash := &schema.Table{Name: "t", Columns: []schema.Column{{Name: "bucket"}, {Name: "Day"}}}
	tests := []struct {
		by    string
		table *schema.Table
		want  error
	}{
		{ByDay, schema.S3ServerAccess, nil},
		{ByHour, schema.S3ServerAccess, nil},
		{ByDay, clash, ErrUsage},
		{ByHour, clash, ErrUsage},
	}
	for _, tt := range tests {
		if err := layoutFor(tt.by).checkColumns(tt.table); !errors.Is(err, tt.want) {
			t.Errorf("%s on %s: err = %v, want %v", tt.by, tt.table.Name, err, tt.want)
		}
	}
}

func TestLakeBusyAndCleanup(t *testing.T) {
	d := newDB(t, 20)
	root := filepath.Join(t.TempDir(), "lake")
	opts := Options{Table: true, PartitionBy: ByDay, Out: root, Now: fixedNow}

	// A canceled export leaves no trace, not even the directory it made.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, d, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled: err = %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(root)); len(ents) != 0 {
		t.Fatalf("canceled export left %d entries", len(ents))
	}

	// While another export holds the lake, a second one is refused.
	os.MkdirAll(root, 0o755)
	unlock, err := lockDir(root)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), d, opts)
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), root) {
		t.Fatalf("busy: err = %v, want ErrBusy naming %s", err, root)
	}
	unlock()
	if _, err := Run(context.Background(), d, opts); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	sameRows(t, d, hive(root, ByDay), "aws_s3serveraccess")
}

// TestLakeRowsMoveDays: rows reloaded with other event times leave their
// old partitions; the next export removes a partition whose rows are all
// gone and rewrites one that lost some, so that the lake never holds a
// row twice (it held 200 rows with 100 distinct p_row_id).
func TestLakeRowsMoveDays(t *testing.T) {
	ctx := context.Background()
	d := newDB(t, 300) // 2025-12-30 22:00 to 2026-01-07 14:23: 9 days
	root := filepath.Join(t.TempDir(), "lake")
	opts := Options{Table: true, PartitionBy: ByDay, Out: root, Now: fixedNow}
	if _, err := Run(ctx, d, opts); err != nil {
		t.Fatal(err)
	}
	// Every row of 2025 and half of 2026-01-01 move to 2026-02-01.
	if _, err := d.Exec(`UPDATE aws_s3serveraccess SET p_event_time = p_event_time + INTERVAL 33 DAY, p_parse_time = p_parse_time + INTERVAL 1 HOUR
		WHERE p_event_time < TIMESTAMPTZ '2026-01-01 12:00:00+00'`); err != nil {
		t.Fatal(err)
	}
	res, err := Run(ctx, d, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Removed != 2 {
		t.Errorf("removed %d partitions, want 2 (2025-12-30 and 2025-12-31)", res.Removed)
	}
	sameRows(t, d, hive(root, ByDay), "aws_s3serveraccess")
	lake := count(t, d, "SELECT count(*) FROM "+hive(root, ByDay))
	distinct := count(t, d, "SELECT count(DISTINCT p_row_id) FROM "+hive(root, ByDay))
	table := count(t, d, "SELECT count(*) FROM aws_s3serveraccess")
	if lake != table || distinct != table {
		t.Errorf("lake %d rows, %d distinct p_row_id; table %d", lake, distinct, table)
	}
	want, got := perDay(t, d, root)
	diffRows(t, want, got)
	if _, err := os.Stat(filepath.Join(root, "year=2025")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("year=2025 is still in the lake: %v", err)
	}
	st, err := (&localStore{root: root}).readState(ctx)
	if err != nil || len(st.Partitions) != 10 {
		t.Errorf("state holds %d partitions, %v; want 10 (2026-01-01 to 07, 2026-02-01 to 03)", len(st.Partitions), err)
	}
}

// TestLakeOtherDatabase: a lake records the database it is exported from;
// exporting another database into it is refused, naming the one that made
// it, unless --force, after which the lake is this database's.
func TestLakeOtherDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func(name string, first, last int) *db.DB {
		d, err := db.Open(ctx, filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		seed(t, d, "2025-12-30 22:00:00+00", first, last)
		return d
	}
	a, b := open("a.duckdb", 0, 20), open("b.duckdb", 100, 130)
	root := filepath.Join(dir, "lake")
	if _, err := Run(ctx, a, Options{Table: true, PartitionBy: ByDay, Out: root, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	// Again from the same database: fine.
	if _, err := Run(ctx, a, Options{Table: true, PartitionBy: ByDay, Out: root, Now: fixedNow}); err != nil {
		t.Fatalf("re-export from the same database: %v", err)
	}
	_, err := Run(ctx, b, Options{Table: true, PartitionBy: ByDay, Out: root, Now: fixedNow})
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "exported from the database "+filepath.Join(dir, "a.duckdb")+", not "+filepath.Join(dir, "b.duckdb")) {
		t.Fatalf("export of another database: %v, want ErrExists naming a.duckdb", err)
	}
	sameRows(t, a, hive(root, ByDay), "aws_s3serveraccess") // untouched
	if _, err := Run(ctx, b, Options{Table: true, PartitionBy: ByDay, Out: root, Now: fixedNow, Force: true}); err != nil {
		t.Fatalf("--force: %v", err)
	}
	st, err := (&localStore{root: root}).readState(ctx)
	if err != nil || st.Database != filepath.Join(dir, "b.duckdb") {
		t.Fatalf("state after --force: %+v, %v", st, err)
	}
}

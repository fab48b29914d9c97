package ingest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/loader/source"
)

// childEnv makes the test binary a loader child (see TestMain): it loads
// the files named in its arguments into the database it names, with small
// transactions, and exits; TestKill9 kills it at chosen moments.
const childEnv = "S3LOGS_INGEST_CHILD_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(childLoad(path, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// childLoad loads files into the database at path, committing every few
// thousand rows, and prints "done" when the load has returned.
func childLoad(path string, files []string) int {
	ctx := context.Background()
	d, err := db.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer d.Close()
	var ls []source.Lister
	for _, f := range files {
		ls = append(ls, Source{Lister: source.LocalLister(f, nil), Label: "kill"})
	}
	opts := Options{CommitRows: 5000, CommitEvery: 20 * time.Millisecond, ChunkBytes: 256 << 10, BatchRows: 1000}
	if _, err := New(d, opts).Load(ctx, ls); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("done")
	return 0
}

// TestKill9 kills a loading child process with SIGKILL at several moments,
// growing one of the files between kills, then loads to the end and checks
// that each line is stored exactly once: as many rows as valid lines, each
// p_row_id once, the rejects once, and each manifest row adding up
// (lines = rows + rejected + blank + filtered) and matching the tables.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	const bad = "a rejected line\n"
	writeFile(t, a, append(genLines(t, 40000, 81), bad...))
	writeFile(t, b, genLines(t, 20000, 82))
	path := filepath.Join(dir, "t.duckdb")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	midway := 0 // kills that left some rows committed, and an object not loaded
	for i, after := range []time.Duration{150 * time.Millisecond, 400 * time.Millisecond, 50 * time.Millisecond, 800 * time.Millisecond, 1500 * time.Millisecond} {
		cmd := exec.Command(self, a, b)
		cmd.Env = append(os.Environ(), childEnv+"="+path)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Kill()
		cmd.Wait()
		c, partial := stateAfterKill(t, path)
		t.Logf("kill %d after %v: rows, distinct p_row_id, rejects, manifest rows %v; %d not loaded; %q", i+1, after, c, partial, strings.TrimSpace(out.String()))
		if c[0] != c[1] {
			t.Errorf("kill %d: %d rows but %d distinct p_row_id", i+1, c[0], c[1])
		}
		if c[0] > 0 && partial > 0 {
			midway++
		}
		if i == 1 { // the file grows between two interrupted loads
			f, err := os.OpenFile(b, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write(append(genLines(t, 10000, 83), bad...))
			f.Close()
		}
	}
	if midway == 0 {
		t.Error("no kill landed in the middle of a load: the test did not test")
	}
	cmd := exec.Command(self, a, b)
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "done" {
		t.Fatalf("final load: %v\n%s", err, out)
	}
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const rows, rejects = 40000 + 20000 + 10000, 2
	if got, want := counts(t, d), [4]int64{rows, rows, rejects, 2}; got != want {
		t.Errorf("rows, distinct p_row_id, rejects, manifest rows = %v, want %v", got, want)
	}
	checkManifest(t, d, map[string]int64{a: 40001, b: 30001})
}

// stateAfterKill returns the counts of the database at path and how many
// objects of its manifest are not loaded (partial).
func stateAfterKill(t *testing.T, path string) (c [4]int64, partial int64) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return c, 0 // killed before it made the database
	}
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var started bool
	if err := d.QueryRow(`SELECT count(*) > 0 FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 's3logs_manifest'`).Scan(&started); err != nil {
		t.Fatal(err)
	}
	if !started {
		return c, 0 // killed after opening the database, before the load made its manifest
	}
	c = counts(t, d)
	if err := d.QueryRow(`SELECT count(*) FROM s3logs_manifest WHERE status <> 'loaded'`).Scan(&partial); err != nil {
		t.Fatal(err)
	}
	return c, partial
}

// checkManifest checks that every object of the manifest is loaded with
// the given number of lines, that its counts add up, and that they are
// those of the tables.
func checkManifest(t *testing.T, d *db.DB, lines map[string]int64) {
	t.Helper()
	rs, err := d.Query(`SELECT m.id, m.status, m.lines, m."rows", m.rejected, m.blank, m.filtered,
		(SELECT count(*) FROM aws_s3serveraccess r WHERE r.p_source_id = m.id),
		(SELECT count(*) FROM aws_s3serveraccess_rejects j WHERE j.source = m.id)
		FROM s3logs_manifest m ORDER BY m.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var id, status string
		var n, rows, rejected, blank, filtered, stored, storedRejects int64
		if err := rs.Scan(&id, &status, &n, &rows, &rejected, &blank, &filtered, &stored, &storedRejects); err != nil {
			t.Fatal(err)
		}
		if status != StatusLoaded || n != lines[id] || n != rows+rejected+blank+filtered || rows != stored || rejected != storedRejects {
			t.Errorf("%s: %s, lines %d (want %d) = rows %d + rejected %d + blank %d + filtered %d; stored %d rows, %d rejects",
				id, status, n, lines[id], rows, rejected, blank, filtered, stored, storedRejects)
		}
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestOldStorage opens a database file made by s3logs on DuckDB 1.5.6
// (testdata/storage) and loads more into it: DuckDB 2.0 reads and extends
// the older storage, and the rows loaded before stay as they were.
func TestOldStorage(t *testing.T) {
	old, err := os.ReadFile("../../testdata/storage/duckdb-v1.5.6.duckdb")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "old.duckdb")
	writeFile(t, path, old)
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := counts(t, d), [4]int64{30, 30, 1, 1}; got != want {
		t.Fatalf("the 1.5.6 file holds rows, distinct p_row_id, rejects, manifest rows = %v, want %v", got, want)
	}
	var before string
	if err := d.QueryRow(`SELECT string_agg(p_row_id, ',' ORDER BY p_row_id) FROM aws_s3serveraccess`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "peers.log")
	data, err := os.ReadFile("../../testdata/samples/peers.log")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, src, data)
	sum := load(t, d, Options{}, src)
	if sum.Rows != 66 || sum.Rejected != 0 {
		t.Errorf("loaded %d rows, %d rejected; want 66, 0", sum.Rows, sum.Rejected)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d, err = db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got, want := counts(t, d), [4]int64{96, 96, 1, 2}; got != want {
		t.Errorf("after the load, rows, distinct p_row_id, rejects, manifest rows = %v, want %v", got, want)
	}
	var after string
	if err := d.QueryRow(`SELECT string_agg(p_row_id, ',' ORDER BY p_row_id) FROM aws_s3serveraccess WHERE p_source_id = '/tmp/wt11/old/access.log'`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("the rows loaded by 1.5.6 changed: p_row_id %s, were %s", after, before)
	}
}

package ingest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/loader/source"
)

// formatRecords returns n generated requests (traps, but no unknown fields
// after the 27th, which JSON cannot say positionally) as text lines, JSON
// lines, CloudWatch export lines (a timestamp before each record) and a
// Parquet file.
func formatRecords(t testing.TB, n int, seed int64) (text, js, export, pq []byte) {
	t.Helper()
	g := gen.New(gen.Options{Seed: seed, TrapRate: 0.05, Traps: gen.AllTraps &^ gen.TrapExtraFields})
	recs := make([]gen.Record, n)
	for i := range recs {
		recs[i] = g.Next()
		text = append(recs[i].AppendLine(text), '\n')
		js = append(recs[i].AppendJSON(js), '\n')
		export = append(export, recs[i].Time.Add(time.Second).Format("2006-01-02T15:04:05.000Z ")...)
		export = append(recs[i].AppendJSON(export), '\n')
	}
	var buf bytes.Buffer
	if err := gen.WriteParquet(&buf, recs, 400); err != nil {
		t.Fatal(err)
	}
	return text, js, export, buf.Bytes()
}

// sameRows checks that the rows loaded under label a and under label b
// are the same multiset in every column but those of their source.
func sameRows(t testing.TB, d *db.DB, a, b string) {
	t.Helper()
	const cols = `* EXCLUDE (p_row_id, p_source_id, p_source_label, p_parse_time)`
	var na, nb, diff int64
	q := `SELECT (SELECT count(*) FROM aws_s3serveraccess WHERE p_source_label = $1),
		(SELECT count(*) FROM aws_s3serveraccess WHERE p_source_label = $2),
		(SELECT count(*) FROM (SELECT ` + cols + ` FROM aws_s3serveraccess WHERE p_source_label = $1
			EXCEPT ALL SELECT ` + cols + ` FROM aws_s3serveraccess WHERE p_source_label = $2)) +
		(SELECT count(*) FROM (SELECT ` + cols + ` FROM aws_s3serveraccess WHERE p_source_label = $2
			EXCEPT ALL SELECT ` + cols + ` FROM aws_s3serveraccess WHERE p_source_label = $1))`
	if err := d.QueryRow(q, a, b).Scan(&na, &nb, &diff); err != nil {
		t.Fatal(err)
	}
	if na == 0 || na != nb || diff != 0 {
		t.Errorf("%s: %d rows, %s: %d rows, %d rows differ", a, na, b, nb, diff)
	}
}

// TestFormatsLoadSameRows loads the same requests as text, JSON lines,
// gzipped JSON lines, CloudWatch export lines and Parquet, each detected
// from its content, and compares the rows column by column.
func TestFormatsLoadSameRows(t *testing.T) {
	text, js, export, pq := formatRecords(t, 2000, 21)
	dir := t.TempDir()
	files := map[string][]byte{
		"text.log": text, "records.json": js, "records.json.gz": gzipped(t, js),
		"export.log": export, "records.parquet": pq, "records.parquet.gz": gzipped(t, pq),
	}
	var args []string
	for name, b := range files {
		writeFile(t, filepath.Join(dir, name), b)
		args = append(args, filepath.Join(dir, name))
	}
	d := openDB(t)
	sum := load(t, d, Options{ChunkBytes: 64 << 10}, args...)
	if sum.Failed != 0 || sum.Rejected != 0 || sum.Rows != int64(len(files))*2000 {
		t.Fatalf("summary %+v", sum)
	}
	for name := range files {
		if name != "text.log" {
			sameRows(t, d, filepath.Join(dir, "text.log"), filepath.Join(dir, name))
		}
	}
	var parquetLines, parquetBytes int64
	if err := d.QueryRow(`SELECT lines, bytes FROM s3logs_manifest WHERE name LIKE '%records.parquet'`).Scan(&parquetLines, &parquetBytes); err != nil {
		t.Fatal(err)
	}
	if parquetLines != 2000 || parquetBytes != int64(len(pq)) {
		t.Errorf("Parquet manifest: %d lines, %d bytes; want 2000 rows and the file's %d bytes", parquetLines, parquetBytes, len(pq))
	}
	// Loading again adds nothing.
	if again := load(t, d, Options{}, args...); again.Objects != 0 || again.Skipped != len(files) {
		t.Errorf("second load %+v", tallyOf(again))
	}
}

// TestGrownJSONFile appends records to a loaded JSON-lines file: only the
// new ones are read, with the p_row_ids of a fresh load. A Parquet file
// that changed is read again whole.
func TestGrownJSONFile(t *testing.T) {
	_, js, _, pq := formatRecords(t, 600, 22)
	cut := bytes.Index(js, []byte("\n")) + 1
	for range 399 {
		cut += bytes.IndexByte(js[cut:], '\n') + 1
	}
	dir := t.TempDir()
	path, pqPath := filepath.Join(dir, "a.json"), filepath.Join(dir, "a.parquet")
	writeFile(t, path, js[:cut])
	_, _, _, pqSmall := formatRecords(t, 100, 23)
	writeFile(t, pqPath, pqSmall)
	d := openDB(t)
	load(t, d, Options{}, path, pqPath)
	writeFile(t, path, js)
	writeFile(t, pqPath, pq)
	os.Chtimes(path, time.Now(), time.Now().Add(time.Second))
	os.Chtimes(pqPath, time.Now(), time.Now().Add(time.Second))
	sum := load(t, d, Options{}, path, pqPath)
	if got, want := tallyOf(sum), (tally{Objects: 2, Resumed: 1, Reloaded: 1, Lines: 200 + 600, Rows: 200 + 600}); got != want {
		t.Errorf("summary %+v, want %+v (errors %v)", got, want, sum.Errors)
	}
	fresh := openDB(t)
	load(t, fresh, Options{}, path, pqPath)
	if rowIDs(t, d) != rowIDs(t, fresh) {
		t.Error("p_row_ids differ from a fresh load")
	}
	if got := counts(t, d); got != [4]int64{1200, 1200, 0, 2} {
		t.Errorf("rows, ids, rejects, manifest = %v", got)
	}
}

// TestForcedFormat reads files with --format: the forced format wins over
// detection, and Parquet and lines are never read as each other.
func TestForcedFormat(t *testing.T) {
	text, js, _, pq := formatRecords(t, 50, 24)
	dir := t.TempDir()
	for name, b := range map[string][]byte{"t.log": text, "j.json": js, "p.parquet": pq} {
		writeFile(t, filepath.Join(dir, name), b)
	}
	tests := []struct {
		format source.Format
		file   string
		rows   int64
		failed int
	}{
		{source.FormatJSON, "j.json", 50, 0},
		{source.FormatText, "t.log", 50, 0},
		{source.FormatParquet, "p.parquet", 50, 0},
		{source.FormatText, "j.json", 0, 1},
		{source.FormatJSON, "t.log", 0, 1},
		{source.FormatParquet, "t.log", 0, 1},
		{source.FormatText, "p.parquet", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.format.String()+" "+tt.file, func(t *testing.T) {
			d := openDB(t)
			sum := load(t, d, Options{Format: tt.format}, filepath.Join(dir, tt.file))
			if sum.Rows != tt.rows || sum.Failed != tt.failed {
				t.Fatalf("summary %+v, errors %v", sum, sum.Errors)
			}
			for _, err := range sum.Errors {
				if !errors.Is(err, source.ErrNotLog) {
					t.Errorf("error %v does not wrap ErrNotLog", err)
				}
			}
		})
	}
}

// TestJSONRejectsStored loads a JSON file with bad records among good
// ones: the bad ones are rejects with their line and kind.
func TestJSONRejectsStored(t *testing.T) {
	_, js, _, _ := formatRecords(t, 10, 25)
	js = append(js, `{"bucket_name":"no time"}`+"\n"+`{"request_time":"2026-07-01T00:00:00Z","http_status":"200"}`+"\n"+`{"request_time":"2026-07-01T00:00:00Z"`+"\n"...)
	path := filepath.Join(t.TempDir(), "r.json")
	writeFile(t, path, js)
	d := openDB(t)
	sum := load(t, d, Options{}, path)
	if sum.Rows != 10 || sum.Rejected != 3 {
		t.Fatalf("summary %+v", sum)
	}
	var got string
	if err := d.QueryRow(`SELECT string_agg(line || ':' || coalesce(field, '') || ':' || reason, '|' ORDER BY line) FROM aws_s3serveraccess_rejects`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	want := "11::no request_time: a record must say when the request was received|12:httpstatus:http_status: want an integer or null, found \"200\"|13::truncated record: it ends before the object's '}'"
	if got != want {
		t.Errorf("rejects\n%s\nwant\n%s", got, want)
	}
}

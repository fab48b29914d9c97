package queries

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/internal/intel"
	"github.com/s3logs/s3logs/loader/ingest"
	"github.com/s3logs/s3logs/loader/source"
	"github.com/s3logs/s3logs/schema"
)

// millionRows is the size of the data set of the enriched-view, cost-query
// and new-rule benchmarks, as issue 14 asks.
const millionRows = 1_000_000

var (
	millionOnce sync.Once
	millionDB   *db.DB
	millionErr  error
)

// openMillion loads millionRows generated lines into an in-memory database
// shared by the benchmarks of one run (loading takes several seconds).
func openMillion(b *testing.B) *db.DB {
	b.Helper()
	millionOnce.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "s3logs-bench")
		if err != nil {
			millionErr = err
			return
		}
		defer os.RemoveAll(dir)
		p := filepath.Join(dir, "access.log")
		f, err := os.Create(p)
		if err != nil {
			millionErr = err
			return
		}
		if err := gen.Write(f, millionRows, gen.Options{Seed: 14, Span: 7 * 24 * 3600e9, IPs: 5000}); err != nil {
			millionErr = err
			return
		}
		f.Close()
		if millionDB, millionErr = db.Open(ctx, db.Memory); millionErr != nil {
			return
		}
		_, millionErr = ingest.New(millionDB, ingest.Options{}).Load(ctx, []source.Lister{source.LocalLister(p, nil)})
	})
	if millionErr != nil {
		b.Fatal(millionErr)
	}
	return millionDB
}

// runCount runs q on d and reads every row.
func runCount(b *testing.B, d *db.DB, q string, args ...any) {
	rows, err := d.QueryContext(context.Background(), q, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkEnrichedView runs the same queries on the table and on the
// enriched view, in the same run: the target is at most 2x. "all-columns"
// hashes every column, so on the view it computes every derived column.
// cpu-ms/op is the process's CPU time per query (both of DuckDB's threads),
// steadier than ns/op when other jobs load the machine.
func BenchmarkEnrichedView(b *testing.B) {
	d := openMillion(b)
	queries := map[string]string{
		"group-by-requester": "SELECT requester, remoteip, count(*), sum(bytessent) FROM %s GROUP BY ALL",
		"filter-errors":      "SELECT count(*), max(key) FROM %s WHERE httpstatus >= 400",
		"all-columns":        "SELECT sum(hash(COLUMNS(*))) FROM %s",
	}
	// The view's output stored in a table, as if every derived column were
	// computed at load: the floor of "all-columns" for any way of computing
	// them (the query hashes 21 more columns than on the table).
	const stored = "s3logs_bench_enriched_stored"
	if _, err := d.Exec("CREATE OR REPLACE TEMP TABLE " + stored + " AS SELECT * FROM " + schema.EnrichedViewName); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"group-by-requester", "filter-errors", "all-columns"} {
		srcs := []string{schema.TableName, schema.EnrichedViewName}
		if name == "all-columns" {
			srcs = append(srcs, stored)
		}
		for _, src := range srcs {
			b.Run(name+"/"+src, func(b *testing.B) {
				q := fmtQuery(queries[name], src)
				cpu := processCPU()
				for b.Loop() {
					runCount(b, d, q)
				}
				b.ReportMetric(float64(millionRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64((processCPU()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			})
		}
	}
}

// BenchmarkEnrichedColumns reads each derived column of the view alone
// (the hash of every value) on one thread, so that cpu-ms/op is the cost of
// computing it over 1M rows; "requester" is a table column read the same
// way, the floor. "plan" is a filtered count of one row over the view and
// over the table: the time DuckDB takes to bind and plan each, which every
// query pays.
func BenchmarkEnrichedColumns(b *testing.B) {
	d := openMillion(b)
	conn, err := d.Conn(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "SET threads = 1"); err != nil {
		b.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "RESET threads")
	run := func(b *testing.B, q string) {
		cpu := processCPU()
		for b.Loop() {
			var n any
			if err := conn.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((processCPU()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
	for _, src := range []string{schema.TableName, schema.EnrichedViewName} {
		b.Run("plan/"+src, func(b *testing.B) {
			run(b, "SELECT count(*) FROM "+src+" WHERE p_row_id = 'none'")
		})
	}
	cols := []string{"requester"}
	for _, c := range schema.Enriched.Derived {
		if c.Plain == nil || *c.Plain != "" { // not NULL without intelligence files
			cols = append(cols, c.Name)
		}
	}
	for _, c := range cols {
		b.Run(c, func(b *testing.B) {
			run(b, "SELECT sum(hash("+schema.Quote(c)+")) FROM "+schema.EnrichedViewName)
		})
	}
}

func fmtQuery(q, table string) string { return fmt.Sprintf(q, table) }

// BenchmarkIssue14OnMillion runs each cost query and each rule of issue 14
// on 1M generated rows (the listed-IP rule with an intel list naming one
// network and one address of the generated traffic).
func BenchmarkIssue14OnMillion(b *testing.B) {
	d := openMillion(b)
	ctx := context.Background()
	cat, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"cost_by_requester", "cost_by_ip", "cost_by_prefix", "cost_by_useragent_class", "cost_by_day"} {
		b.Run(name, func(b *testing.B) {
			q, err := cat.Get(name)
			if err != nil {
				b.Fatal(err)
			}
			text, args, err := q.Bind(nil)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				runCount(b, d, text, args...)
			}
			b.ReportMetric(float64(millionRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
	var ip string
	if err := d.QueryRow("SELECT remoteip FROM aws_s3serveraccess WHERE remoteip LIKE '%.%' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").Scan(&ip); err != nil {
		b.Fatal(err)
	}
	list := filepath.Join(b.TempDir(), "intel.txt")
	if err := os.WriteFile(list, []byte(ip+" busiest\n198.51.100.0/24 doc\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	set, err := intel.Load(intel.Options{IPLists: []intel.ListFile{{List: intel.Intel, Path: list}}})
	if err != nil {
		b.Fatal(err)
	}
	defer set.Close()
	b.Run("intel-apply", func(b *testing.B) {
		for b.Loop() {
			if err := set.Apply(ctx, d); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, id := range []string{"s3logs.volume_exfiltration", "s3logs.listed_ip", "s3logs.new_account_bucket"} {
		b.Run(id, func(b *testing.B) {
			var n int
			for b.Loop() {
				alerts, err := Detect(ctx, d.DB, Options{Rules: []string{id}})
				if err != nil {
					b.Fatal(err)
				}
				n = len(alerts)
			}
			b.ReportMetric(float64(n), "alerts")
			b.ReportMetric(float64(millionRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
	if err := d.UseIntel(ctx, false); err != nil { // leave the shared database plain
		b.Fatal(err)
	}
}

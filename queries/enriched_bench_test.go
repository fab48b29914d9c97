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
	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/loader/ingest"
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
		_, millionErr = ingest.New(millionDB, ingest.Options{}).Load(ctx, []loader.Lister{loader.LocalLister(p, nil)})
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
func BenchmarkEnrichedView(b *testing.B) {
	d := openMillion(b)
	queries := map[string]string{
		"group-by-requester": "SELECT requester, remoteip, count(*), sum(bytessent) FROM %s GROUP BY ALL",
		"filter-errors":      "SELECT count(*), max(key) FROM %s WHERE httpstatus >= 400",
		"all-columns":        "SELECT sum(hash(COLUMNS(*))) FROM %s",
	}
	for _, name := range []string{"group-by-requester", "filter-errors", "all-columns"} {
		for _, src := range []string{schema.TableName, schema.EnrichedViewName} {
			b.Run(name+"/"+src, func(b *testing.B) {
				q := fmtQuery(queries[name], src)
				for b.Loop() {
					runCount(b, d, q)
				}
				b.ReportMetric(float64(millionRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

func fmtQuery(q, table string) string { return fmt.Sprintf(q, table) }

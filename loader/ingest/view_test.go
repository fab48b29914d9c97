package ingest

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/internal/memtune"
	"github.com/s3logs/s3logs/loader/source"
)

// TestTransactionsKeepCMemory: DuckDB's C API never frees the schema it
// asks an Arrow stream for, at each registration of a view and each bind
// of a query on one (see view.go). With the views registered and the
// INSERTs bound per transaction, the C heap grew by about 96 KB a
// transaction; registered and prepared once per load, by about 2 KB.
func TestTransactionsKeepCMemory(t *testing.T) {
	if _, ok := memtune.CHeapInUse(); !ok {
		t.Skip("glibc's malloc statistics are not available here")
	}
	d := openDB(t)
	objs := smallObjects(t, 320, func(n int) int64 { return int64(n) })
	opts := Options{CommitRows: 10, Workers: 1, Allocator: memory.NewCheckedAllocator(memory.NewGoAllocator())}
	ctx := context.Background()
	// A first load: DuckDB's caches, the manifest, the first row group.
	if _, err := New(d, opts).Load(ctx, []source.Lister{objs[:20]}); err != nil {
		t.Fatal(err)
	}
	before, _ := memtune.CHeapInUse()
	sum, err := New(d, opts).Load(ctx, []source.Lister{objs[20:]})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := memtune.CHeapInUse()
	var commits int64
	if err := d.QueryRow(`SELECT count(DISTINCT loaded_at) FROM s3logs_manifest WHERE id >= 'mem://bench/obj-0020'`).Scan(&commits); err != nil {
		t.Fatal(err)
	}
	if sum.Objects != 300 || commits < 100 {
		t.Fatalf("%d objects loaded in %d transactions, want 300 in at least 100 (one object a transaction, CommitRows 10)", sum.Objects, commits)
	}
	grown := int64(after) - int64(before)
	t.Logf("%d transactions: the C heap in use grew by %d bytes, %d a transaction", commits, grown, grown/commits)
	if grown/commits > 8<<10 {
		t.Errorf("the C heap in use grew by %d bytes over %d transactions, %d a transaction: want at most 8 KB (the Arrow views registered once per load)", grown, commits, grown/commits)
	}
}

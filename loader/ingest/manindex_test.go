package ingest

import (
	"context"
	"hash/maphash"
	"testing"
	"time"

	"github.com/s3logs/s3logs/loader/source"
)

// TestManifestIndexPlan holds the index to plan's decisions on the full
// rows: skip what is loaded and unchanged, read again what changed, was
// interrupted or failed (with the earlier row as prev, read by id), load
// what is new.
func TestManifestIndexPlan(t *testing.T) {
	mod := time.Date(2024, 1, 2, 3, 4, 5, 600000, time.UTC)
	rows := []manifestRow{
		{ID: "s3://b/etag", Size: 100, ETag: "abc", Status: StatusLoaded},
		{ID: "s3://b/partial", Size: 100, ETag: "abc", Status: StatusPartial},
		{ID: "s3://b/error", Size: 100, ETag: "abc", Status: StatusError},
		{ID: "/logs/file", Size: 50, MTime: mod, Status: StatusLoaded, Bytes: 50, Checksum: "c"},
		{ID: "/logs/nomtime", Size: 50, Status: StatusLoaded},
		{ID: "/logs/refused", Size: 50, MTime: mod, Status: StatusRefused, Error: "not a log"},
		{ID: "/logs/window", Size: 50, MTime: mod, Status: StatusLoaded, Filtered: 3, Windows: "2024-01-01T00:00:00Z/"},
	}
	x := &manifestIndex{seed: maphash.MakeSeed(), fp: map[uint64]uint64{}}
	reads := 0
	x.row = func(_ context.Context, id string) (manifestRow, bool, error) {
		reads++
		for _, r := range rows {
			if r.ID == id {
				return r, true, nil
			}
		}
		return manifestRow{}, false, nil
	}
	full := map[string]manifestRow{}
	for _, r := range rows {
		x.add(r)
		full[r.ID] = r
	}
	objs := []source.Object{
		{ID: "s3://b/etag", Size: 100, ETag: "abc"},         // unchanged: skipped
		{ID: "s3://b/etag", Size: 100, ETag: "abd"},         // new ETag
		{ID: "s3://b/etag", Size: 101, ETag: "abc"},         // new size
		{ID: "s3://b/partial", Size: 100, ETag: "abc"},      // interrupted
		{ID: "s3://b/error", Size: 100, ETag: "abc"},        // failed
		{ID: "s3://b/new", Size: 100, ETag: "abc"},          // new
		{ID: "/logs/file", Size: 50, ModTime: mod},          // unchanged: skipped
		{ID: "/logs/file", Size: 80, ModTime: mod.Add(1)},   // grown (resumed)
		{ID: "/logs/file", Size: 50, ModTime: mod.Add(1e3)}, // touched
		{ID: "/logs/file", Size: 50, ETag: "x", ModTime: mod},
		{ID: "/logs/nomtime", Size: 50},
		{ID: "/logs/size", Size: -1, ModTime: mod},
		{ID: "/logs/refused", Size: 50, ModTime: mod}, // refused, unchanged: skipped, row read for the note
		{ID: "/logs/refused", Size: 51, ModTime: mod}, // refused, changed
		{ID: "/logs/window", Size: 50, ModTime: mod},  // rows filtered: row read for widen
	}
	for _, o := range objs {
		want := plan(o, full)
		got, prev, err := x.plan(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := full[o.ID]; ok && (p.Status != StatusLoaded || p.Filtered > 0) && (prev == nil || *prev != p) {
			t.Errorf("%+v: index plan returned row %+v, want %+v (widen and noteRefused need it)", o, prev, p)
		}
		switch {
		case (got == nil) != (want == nil):
			t.Errorf("%+v: index plan %+v, want %+v", o, got, want)
		case got == nil:
		case (got.prev == nil) != (want.prev == nil) || got.resume != want.resume ||
			(got.prev != nil && *got.prev != *want.prev):
			t.Errorf("%+v: index plan prev %+v resume %v, want prev %+v resume %v", o, got.prev, got.resume, want.prev, want.resume)
		}
	}
	// Only objects whose row might say something else are read by id.
	if reads != 11 {
		t.Errorf("%d rows read by id, want 11 (every known object not skipped on its fingerprint)", reads)
	}
}

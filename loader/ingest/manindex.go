package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"io"
	"time"

	"github.com/s3logs/s3logs/loader/source"
	"github.com/s3logs/s3logs/schema"
)

// manifestIndex is what a load keeps in memory of the manifest as it was
// when the load started, to skip the objects already loaded: for each row,
// a 64-bit hash of its id and a fingerprint of what makes an object
// unchanged (loaded, same size and ETag, or modification time without
// one). Sixteen bytes and the map's overhead a row, not the row (a map of
// a million manifest rows by id took hundreds of MB). An object whose id
// is not in it is new; one whose fingerprint matches is skipped; any other
// (changed, interrupted, failed, or a hash collision) has its row read
// from the database, by id, to plan it as before.
type manifestIndex struct {
	seed maphash.Seed
	fp   map[uint64]uint64
	dups *dupIndex // the loaded local files, for the copy check
	// row reads the manifest row of id, ok false when there is none.
	row func(ctx context.Context, id string) (r manifestRow, ok bool, err error)
}

// manifestColumns are the columns a manifestRow is read from.
const manifestColumns = `id, size, mtime, coalesce(etag, ''), bytes, lines, "rows", rejected, blank, filtered, status, coalesce(checksum, ''), coalesce(windows, ''), coalesce(error, ''), coalesce(replaced, 0)`

// readManifestIndex reads the index of the manifest through q; rows are
// read through d's pool (not q's connection, which the inserter owns).
func readManifestIndex(ctx context.Context, q driver.QueryerContext, d *sql.DB) (*manifestIndex, error) {
	x := &manifestIndex{seed: maphash.MakeSeed(), fp: map[uint64]uint64{}, dups: newDupIndex()}
	err := scanManifest(ctx, q, "", nil, x.add)
	if err != nil {
		return nil, err
	}
	x.row = func(ctx context.Context, id string) (manifestRow, bool, error) {
		rows, err := d.QueryContext(ctx, "SELECT "+manifestColumns+" FROM "+schema.ManifestTableName+" WHERE id = ?", id)
		if err != nil {
			return manifestRow{}, false, fmt.Errorf("read %s: %w", schema.ManifestTableName, err)
		}
		defer rows.Close()
		if !rows.Next() {
			return manifestRow{}, false, rows.Err()
		}
		var r manifestRow
		var mtime sql.NullTime
		if err := rows.Scan(&r.ID, &r.Size, &mtime, &r.ETag, &r.Bytes, &r.Lines, &r.Rows, &r.Rejected, &r.Blank, &r.Filtered, &r.Status, &r.Checksum, &r.Windows, &r.Error, &r.Replaced); err != nil {
			return manifestRow{}, false, fmt.Errorf("read %s: %w", schema.ManifestTableName, err)
		}
		if mtime.Valid {
			r.MTime = mtime.Time
		}
		return r, true, nil
	}
	return x, nil
}

// add indexes the manifest row r.
func (x *manifestIndex) add(r manifestRow) {
	if x.dups != nil {
		x.dups.add(r)
	}
	fp := uint64(0)
	if r.Filtered == 0 { // else a wider window may read it again (see widen): plan reads its row
		fp = fingerprint(r.Status, r.Size, r.ETag, r.MTime)
	}
	x.fp[x.hash(r.ID)] = fp
}

func (x *manifestIndex) hash(id string) uint64 { return maphash.String(x.seed, id) }

// fingerprint is what must match for an object to be loaded and
// unchanged (see plan): nonzero only for a loaded row, or an object whose
// size is known and that has an ETag or a modification time.
func fingerprint(status string, size int64, etag string, mtime time.Time) uint64 {
	if status != StatusLoaded || size < 0 || (etag == "" && mtime.IsZero()) {
		return 0
	}
	var h maphash.Hash
	h.SetSeed(fpSeed)
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(size))
	if etag == "" {
		binary.LittleEndian.PutUint64(b[8:], uint64(mtime.UnixMicro()))
	}
	h.Write(b[:])
	h.WriteString(etag)
	return h.Sum64() | 1
}

var fpSeed = maphash.MakeSeed()

// plan is plan with the manifest index: a nil job means o is already
// loaded (or refused) and unchanged; prev is o's manifest row when it was
// read (nil when o is new, or skipped on its fingerprint alone).
func (x *manifestIndex) plan(ctx context.Context, o source.Object) (j *job, prev *manifestRow, err error) {
	fp, ok := x.fp[x.hash(o.ID)]
	if !ok {
		return &job{obj: o}, nil, nil
	}
	if f := fingerprint(StatusLoaded, o.Size, o.ETag, o.ModTime); f != 0 && f == fp {
		return nil, nil, nil
	}
	r, ok, err := x.get(ctx, o.ID)
	if err != nil || !ok {
		return &job{obj: o}, nil, err
	}
	return plan(o, map[string]manifestRow{o.ID: r}), &r, nil
}

// get returns the manifest row of id, ok false when there is none.
func (x *manifestIndex) get(ctx context.Context, id string) (r manifestRow, ok bool, err error) {
	if _, in := x.fp[x.hash(id)]; !in {
		return manifestRow{}, false, nil
	}
	return x.row(ctx, id)
}

// streamID is the ID of a pipe whose path is id (source.Object.Unstable):
// id, or id#2, id#3..., the first whose earlier load did not complete. The
// bytes of a pipe are not those of its last load, so a completed load is
// never replaced: the new one is added beside it; an interrupted one
// (partial, error) is replaced, as the same command is run again to
// complete it.
func (x *manifestIndex) streamID(ctx context.Context, id string) (string, error) {
	for n := 1; ; n++ {
		cand := id
		if n > 1 {
			cand = fmt.Sprintf("%s#%d", id, n)
		}
		prev, ok, err := x.get(ctx, cand)
		if err != nil {
			return "", err
		}
		if !ok || prev.Status != StatusLoaded {
			return cand, nil
		}
	}
}

// scanManifest calls fn with each manifest row (where, when set, narrows
// them, with args).
func scanManifest(ctx context.Context, q driver.QueryerContext, where string, args []driver.NamedValue, fn func(manifestRow)) error {
	rows, err := q.QueryContext(ctx, "SELECT "+manifestColumns+" FROM "+schema.ManifestTableName+where, args)
	if err != nil {
		return fmt.Errorf("read %s: %w", schema.ManifestTableName, err)
	}
	defer rows.Close()
	vals := make([]driver.Value, 15)
	for {
		if err := rows.Next(vals); err == io.EOF {
			break
		} else if err != nil {
			// Close does not report it: a manifest read in part would load
			// the objects of the missing rows again, next to their old rows.
			return fmt.Errorf("read %s: %w", schema.ManifestTableName, err)
		}
		r := manifestRow{
			ID: vals[0].(string), Size: asInt(vals[1]), ETag: vals[3].(string),
			Bytes: asInt(vals[4]), Lines: asInt(vals[5]), Rows: asInt(vals[6]), Rejected: asInt(vals[7]),
			Blank: asInt(vals[8]), Filtered: asInt(vals[9]), Status: vals[10].(string), Checksum: vals[11].(string),
			Windows: vals[12].(string), Error: vals[13].(string), Replaced: asInt(vals[14]),
		}
		if t, ok := vals[2].(time.Time); ok {
			r.MTime = t
		}
		fn(r)
	}
	return rows.Close()
}

// idSet is a set of ids held as 64-bit hashes, for the ids with a manifest
// row written by this load: a collision only makes a commit delete a row
// that is not there.
type idSet struct {
	seed maphash.Seed
	m    map[uint64]struct{}
}

func newIDSet() idSet { return idSet{seed: maphash.MakeSeed(), m: map[uint64]struct{}{}} }

func (s idSet) add(id string) { s.m[maphash.String(s.seed, id)] = struct{}{} }

func (s idSet) has(id string) bool {
	_, ok := s.m[maphash.String(s.seed, id)]
	return ok
}

package ingest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/loader/source"
	"github.com/s3logs/s3logs/schema"
)

// ListLog keeps the days of S3 key space that loads listed whole in the
// table s3logs_listed (schema.Listed), next to the manifest, for
// loader/s3 to resume a listing (source.ListLog). A day is done when it
// was listed at least source.SettleTime after it ended and the manifest
// holds at least the recorded number of objects under its prefix, loaded.
type ListLog struct {
	d  *db.DB
	mu sync.Mutex // one write at a time
}

// NewListLog returns the ListLog of d, creating its table when missing.
// Call it before a Load starts (creating a table while the load's
// transaction is open would conflict with it).
func NewListLog(ctx context.Context, d *db.DB) (*ListLog, error) {
	if _, err := d.ExecContext(ctx, schema.Listed.CreateSQL()); err != nil {
		return nil, fmt.Errorf("create %s: %w", schema.ListedTableName, err)
	}
	return &ListLog{d: d}, nil
}

// Done implements source.ListLog.
func (g *ListLog) Done(ctx context.Context, bucket, base string) ([]source.ListedDay, error) {
	rows, err := g.d.QueryContext(ctx, `SELECT prefix, day, objects, listed_at FROM `+schema.ListedTableName+
		` WHERE bucket = ? AND base = ? AND listed_at >= day + to_microseconds(?) ORDER BY prefix`,
		bucket, base, (24*time.Hour + source.SettleTime).Microseconds())
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", schema.ListedTableName, err)
	}
	var days []source.ListedDay
	for rows.Next() {
		d := source.ListedDay{Bucket: bucket, Base: base}
		if err := rows.Scan(&d.Prefix, &d.Day, &d.Objects, &d.ListedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read %s: %w", schema.ListedTableName, err)
		}
		d.Day, d.ListedAt = d.Day.UTC(), d.ListedAt.UTC()
		days = append(days, d)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("read %s: %w", schema.ListedTableName, err)
	}
	if len(days) == 0 {
		return nil, nil
	}
	loaded, err := g.loaded(ctx, bucket, days)
	if err != nil {
		return nil, err
	}
	done := days[:0]
	for _, d := range days {
		if loaded[d.Prefix] >= d.Objects {
			done = append(done, d)
		}
	}
	return done, nil
}

// loaded counts the objects loaded under the prefix of each day: one scan
// of the manifest rows under the days' base, grouped by the first
// characters of their id, as long as a day's prefix (every day of a base
// has a prefix of the same length).
func (g *ListLog) loaded(ctx context.Context, bucket string, days []source.ListedDay) (map[string]int64, error) {
	var exists int
	err := g.d.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?`,
		schema.ManifestTableName).Scan(&exists)
	if err != nil || exists == 0 {
		return nil, err
	}
	url := "s3://" + bucket + "/"
	lens := map[int]bool{}
	for _, d := range days {
		lens[len(d.Prefix)] = true
	}
	out := map[string]int64{}
	for n := range lens {
		rows, err := g.d.QueryContext(ctx, `SELECT substr(id, ?, ?) AS p, count(*) FROM `+schema.ManifestTableName+
			` WHERE starts_with(id, ?) AND status = ? GROUP BY p`, len(url)+1, n, url+days[0].Base, StatusLoaded)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", schema.ManifestTableName, err)
		}
		for rows.Next() {
			var p string
			var c int64
			if err := rows.Scan(&p, &c); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read %s: %w", schema.ManifestTableName, err)
			}
			out[p] = c
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("read %s: %w", schema.ManifestTableName, err)
		}
	}
	return out, nil
}

// Listed implements source.ListLog: the days' earlier records are
// replaced, in one transaction.
func (g *ListLog) Listed(ctx context.Context, days []source.ListedDay) error {
	if len(days) == 0 {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	tx, err := g.d.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("update %s: %w", schema.ListedTableName, err)
	}
	defer tx.Rollback()
	for len(days) > 0 && err == nil {
		n := min(len(days), 100)
		var del, ins []any
		for _, d := range days[:n] {
			del = append(del, d.Bucket, d.Prefix)
			ins = append(ins, d.Bucket, d.Base, d.Prefix, d.Day.UTC(), d.Objects, d.ListedAt.UTC())
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM `+schema.ListedTableName+` WHERE (bucket, prefix) IN (`+
			strings.TrimSuffix(strings.Repeat("(?, ?),", n), ",")+`)`, del...)
		if err == nil {
			_, err = tx.ExecContext(ctx, `INSERT INTO `+schema.ListedTableName+` VALUES `+
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?),", n), ","), ins...)
		}
		days = days[n:]
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return fmt.Errorf("update %s: %w", schema.ListedTableName, err)
	}
	return nil
}

var _ source.ListLog = (*ListLog)(nil)

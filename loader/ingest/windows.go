package ingest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/loader/source"
	"github.com/s3logs/s3logs/schema"
)

// windows is a set of time windows under which an object's rows were
// loaded: its rows in any of them are in the table, the others were
// counted as filtered. It is kept sorted and merged; one window without
// bounds is every row.
type windows []loader.Window

// allTime is the set of one window without bounds.
var allTime = windows{{}}

// usec returns t in microseconds, the precision of event times; the zero
// time is no bound (lo: -inf, else +inf).
func usec(t time.Time, lo bool) int64 {
	switch {
	case !t.IsZero():
		return t.UnixMicro()
	case lo:
		return -1 << 63
	default:
		return 1<<63 - 1
	}
}

// union returns a and b merged into sorted, disjoint windows.
func union(a, b windows) windows {
	all := append(append(windows(nil), a...), b...)
	slices.SortFunc(all, func(x, y loader.Window) int {
		return cmpInt(usec(x.Since, true), usec(y.Since, true))
	})
	var out windows
	for _, w := range all {
		if n := len(out); n > 0 && usec(w.Since, true) <= usec(out[n-1].Until, false) {
			if usec(w.Until, false) > usec(out[n-1].Until, false) {
				out[n-1].Until = w.Until
			}
			continue
		}
		out = append(out, w)
	}
	return out
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// covers reports whether every window of x lies within one of w (both
// merged, as union returns them).
func (w windows) covers(x windows) bool {
	for _, xw := range x {
		in := false
		for _, ww := range w {
			if usec(ww.Since, true) <= usec(xw.Since, true) && usec(xw.Until, false) <= usec(ww.Until, false) {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}

// String is w as the manifest stores it: "" for every row, else
// since/until pairs in RFC 3339 (an empty side is no bound) joined by ",".
func (w windows) String() string {
	if allTime.covers(w) && w.covers(allTime) {
		return ""
	}
	parts := make([]string, len(w))
	for i, x := range w {
		parts[i] = stamp(x.Since) + "/" + stamp(x.Until)
	}
	return strings.Join(parts, ",")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// parseWindows reads the manifest's windows; "" (and text it cannot read,
// as when the column was added to an older manifest) is every row.
func parseWindows(s string) windows {
	if s == "" {
		return allTime
	}
	var w windows
	for _, p := range strings.Split(s, ",") {
		a, b, ok := strings.Cut(p, "/")
		since, err1 := unstamp(a)
		until, err2 := unstamp(b)
		if !ok || err1 != nil || err2 != nil {
			return allTime
		}
		w = append(w, loader.Window{Since: since, Until: until})
	}
	return union(w, nil)
}

func unstamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// current is the window of this load (Options.Since and Until).
func (l *Loader) current() windows {
	return windows{{Since: l.opts.Since, Until: l.opts.Until}}
}

// widen sets what j (nil: o is loaded and unchanged) reads of o given its
// manifest row prev (nil: none): the union of the windows of earlier loads
// and of this one, so that no load drops rows an earlier one stored. An
// unchanged object that an earlier, narrower window left rows of is read
// again whole under that union (its rows replaced, so none is doubled); a
// grown one is resumed only if its stored part was read under the union.
func (l *Loader) widen(o source.Object, prev *manifestRow, j *job) *job {
	cur := l.current()
	if prev == nil {
		if j != nil {
			j.windows = cur
		}
		return j
	}
	before := parseWindows(prev.Windows)
	if j == nil {
		if prev.Status != StatusLoaded || prev.Filtered == 0 || before.covers(cur) {
			return nil
		}
		j = &job{obj: o, prev: prev, widen: true}
	}
	j.windows = union(before, cur)
	if j.resume && !before.covers(cur) {
		j.resume = false
	}
	return j
}

// addManifestColumns adds to a manifest made by an older s3logs the
// columns it lacks (windows, replaced), at the end, in the order
// schema.Manifest has them. An older row's replaced is NULL: not counted.
func addManifestColumns(ctx context.Context, ex driver.ExecerContext) error {
	for _, i := range []int{schema.ManWindows, schema.ManReplaced} {
		c := schema.Manifest.Columns[i]
		q := fmt.Sprintf("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s", schema.ManifestTableName, schema.Quote(c.Name), c.Type.DuckDB())
		if _, err := ex.ExecContext(ctx, q, nil); err != nil {
			return fmt.Errorf("update %s: %w", schema.ManifestTableName, err)
		}
	}
	return nil
}

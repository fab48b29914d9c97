package ui

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/s3logs/s3logs/schema"
)

// Filter narrows the overview: a time window [Since, Until) and equality
// on some columns. Values are bound, never spliced.
type Filter struct {
	Since, Until time.Time
	Eq           map[string]string // column (one of filterColumns) = value
	Status       string            // a status class: 2xx, 3xx, 4xx, 5xx
}

// filterColumns are the columns the overview's top lists show and filter.
var filterColumns = []string{"bucket", "operation", "requester", "remoteip", "useragent", "errorcode"}

// where returns the filter as a WHERE clause (without the keyword, "true"
// when empty) and its arguments.
func (f Filter) where() (string, []any) {
	conds := []string{"true"}
	var args []any
	if !f.Since.IsZero() {
		conds = append(conds, "p_event_time >= $since")
		args = append(args, sql.Named("since", f.Since.UTC()))
	}
	if !f.Until.IsZero() {
		conds = append(conds, "p_event_time < $until")
		args = append(args, sql.Named("until", f.Until.UTC()))
	}
	for _, c := range filterColumns {
		if v, ok := f.Eq[c]; ok {
			conds = append(conds, fmt.Sprintf("%s = $f_%s", schema.Quote(c), c))
			args = append(args, sql.Named("f_"+c, v))
		}
	}
	if f.Status != "" {
		conds = append(conds, "httpstatus // 100 = $status")
		var n int64
		fmt.Sscanf(f.Status, "%1d", &n)
		args = append(args, sql.Named("status", n))
	}
	return strings.Join(conds, " AND "), args
}

// Overview is what the overview page and the report show.
type Overview struct {
	Totals  Totals             `json:"totals"`
	Series  []Point            `json:"series"`
	Step    int64              `json:"step_seconds"`
	Status  []Count            `json:"status"`
	Top     map[string][]Count `json:"top"`
	Rejects int64              `json:"rejects"`
	Reasons []Count            `json:"reject_reasons"`
}

// Totals sums the filtered rows.
type Totals struct {
	Requests   int64      `json:"requests"`
	Errors     int64      `json:"errors"`
	Buckets    int64      `json:"buckets"`
	Requesters int64      `json:"requesters"`
	IPs        int64      `json:"ips"`
	BytesSent  int64      `json:"bytes_sent"`
	First      *time.Time `json:"first"`
	Last       *time.Time `json:"last"`
}

// Point is one step of the requests-over-time series.
type Point struct {
	T        time.Time `json:"t"`
	Requests int64     `json:"requests"`
	Errors   int64     `json:"errors"`
}

// Count is one entry of a top list; Value is nil for NULL.
type Count struct {
	Value *string `json:"value"`
	N     int64   `json:"n"`
	Bytes int64   `json:"bytes"`
}

// TopN is the length of each top list.
const TopN = 10

// LoadOverview computes the overview of the rows f selects.
func LoadOverview(ctx context.Context, d *sql.DB, f Filter) (*Overview, error) {
	where, args := f.where()
	o := &Overview{Top: map[string][]Count{}}
	t := &o.Totals
	err := d.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (httpstatus >= 400), count(DISTINCT bucket),
		count(DISTINCT requester), count(DISTINCT remoteip), coalesce(sum(bytessent), 0)::BIGINT, min(p_event_time), max(p_event_time)
		FROM aws_s3serveraccess WHERE `+where, args...).Scan(&t.Requests, &t.Errors, &t.Buckets, &t.Requesters, &t.IPs, &t.BytesSent, &t.First, &t.Last)
	if err != nil {
		return nil, fmt.Errorf("totals: %w", err)
	}
	if t.First != nil {
		if err := o.loadSeries(ctx, d, where, args); err != nil {
			return nil, err
		}
	}
	if o.Status, err = counts(ctx, d, `SELECT CASE WHEN httpstatus IS NULL THEN NULL ELSE (httpstatus // 100)::VARCHAR || 'xx' END AS v, count(*), 0
		FROM aws_s3serveraccess WHERE `+where+` GROUP BY 1 ORDER BY 1 NULLS LAST`, args); err != nil {
		return nil, fmt.Errorf("status classes: %w", err)
	}
	for _, c := range filterColumns {
		q := fmt.Sprintf(`SELECT %[1]s::VARCHAR, count(*), coalesce(sum(bytessent), 0)::BIGINT FROM aws_s3serveraccess
			WHERE %[2]s GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST LIMIT %[3]d`, schema.Quote(c), where, TopN)
		if o.Top[c], err = counts(ctx, d, q, args); err != nil {
			return nil, fmt.Errorf("top %s: %w", c, err)
		}
	}
	if err := d.QueryRowContext(ctx, "SELECT count(*) FROM aws_s3serveraccess_rejects").Scan(&o.Rejects); err != nil {
		return nil, fmt.Errorf("rejects: %w", err)
	}
	if o.Reasons, err = counts(ctx, d, `SELECT reason, count(*), 0 FROM aws_s3serveraccess_rejects GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`, nil); err != nil {
		return nil, fmt.Errorf("reject reasons: %w", err)
	}
	return o, nil
}

// loadSeries buckets the rows into about 60 steps of a round size.
func (o *Overview) loadSeries(ctx context.Context, d *sql.DB, where string, args []any) error {
	span := o.Totals.Last.Sub(*o.Totals.First)
	o.Step = stepFor(span)
	rows, err := d.QueryContext(ctx, `SELECT to_timestamp((epoch(p_event_time)::BIGINT // $step) * $step) AS t,
		count(*), count(*) FILTER (httpstatus >= 400)
		FROM aws_s3serveraccess WHERE `+where+` AND p_event_time IS NOT NULL GROUP BY 1 ORDER BY 1`,
		append(append([]any{}, args...), sql.Named("step", o.Step))...)
	if err != nil {
		return fmt.Errorf("series: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Point
		if err := rows.Scan(&p.T, &p.Requests, &p.Errors); err != nil {
			return err
		}
		p.T = p.T.UTC()
		o.Series = append(o.Series, p)
	}
	return rows.Err()
}

// steps are the round bucket sizes of the series, in seconds.
var steps = []int64{1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400, 30 * 86400}

// stepFor picks the smallest round step that gives at most 80 points.
func stepFor(span time.Duration) int64 {
	secs := int64(span / time.Second)
	for _, s := range steps {
		if secs/s <= 80 {
			return s
		}
	}
	return steps[len(steps)-1]
}

func counts(ctx context.Context, d *sql.DB, q string, args []any) ([]Count, error) {
	rows, err := d.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Count{}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Value, &c.N, &c.Bytes); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

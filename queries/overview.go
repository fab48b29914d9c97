package queries

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"github.com/s3logs/s3logs/internal/render"
	"github.com/s3logs/s3logs/schema"
)

// OverviewSection is one question of the overview: a title and the SQL
// that answers it. The SQL takes the named parameters $since and $until
// (TIMESTAMPTZ or NULL for no bound; see OverviewArgs) and limits itself
// to events in [since, until); the rejected lines, which have no event
// time, are not windowed.
type OverviewSection struct {
	Title, SQL string
}

// window is the WHERE condition of the overview's sections.
const window = `($since IS NULL OR p_event_time >= $since) AND ($until IS NULL OR p_event_time < $until)`

// Overview is what an investigator looks at first in any database, in
// order: totals and span, status classes, top buckets, requesters, remote
// IPs and operations, errors, and the rejected lines by reason. Bytes are
// in human units (format_bytes: KiB, MiB...). s3logs overview, the shell's
// .overview and the demo print it with WriteOverview; the HTML report may
// run the same SQL.
var Overview = []OverviewSection{
	{"Totals", `SELECT count(*) AS requests, count(DISTINCT bucket) AS buckets, count(DISTINCT requester) AS requesters,
		count(DISTINCT remoteip) AS ips, format_bytes(coalesce(sum(bytessent), 0)::BIGINT) AS bytes_sent,
		min(p_event_time) AS first_seen, max(p_event_time) AS last_seen
		FROM ` + table + ` WHERE ` + window},
	{"Requests by status class", `SELECT coalesce((httpstatus // 100)::VARCHAR || 'xx', 'none') AS status, count(*) AS requests,
		round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS percent
		FROM ` + table + ` WHERE ` + window + ` GROUP BY 1 ORDER BY 1`},
	{"Top buckets", `SELECT bucket, count(*) AS requests, count(*) FILTER (httpstatus >= 400) AS errors,
		count(DISTINCT remoteip) AS ips, format_bytes(coalesce(sum(bytessent), 0)::BIGINT) AS bytes_sent
		FROM ` + table + ` WHERE ` + window + ` GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`},
	{"Top requesters", `SELECT coalesce(requester, '(anonymous)') AS requester, count(*) AS requests,
		count(DISTINCT bucket) AS buckets, count(*) FILTER (errorcode = 'AccessDenied') AS denied
		FROM ` + table + ` WHERE ` + window + ` GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`},
	{"Top remote IPs", `SELECT coalesce(remoteip, '-') AS remoteip, count(*) AS requests, count(DISTINCT requester) AS requesters,
		count(*) FILTER (httpstatus >= 400) AS errors, format_bytes(coalesce(sum(bytessent), 0)::BIGINT) AS bytes_sent
		FROM ` + table + ` WHERE ` + window + ` GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`},
	{"Top operations", `SELECT coalesce(operation, '-') AS operation, count(*) AS requests, count(*) FILTER (httpstatus >= 400) AS errors,
		format_bytes(coalesce(sum(bytessent), 0)::BIGINT) AS bytes_sent
		FROM ` + table + ` WHERE ` + window + ` GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 8`},
	{"Errors", `SELECT errorcode, httpstatus, count(*) AS requests, count(DISTINCT requester) AS requesters,
		min(p_event_time) AS first_seen
		FROM ` + table + ` WHERE errorcode IS NOT NULL AND ` + window + ` GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 8`},
	{"Rejected lines (aws_s3serveraccess_rejects; not windowed)", `SELECT reason, count(*) AS lines,
		arg_min(source || ':' || line, (source, line)) AS first
		FROM ` + schema.RejectsTableName + ` GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 8`},
}

// OverviewArgs are the arguments of the overview's SQL for the window
// [since, until); a zero time is no bound.
func OverviewArgs(since, until time.Time) []any {
	bound := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t
	}
	return []any{sql.Named("since", bound(since)), sql.Named("until", bound(until))}
}

// OverviewConn is what WriteOverview needs of a database: *sql.DB and
// *sql.Conn have it.
type OverviewConn interface {
	render.Querier
	RowQuerier
}

// WriteOverview runs the overview's sections on conn for [since, until)
// and writes each to w under a "== Title" line, rendered as opts says
// (one render.Runner for all). When the window holds no rows, the
// windowed sections after the totals are left out, with a line saying so.
func WriteOverview(ctx context.Context, conn OverviewConn, w io.Writer, since, until time.Time, opts render.Options) error {
	run := render.Runner{Conn: conn, Out: w}
	args := OverviewArgs(since, until)
	var n int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE "+window, args...).Scan(&n); err != nil {
		return fmt.Errorf("overview: %w", err)
	}
	for i, s := range Overview {
		if n == 0 && i > 0 && i < len(Overview)-1 {
			continue
		}
		if _, err := fmt.Fprintf(w, "\n== %s\n", s.Title); err != nil {
			return err
		}
		if _, err := run.Run(ctx, render.Statement{SQL: s.SQL, Args: args}, opts); err != nil {
			return fmt.Errorf("overview: %s: %w", s.Title, err)
		}
		if n == 0 && i == 0 {
			if _, err := fmt.Fprintln(w, "(no rows in this window: the other sections are empty)"); err != nil {
				return err
			}
		}
	}
	return nil
}

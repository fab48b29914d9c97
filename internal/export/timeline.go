package export

import (
	"fmt"

	"github.com/s3logs/s3logs/schema"
)

// Timeline layout: the fields Timesketch (and plaso's JSONL/CSV importers)
// require on every event, put before the exported columns.
const (
	// TimelineDesc is the timestamp_desc of every event: what the time is.
	TimelineDesc = "Request Received"
	// timelineMessage is the message of an event: one line saying who did
	// what to which object, from where and with what outcome.
	timelineMessage = `concat_ws(' ',
  coalesce(operation, 'UNKNOWN'),
  's3://' || coalesce(bucket, '?') || coalesce('/' || key, ''),
  'by ' || coalesce(requester, 'anonymous'),
  'from ' || coalesce(remoteip, 'unknown IP'),
  '-> ' || coalesce(CAST(httpstatus AS VARCHAR), '-'),
  errorcode,
  CASE WHEN bytessent > 0 THEN '(' || bytessent || ' bytes)' END)`
)

// timelineSource wraps src (a SELECT with p_event_time and the table's
// columns) as Timesketch's import layout: message, datetime (ISO 8601 in
// UTC with microseconds), timestamp (microseconds since the epoch),
// timestamp_desc, then every column of src, in time order. The whole table
// is taken from the enriched view, so the timeline carries its derived
// columns too.
func timelineSource(src string, table bool) string {
	if table {
		src = "SELECT * FROM " + schema.Quote(schema.EnrichedViewName)
	}
	return fmt.Sprintf(`SELECT %s AS message,
  strftime(p_event_time, '%%Y-%%m-%%dT%%H:%%M:%%S.%%f+00:00') AS datetime,
  epoch_us(p_event_time) AS "timestamp",
  %s AS timestamp_desc,
  *
FROM (%s) AS events
WHERE p_event_time IS NOT NULL
ORDER BY p_event_time`, timelineMessage, schema.Literal(TimelineDesc), src)
}

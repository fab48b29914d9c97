-- name: daily_trend
-- title: Daily request trend
-- description: Requests, errors, bytes and distinct IPs and principals per day (UTC) (Tailpipe's example).
-- tags: [overview, trend, tailpipe]
-- param: bucket string "Only this bucket (default: all)"

SELECT
  CAST(date_trunc('day', p_event_time) AS DATE) AS day,
  count(*) AS requests,
  count(*) FILTER (WHERE httpstatus >= 400) AS errors,
  coalesce(sum(bytessent), 0) AS bytes_sent,
  count(DISTINCT remoteip) AS distinct_ips,
  count(DISTINCT requester) AS distinct_principals
FROM aws_s3serveraccess
WHERE ($bucket IS NULL OR bucket = $bucket)
GROUP BY day
ORDER BY day

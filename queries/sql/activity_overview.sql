-- name: activity_overview
-- title: Activity overview
-- description: One row of totals: requests, 2xx/3xx/4xx/5xx, buckets, principals, IPs, keys, bytes and the time span (Tailpipe's activity dashboard).
-- tags: [overview, tailpipe]
-- param: bucket string "Only this bucket (default: all)"

SELECT
  count(*) AS requests,
  count(*) FILTER (WHERE httpstatus BETWEEN 200 AND 299) AS s2xx,
  count(*) FILTER (WHERE httpstatus BETWEEN 300 AND 399) AS s3xx,
  count(*) FILTER (WHERE httpstatus BETWEEN 400 AND 499) AS s4xx,
  count(*) FILTER (WHERE httpstatus BETWEEN 500 AND 599) AS s5xx,
  count(DISTINCT bucket) AS buckets,
  count(DISTINCT requester) AS principals,
  count(*) FILTER (WHERE requester IS NULL) AS anonymous,
  count(DISTINCT remoteip) AS ips,
  count(DISTINCT key) AS keys,
  coalesce(sum(bytessent), 0) AS bytes_sent,
  min(p_event_time) AS first_event,
  max(p_event_time) AS last_event
FROM aws_s3serveraccess
WHERE ($bucket IS NULL OR bucket = $bucket)

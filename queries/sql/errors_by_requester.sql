-- name: errors_by_requester
-- title: Errors by requester, status and error code
-- description: Counts failed requests (HTTP status 400 or more, or an S3 error code) per requester, status and error code (Panther's S3 tutorial).
-- tags: [errors, principal, panther]
-- param: bucket string "Only this bucket (default: all)"
-- param: start timestamp "Start of the window (inclusive; default: no bound)"
-- param: end timestamp "End of the window (exclusive; default: no bound)"

SELECT
  requester,
  httpstatus,
  errorcode,
  count(*) AS requests,
  count(DISTINCT bucket) AS buckets,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE (httpstatus >= 400 OR errorcode IS NOT NULL)
  AND ($bucket IS NULL OR bucket = $bucket)
  AND ($start IS NULL OR p_event_time >= $start)
  AND ($end IS NULL OR p_event_time < $end)
GROUP BY requester, httpstatus, errorcode
ORDER BY requests DESC, requester NULLS LAST, httpstatus, errorcode NULLS LAST

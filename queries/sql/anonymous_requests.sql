-- name: anonymous_requests
-- title: Anonymous (unauthenticated) requests
-- description: Requests without a requester, per bucket, operation, status and remote IP: public buckets and objects, website hosting, probing (AWS's Athena example).
-- tags: [access, unauthenticated, aws]
-- param: bucket string "Only this bucket (default: all)"
-- param: start timestamp "Start of the window (inclusive; default: no bound)"
-- param: end timestamp "End of the window (exclusive; default: no bound)"

SELECT
  bucket,
  operation,
  httpstatus,
  remoteip,
  count(*) AS requests,
  count(DISTINCT key) AS distinct_keys,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE requester IS NULL
  AND ($bucket IS NULL OR bucket = $bucket)
  AND ($start IS NULL OR p_event_time >= $start)
  AND ($end IS NULL OR p_event_time < $end)
GROUP BY bucket, operation, httpstatus, remoteip
ORDER BY requests DESC, bucket NULLS LAST, operation NULLS LAST, httpstatus NULLS LAST, remoteip NULLS LAST

-- name: top_error_codes
-- title: Top error codes
-- description: S3 error codes by number of requests, with statuses and how many requesters and IPs hit them (Tailpipe's example and activity overview).
-- tags: [overview, errors, tailpipe]
-- param: bucket string "Only this bucket (default: all)"
-- param: limit int default=10 "How many"

SELECT
  errorcode,
  httpstatus,
  count(*) AS requests,
  count(DISTINCT requester) AS principals,
  count(DISTINCT remoteip) AS ips
FROM aws_s3serveraccess
WHERE errorcode IS NOT NULL
  AND ($bucket IS NULL OR bucket = $bucket)
GROUP BY errorcode, httpstatus
ORDER BY requests DESC, errorcode, httpstatus NULLS LAST
LIMIT $limit

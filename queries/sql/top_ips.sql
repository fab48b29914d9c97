-- name: top_ips
-- title: Top remote IPs
-- description: The remote IPs with the most requests, with their errors, bytes and principals (Tailpipe's example and activity overview).
-- tags: [overview, ip, tailpipe]
-- param: bucket string "Only this bucket (default: all)"
-- param: limit int default=10 "How many"

SELECT
  remoteip,
  count(*) AS requests,
  count(*) FILTER (WHERE httpstatus >= 400) AS errors,
  coalesce(sum(bytessent), 0) AS bytes_sent,
  count(DISTINCT requester) AS principals,
  count(DISTINCT bucket) AS buckets
FROM aws_s3serveraccess
WHERE remoteip IS NOT NULL
  AND ($bucket IS NULL OR bucket = $bucket)
GROUP BY remoteip
ORDER BY requests DESC, remoteip
LIMIT $limit

-- name: top_requesters
-- title: Top requesters
-- description: Requesters by number of requests (NULL is anonymous), with failures, IPs and bytes (Tailpipe's activity dashboard).
-- tags: [overview, principal, tailpipe]
-- param: bucket string "Only this bucket (default: all)"
-- param: limit int default=10 "How many"

SELECT
  requester,
  count(*) AS requests,
  count(*) FILTER (WHERE httpstatus >= 400) AS failed,
  count(DISTINCT remoteip) AS ips,
  coalesce(sum(bytessent), 0) AS bytes_sent
FROM aws_s3serveraccess
WHERE ($bucket IS NULL OR bucket = $bucket)
GROUP BY requester
ORDER BY requests DESC, requester NULLS LAST
LIMIT $limit

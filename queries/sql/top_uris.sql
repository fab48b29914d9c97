-- name: top_uris
-- title: Top request URIs
-- description: Request-URIs by number of requests, with statuses seen (Tailpipe's activity dashboard).
-- tags: [overview, tailpipe]
-- param: bucket string "Only this bucket (default: all)"
-- param: limit int default=10 "How many"

SELECT
  requesturi,
  count(*) AS requests,
  list(DISTINCT httpstatus ORDER BY httpstatus) FILTER (WHERE httpstatus IS NOT NULL) AS statuses
FROM aws_s3serveraccess
WHERE requesturi IS NOT NULL
  AND ($bucket IS NULL OR bucket = $bucket)
GROUP BY requesturi
ORDER BY requests DESC, requesturi
LIMIT $limit

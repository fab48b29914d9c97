-- name: top_operations
-- title: Top operations
-- description: Operations by number of requests, with failures and bytes (Tailpipe's activity dashboard).
-- tags: [overview, tailpipe]
-- param: bucket string "Only this bucket (default: all)"
-- param: limit int default=20 "How many"

SELECT
  operation,
  count(*) AS requests,
  count(*) FILTER (WHERE httpstatus >= 400) AS failed,
  coalesce(sum(bytessent), 0) AS bytes_sent
FROM aws_s3serveraccess
WHERE ($bucket IS NULL OR bucket = $bucket)
GROUP BY operation
ORDER BY requests DESC, operation NULLS LAST
LIMIT $limit

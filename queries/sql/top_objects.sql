-- name: top_objects
-- title: Top objects
-- description: The most requested keys, with bytes sent and distinct requesters (Tailpipe's example and activity overview).
-- tags: [overview, object, tailpipe]
-- param: bucket string "Only this bucket (default: all)"
-- param: limit int default=10 "How many"

SELECT
  bucket,
  key,
  count(*) AS requests,
  coalesce(sum(bytessent), 0) AS bytes_sent,
  count(DISTINCT requester) AS principals,
  count(DISTINCT remoteip) AS ips
FROM aws_s3serveraccess
WHERE key IS NOT NULL
  AND ($bucket IS NULL OR bucket = $bucket)
GROUP BY bucket, key
ORDER BY requests DESC, bucket NULLS LAST, key
LIMIT $limit

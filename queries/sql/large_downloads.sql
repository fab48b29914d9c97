-- name: large_downloads
-- title: Large downloads
-- description: Object downloads that sent at least min_bytes (default 100 MB), largest first (Tailpipe's example).
-- tags: [exfiltration, object, tailpipe]
-- param: min_bytes int default=100000000 "Minimum bytes sent"
-- param: limit int default=100 "Maximum rows"

SELECT
  p_event_time,
  bucket,
  key,
  requester,
  remoteip,
  bytessent,
  objectsize,
  useragent
FROM aws_s3serveraccess
WHERE operation IN ('REST.GET.OBJECT', 'WEBSITE.GET.OBJECT')
  AND bytessent >= $min_bytes
ORDER BY bytessent DESC, p_event_time, p_row_id
LIMIT $limit

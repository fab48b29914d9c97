-- name: failed_requests_by_ip
-- title: More than N failed requests per IP and bucket
-- description: Remote IPs with more than threshold failed requests (status 400 or more) to one bucket, with their error codes (Tailpipe's example).
-- tags: [errors, ip, tailpipe]
-- param: threshold int default=10 "Failed requests above which an IP is listed"

SELECT
  remoteip,
  bucket,
  count(*) AS failed,
  list(DISTINCT errorcode ORDER BY errorcode) FILTER (WHERE errorcode IS NOT NULL) AS errorcodes,
  count(DISTINCT requester) AS principals,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE httpstatus >= 400
GROUP BY remoteip, bucket
HAVING count(*) > $threshold
ORDER BY failed DESC, remoteip NULLS LAST, bucket NULLS LAST

-- name: requests_per_bucket
-- title: Requests per bucket
-- description: Requests per bucket split by status class, with bytes, principals and IPs (Tailpipe's activity dashboard).
-- tags: [overview, bucket, tailpipe]

SELECT
  bucket,
  count(*) AS requests,
  count(*) FILTER (WHERE httpstatus BETWEEN 200 AND 299) AS s2xx,
  count(*) FILTER (WHERE httpstatus BETWEEN 300 AND 399) AS s3xx,
  count(*) FILTER (WHERE httpstatus BETWEEN 400 AND 499) AS s4xx,
  count(*) FILTER (WHERE httpstatus BETWEEN 500 AND 599) AS s5xx,
  coalesce(sum(bytessent), 0) AS bytes_sent,
  count(DISTINCT requester) AS principals,
  count(DISTINCT remoteip) AS ips
FROM aws_s3serveraccess
GROUP BY bucket
ORDER BY requests DESC, bucket NULLS LAST

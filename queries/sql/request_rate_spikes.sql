-- name: request_rate_spikes
-- title: More than N requests a minute per IP and bucket
-- description: Minutes in which one remote IP sent more than threshold requests to one bucket (Tailpipe's example): scraping, brute force, runaway clients.
-- tags: [rate, ip, tailpipe]
-- param: threshold int default=100 "Requests per minute above which a minute is listed"

SELECT
  date_trunc('minute', p_event_time) AS minute,
  remoteip,
  bucket,
  count(*) AS requests,
  count(DISTINCT key) AS distinct_keys,
  count(*) FILTER (WHERE httpstatus >= 400) AS errors
FROM aws_s3serveraccess
GROUP BY minute, remoteip, bucket
HAVING count(*) > $threshold
ORDER BY requests DESC, minute, remoteip NULLS LAST, bucket NULLS LAST

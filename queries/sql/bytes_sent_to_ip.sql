-- name: bytes_sent_to_ip
-- title: Bytes sent to one IP
-- description: Total response bytes S3 sent to one remote IP in a window, per bucket and requester (AWS's Athena example).
-- tags: [exfiltration, ip, aws]
-- param: ip string required "Remote IP address"
-- param: start timestamp "Start of the window (inclusive; default: no bound)"
-- param: end timestamp "End of the window (exclusive; default: no bound)"

SELECT
  bucket,
  requester,
  count(*) AS requests,
  coalesce(sum(bytessent), 0) AS bytes_sent,
  count(DISTINCT key) AS distinct_keys,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE remoteip = $ip
  AND ($start IS NULL OR p_event_time >= $start)
  AND ($end IS NULL OR p_event_time < $end)
GROUP BY bucket, requester
ORDER BY bytes_sent DESC, bucket NULLS LAST, requester NULLS LAST

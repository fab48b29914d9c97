-- name: principal_activity
-- title: Every operation by one IAM principal
-- description: What one requester (an ARN, canonical ID or svc: name; a LIKE pattern works too) did, per bucket and operation, with outcomes (AWS's Athena example).
-- tags: [principal, aws]
-- param: principal string required "Requester ARN or canonical ID, or a LIKE pattern such as %:user/alice"
-- param: start timestamp "Start of the window (inclusive; default: no bound)"
-- param: end timestamp "End of the window (exclusive; default: no bound)"

SELECT
  requester,
  bucket,
  operation,
  count(*) AS requests,
  count(*) FILTER (WHERE httpstatus >= 400) AS failed,
  count(DISTINCT key) AS distinct_keys,
  count(DISTINCT remoteip) AS distinct_ips,
  coalesce(sum(bytessent), 0) AS bytes_sent,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE (requester = $principal OR requester LIKE $principal)
  AND ($start IS NULL OR p_event_time >= $start)
  AND ($end IS NULL OR p_event_time < $end)
GROUP BY requester, bucket, operation
ORDER BY requester, bucket NULLS LAST, requests DESC, operation

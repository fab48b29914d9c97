-- name: access_denied_by_principal
-- title: AccessDenied by principal
-- description: Requests refused with AccessDenied per requester, bucket and operation: probing with stolen or under-privileged credentials.
-- tags: [errors, principal]
-- param: min_count int default=1 "List only groups with at least this many denials"

SELECT
  requester,
  bucket,
  operation,
  count(*) AS denied,
  count(DISTINCT key) AS distinct_keys,
  count(DISTINCT remoteip) AS ips,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE errorcode = 'AccessDenied'
GROUP BY requester, bucket, operation
HAVING count(*) >= $min_count
ORDER BY denied DESC, requester NULLS LAST, bucket NULLS LAST, operation NULLS LAST

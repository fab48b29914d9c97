-- name: principal_first_last_seen
-- title: First and last seen per principal
-- description: When each requester was first and last seen, where from, and on how many buckets; newest first (NULL is anonymous).
-- tags: [principal, baseline]
-- param: bucket string "Only this bucket (default: all)"

SELECT
  requester,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen,
  count(*) AS requests,
  count(DISTINCT remoteip) AS ips,
  count(DISTINCT bucket) AS buckets
FROM aws_s3serveraccess
WHERE ($bucket IS NULL OR bucket = $bucket)
GROUP BY requester
ORDER BY first_seen DESC, requester NULLS LAST

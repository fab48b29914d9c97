-- name: ip_first_last_seen
-- title: First and last seen per IP
-- description: When each remote IP was first and last seen, as which principals, and on how many buckets; newest first.
-- tags: [ip, baseline]
-- param: bucket string "Only this bucket (default: all)"

SELECT
  remoteip,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen,
  count(*) AS requests,
  count(DISTINCT requester) AS principals,
  count(DISTINCT bucket) AS buckets
FROM aws_s3serveraccess
WHERE remoteip IS NOT NULL
  AND ($bucket IS NULL OR bucket = $bucket)
GROUP BY remoteip
ORDER BY first_seen DESC, remoteip

-- name: ips_for_bucket
-- title: Remote IPs that accessed a bucket
-- description: Ranks the distinct remote IPs that accessed one bucket in a time range (Panther's Data Explorer example for S3 buckets opened by mistake).
-- tags: [access, ip, panther]
-- param: bucket string required "Bucket name"
-- param: start timestamp default=now-30d "Start of the window (inclusive)"
-- param: end timestamp default=now "End of the window (inclusive)"

SELECT
  remoteip,
  count(*) AS requests,
  count(DISTINCT requester) AS principals,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE p_occurs_between($start, $end)
  AND bucket = $bucket
GROUP BY remoteip
ORDER BY requests DESC, remoteip NULLS LAST

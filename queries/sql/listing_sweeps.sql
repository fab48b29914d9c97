-- name: listing_sweeps
-- title: Listing sweeps: many distinct keys from one IP
-- description: Remote IPs that touched at least min_keys distinct keys of one bucket, with their listing calls and bytes: crawling or bulk collection.
-- tags: [exfiltration, ip, recon]
-- param: min_keys int default=100 "Distinct keys at or above which an IP is listed"

SELECT
  remoteip,
  bucket,
  count(DISTINCT key) AS distinct_keys,
  count(*) FILTER (WHERE operation IN ('REST.GET.BUCKET', 'REST.GET.BUCKETVERSIONS')) AS list_calls,
  count(*) FILTER (WHERE operation = 'REST.GET.OBJECT') AS gets,
  coalesce(sum(bytessent), 0) AS bytes_sent,
  count(DISTINCT requester) AS principals,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE remoteip IS NOT NULL
GROUP BY remoteip, bucket
HAVING count(DISTINCT key) >= $min_keys
ORDER BY distinct_keys DESC, remoteip, bucket NULLS LAST

-- name: presigned_url_requests
-- title: Presigned URL use
-- description: Requests authenticated by query string (presigned URLs), per bucket, signer, operation and remote IP: shared links used from unexpected places.
-- tags: [presigned, access]
-- param: bucket string "Only this bucket (default: all)"

SELECT
  bucket,
  requester AS signer,
  operation,
  remoteip,
  count(*) AS requests,
  count(DISTINCT key) AS distinct_keys,
  coalesce(sum(bytessent), 0) AS bytes_sent,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE authenticationtype = 'QueryString'
  AND ($bucket IS NULL OR bucket = $bucket)
GROUP BY bucket, signer, operation, remoteip
ORDER BY requests DESC, bucket NULLS LAST, signer NULLS LAST, operation NULLS LAST, remoteip NULLS LAST

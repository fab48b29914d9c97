-- name: sigv2_requests
-- title: Requesters still signing with SigV2
-- description: Who still signs requests with Signature Version 2, which AWS is retiring, per requester, bucket and user agent (AWS's Athena example).
-- tags: [signature, principal, aws]
-- param: start timestamp "Start of the window (inclusive; default: no bound)"
-- param: end timestamp "End of the window (exclusive; default: no bound)"

SELECT
  requester,
  bucket,
  useragent,
  count(*) AS requests,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE signatureversion = 'SigV2'
  AND ($start IS NULL OR p_event_time >= $start)
  AND ($end IS NULL OR p_event_time < $end)
GROUP BY requester, bucket, useragent
ORDER BY requests DESC, requester NULLS LAST, bucket NULLS LAST, useragent NULLS LAST

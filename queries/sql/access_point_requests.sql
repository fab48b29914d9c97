-- name: access_point_requests
-- title: Access through access points
-- description: Requests made through an S3 access point, per access point ARN, bucket and requester.
-- tags: [accesspoint, access]

SELECT
  accesspointarn,
  bucket,
  requester,
  count(*) AS requests,
  count(DISTINCT operation) AS operations,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE accesspointarn IS NOT NULL
GROUP BY accesspointarn, bucket, requester
ORDER BY requests DESC, accesspointarn, bucket NULLS LAST, requester NULLS LAST

-- name: bucket_config_changes
-- title: Bucket configuration changes
-- description: Every bucket-level PUT or DELETE (versioning, logging, encryption, lifecycle, replication, CORS, website, tagging, policy...) per bucket, operation and requester: someone turning off logging or versioning before acting.
-- tags: [config, bucket]

SELECT
  bucket,
  operation,
  requester,
  count(*) AS requests,
  count(*) FILTER (WHERE httpstatus < 300) AS succeeded,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE (operation LIKE 'REST.PUT.%' OR operation LIKE 'REST.DELETE.%')
  AND operation NOT IN ('REST.PUT.OBJECT', 'REST.DELETE.OBJECT', 'REST.PUT.PART', 'REST.DELETE.UPLOAD',
                        'REST.PUT.OBJECT_TAGGING', 'REST.DELETE.OBJECT_TAGGING', 'REST.PUT.OBJECT_ACL')
  AND key IS NULL
GROUP BY bucket, operation, requester
ORDER BY bucket NULLS LAST, operation, requester NULLS LAST

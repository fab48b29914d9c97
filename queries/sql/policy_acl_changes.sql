-- name: policy_acl_changes
-- title: Bucket policy and ACL changes
-- description: Every request that changed or removed a bucket policy, a bucket or object ACL, the public access block or object ownership controls, with who and whether it worked.
-- tags: [policy, acl, config]

SELECT
  p_event_time,
  bucket,
  operation,
  key,
  requester,
  remoteip,
  httpstatus,
  errorcode,
  useragent
FROM aws_s3serveraccess
WHERE operation IN ('REST.PUT.BUCKETPOLICY', 'REST.DELETE.BUCKETPOLICY', 'REST.PUT.ACL', 'REST.PUT.OBJECT_ACL',
                    'REST.PUT.PUBLICACCESSBLOCK', 'REST.DELETE.PUBLICACCESSBLOCK',
                    'REST.PUT.BUCKETOWNERSHIPCONTROLS', 'REST.DELETE.BUCKETOWNERSHIPCONTROLS')
ORDER BY p_event_time, p_row_id

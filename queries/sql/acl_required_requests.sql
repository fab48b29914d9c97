-- name: acl_required_requests
-- title: Requests that needed an ACL
-- description: Requests authorized by an access control list (aclRequired = Yes): what still depends on ACLs before you disable them with Object Ownership (AWS's Athena example).
-- tags: [acl, aws]
-- param: start timestamp "Start of the window (inclusive; default: no bound)"
-- param: end timestamp "End of the window (exclusive; default: no bound)"

SELECT
  bucket,
  requester,
  operation,
  count(*) AS requests,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE aclrequired = 'Yes'
  AND ($start IS NULL OR p_event_time >= $start)
  AND ($end IS NULL OR p_event_time < $end)
GROUP BY bucket, requester, operation
ORDER BY requests DESC, bucket NULLS LAST, requester NULLS LAST, operation NULLS LAST

-- name: external_principals
-- title: Requests from principals outside the owning account
-- description: Requests by IAM principals whose ARN names an account other than the owning one (Tailpipe's example). Requesters given as canonical IDs or service names carry no account and are not listed.
-- tags: [principal, cross-account, tailpipe]
-- param: account string required "The owning AWS account ID (12 digits)"

SELECT
  requester,
  p_any_aws_account_ids[1] AS account,
  bucket,
  count(*) AS requests,
  count(DISTINCT operation) AS operations,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE len(p_any_aws_account_ids) > 0
  AND NOT list_contains(p_any_aws_account_ids, $account)
GROUP BY requester, account, bucket
ORDER BY requests DESC, requester, bucket NULLS LAST

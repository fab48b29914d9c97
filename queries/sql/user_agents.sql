-- name: user_agents
-- title: User agents
-- description: Every user agent with requests, principals, IPs and first and last seen; rare ones last.
-- tags: [useragent, overview]
-- param: limit int default=50 "How many"

SELECT
  useragent,
  count(*) AS requests,
  count(DISTINCT requester) AS principals,
  count(DISTINCT remoteip) AS ips,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
GROUP BY useragent
ORDER BY requests DESC, useragent NULLS LAST
LIMIT $limit

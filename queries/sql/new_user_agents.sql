-- name: new_user_agents
-- title: New user agents
-- description: User agents first seen at or after a point in time (default: the last day of data), with who used them and from where.
-- tags: [useragent, baseline]
-- param: after timestamp "User agents first seen from here on are new (default: 1 day before the last event)"

WITH seen AS (
  SELECT
    useragent,
    min(p_event_time) AS first_seen,
    max(p_event_time) AS last_seen,
    count(*) AS requests,
    count(DISTINCT requester) AS principals,
    count(DISTINCT remoteip) AS ips
  FROM aws_s3serveraccess
  WHERE useragent IS NOT NULL
  GROUP BY useragent
)
SELECT *
FROM seen
WHERE first_seen >= coalesce($after, (SELECT max(p_event_time) FROM aws_s3serveraccess) - INTERVAL 1 DAY)
ORDER BY first_seen, useragent

-- name: requests_from_network
-- title: Requests from an IPv4 network
-- description: Requests whose remote IP is inside one IPv4 network (CIDR), per IP, principal and bucket.
-- tags: [ip, network]
-- param: network cidr required ipv4 "IPv4 network such as 203.0.113.0/24"

WITH net AS (
  SELECT
    CAST(split_part($network, '/', 2) AS INTEGER) AS bits,
    (CAST(split_part(split_part($network, '/', 1), '.', 1) AS BIGINT) << 24)
      + (CAST(split_part(split_part($network, '/', 1), '.', 2) AS BIGINT) << 16)
      + (CAST(split_part(split_part($network, '/', 1), '.', 3) AS BIGINT) << 8)
      + CAST(split_part(split_part($network, '/', 1), '.', 4) AS BIGINT) AS base
),
v4 AS (
  SELECT *,
    (CAST(split_part(remoteip, '.', 1) AS BIGINT) << 24)
      + (CAST(split_part(remoteip, '.', 2) AS BIGINT) << 16)
      + (CAST(split_part(remoteip, '.', 3) AS BIGINT) << 8)
      + CAST(split_part(remoteip, '.', 4) AS BIGINT) AS ipnum
  FROM aws_s3serveraccess
  WHERE regexp_full_match(remoteip, '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}')
)
SELECT
  remoteip,
  requester,
  bucket,
  count(*) AS requests,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM v4, net
WHERE (ipnum >> (32 - bits)) = (base >> (32 - bits))
GROUP BY remoteip, requester, bucket
ORDER BY requests DESC, remoteip, requester NULLS LAST, bucket NULLS LAST

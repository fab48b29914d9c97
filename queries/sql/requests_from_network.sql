-- name: requests_from_network
-- title: Requests from a network
-- description: Requests whose remote IP is inside one IPv4 or IPv6 network (CIDR), per IP, principal and bucket. An IPv4 address is never inside an IPv6 network, nor the other way round.
-- tags: [ip, network]
-- param: network cidr required "IPv4 or IPv6 network such as 203.0.113.0/24 or 2600:1f18::/32 (a bare address is one host)"

-- Addresses are compared as fixed-width lower-case hex: 8 digits for IPv4,
-- 32 for IPv6 ("::" expanded). An address is in the network when the first
-- bits/4 digits agree and the next digit agrees in its top bits%4 bits.
-- Anything that is not a plain IPv4 or IPv6 address gets no hex and matches
-- nothing. Each distinct remote IP is converted once.
WITH addrs AS (
  SELECT ip, lower(ip) AS a FROM (SELECT DISTINCT remoteip AS ip FROM aws_s3serveraccess WHERE remoteip IS NOT NULL)
  UNION ALL
  SELECT NULL, lower(split_part($network, '/', 1))
),
hexed AS (
  SELECT ip, CASE
    WHEN regexp_full_match(a, '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}')
      THEN printf('%02x%02x%02x%02x', TRY_CAST(split_part(a, '.', 1) AS INTEGER), TRY_CAST(split_part(a, '.', 2) AS INTEGER),
                  TRY_CAST(split_part(a, '.', 3) AS INTEGER), TRY_CAST(split_part(a, '.', 4) AS INTEGER))
    WHEN regexp_full_match(a, '[0-9a-f:]{2,39}') AND NOT regexp_matches(a, '[0-9a-f]{5}|:::|::.*::')
      THEN array_to_string(list_transform(CASE WHEN contains(a, '::') THEN list_concat(
             list_filter(string_split(split_part(a, '::', 1), ':'), lambda g: g <> ''),
             list_transform(range(8 - len(list_filter(string_split(a, ':'), lambda g: g <> ''))), lambda i: '0'),
             list_filter(string_split(split_part(a, '::', 2), ':'), lambda g: g <> ''))
           ELSE string_split(a, ':') END, lambda g: lpad(g, 4, '0')), '')
  END AS hex
  FROM addrs
),
net AS (
  SELECT hex, CAST(split_part($network, '/', 2) AS INTEGER) AS bits FROM hexed WHERE ip IS NULL
),
inside AS (
  SELECT h.ip
  FROM hexed h, net n
  WHERE h.ip IS NOT NULL
    AND length(h.hex) = length(n.hex) AND length(h.hex) IN (8, 32)
    AND left(h.hex, n.bits // 4) = left(n.hex, n.bits // 4)
    AND (n.bits % 4 = 0
      OR (strpos('0123456789abcdef', substr(h.hex, n.bits // 4 + 1, 1)) - 1) >> (4 - n.bits % 4)
       = (strpos('0123456789abcdef', substr(n.hex, n.bits // 4 + 1, 1)) - 1) >> (4 - n.bits % 4))
)
SELECT
  remoteip,
  requester,
  bucket,
  count(*) AS requests,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE remoteip IN (SELECT ip FROM inside)
GROUP BY remoteip, requester, bucket
ORDER BY requests DESC, remoteip, requester NULLS LAST, bucket NULLS LAST

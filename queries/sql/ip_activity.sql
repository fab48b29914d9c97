-- name: ip_activity
-- title: Everything one IP did
-- description: Every request from one IP address (matched through p_any_ip_addresses, as Panther's indicator search does), newest last.
-- tags: [ip, panther]
-- param: ip string required "IP address"
-- param: limit int default=1000 "Maximum rows"

SELECT
  p_event_time,
  bucket,
  operation,
  key,
  requester,
  httpstatus,
  errorcode,
  bytessent,
  useragent
FROM aws_s3serveraccess
WHERE list_contains(p_any_ip_addresses, $ip)
ORDER BY p_event_time, p_row_id
LIMIT $limit

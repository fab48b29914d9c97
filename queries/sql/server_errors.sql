-- name: server_errors
-- title: 5xx errors with request and host IDs
-- description: Requests S3 answered with a 5xx status, with the request ID and host ID AWS Support asks for (AWS's Athena example).
-- tags: [errors, support, aws]
-- param: start timestamp "Start of the window (inclusive; default: no bound)"
-- param: end timestamp "End of the window (exclusive; default: no bound)"
-- param: limit int default=1000 "Maximum rows"

SELECT
  p_event_time,
  bucket,
  operation,
  key,
  httpstatus,
  errorcode,
  requestid,
  hostid,
  requester,
  remoteip
FROM aws_s3serveraccess
WHERE httpstatus >= 500
  AND ($start IS NULL OR p_event_time >= $start)
  AND ($end IS NULL OR p_event_time < $end)
ORDER BY p_event_time, p_row_id
LIMIT $limit

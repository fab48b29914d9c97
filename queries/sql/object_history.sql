-- name: object_history
-- title: Every operation on one object
-- description: The full history of one key in one bucket in a window: reads, writes, deletes, ACL and tag changes (AWS's Athena example).
-- tags: [object, aws]
-- param: bucket string required "Bucket name"
-- param: key string required "Object key as logged (URL-encoded)"
-- param: start timestamp "Start of the window (inclusive; default: no bound)"
-- param: end timestamp "End of the window (exclusive; default: no bound)"

SELECT
  p_event_time,
  operation,
  requester,
  remoteip,
  httpstatus,
  errorcode,
  bytessent,
  objectsize,
  versionid,
  authenticationtype,
  useragent,
  requestid
FROM aws_s3serveraccess
WHERE bucket = $bucket
  AND key = $key
  AND ($start IS NULL OR p_event_time >= $start)
  AND ($end IS NULL OR p_event_time < $end)
ORDER BY p_event_time, p_row_id

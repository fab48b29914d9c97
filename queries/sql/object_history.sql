-- name: object_history
-- title: Every operation on one object
-- description: The full history of one key in one bucket in a window: reads, writes, deletes, ACL and tag changes (AWS's Athena example).
-- tags: [object, aws]
-- param: bucket string required "Bucket name"
-- param: key string required "Object key as logged (URL-encoded) or decoded as you would paste it (report Q1.pdf matches report%20Q1.pdf and report+Q1.pdf: a logged + reads as a space, %2B as +)"
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
  AND (key = $key OR url_decode(replace(key, '+', '%20')) = $key)
  AND ($start IS NULL OR p_event_time >= $start)
  AND ($end IS NULL OR p_event_time < $end)
ORDER BY p_event_time, p_row_id

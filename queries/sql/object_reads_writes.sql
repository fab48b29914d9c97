-- name: object_reads_writes
-- title: PUT and GET object requests in a window
-- description: Object uploads (REST.PUT.OBJECT) and downloads (REST.GET.OBJECT) in a window, optionally for one bucket (AWS's Athena examples).
-- tags: [object, aws]
-- param: operation string "REST.PUT.OBJECT or REST.GET.OBJECT (default: both)"
-- param: bucket string "Only this bucket (default: all)"
-- param: start timestamp "Start of the window (inclusive; default: no bound)"
-- param: end timestamp "End of the window (exclusive; default: no bound)"
-- param: limit int default=1000 "Maximum rows"

SELECT
  p_event_time,
  bucket,
  operation,
  key,
  requester,
  remoteip,
  httpstatus,
  bytessent,
  objectsize
FROM aws_s3serveraccess
WHERE operation IN ('REST.PUT.OBJECT', 'REST.GET.OBJECT')
  AND ($operation IS NULL OR operation = $operation)
  AND ($bucket IS NULL OR bucket = $bucket)
  AND ($start IS NULL OR p_event_time >= $start)
  AND ($end IS NULL OR p_event_time < $end)
ORDER BY p_event_time, p_row_id
LIMIT $limit

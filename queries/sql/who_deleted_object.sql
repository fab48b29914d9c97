-- name: who_deleted_object
-- title: Who deleted an object, and when
-- description: Every deletion of a key (exact, or a LIKE pattern such as logs/%), by users and by lifecycle rules, with who, from where and how (AWS's Athena example).
-- tags: [deletion, object, aws]
-- param: key string required "Object key as logged (URL-encoded), or a LIKE pattern"
-- param: bucket string "Only this bucket (default: all)"

SELECT
  p_event_time,
  bucket,
  key,
  operation,
  requester,
  remoteip,
  httpstatus,
  errorcode,
  versionid,
  useragent,
  requestid
FROM aws_s3serveraccess
WHERE operation IN ('REST.DELETE.OBJECT', 'BATCH.DELETE.OBJECT', 'REST.POST.MULTI_OBJECT_DELETE',
                    'S3.EXPIRE.OBJECT', 'S3.CREATE.DELETEMARKER', 'REST.DELETE.UPLOAD', 'S3.DELETE.UPLOAD')
  AND (key = $key OR key LIKE $key)
  AND ($bucket IS NULL OR bucket = $bucket)
ORDER BY p_event_time, p_row_id

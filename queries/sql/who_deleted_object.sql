-- name: who_deleted_object
-- title: Who deleted an object, and when
-- description: Every deletion of a key (exact, or a LIKE pattern such as logs/%), by users and by lifecycle rules, with who, from where and how (AWS's Athena example).
-- tags: [deletion, object, aws]
-- param: key string required "Object key, or a LIKE pattern, as logged (URL-encoded) or decoded as you would paste it (report Q1.pdf matches report%20Q1.pdf and report+Q1.pdf: a logged + reads as a space, %2B as +)"
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
  AND (key = $key OR key LIKE $key
       OR url_decode(replace(key, '+', '%20')) = $key OR url_decode(replace(key, '+', '%20')) LIKE $key)
  AND ($bucket IS NULL OR bucket = $bucket)
ORDER BY p_event_time, p_row_id

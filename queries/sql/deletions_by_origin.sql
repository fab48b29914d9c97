-- name: deletions_by_origin
-- title: Lifecycle deletions versus user deletions
-- description: Deletions per day and bucket, split into lifecycle expirations (S3.EXPIRE.OBJECT, S3.CREATE.DELETEMARKER, S3.DELETE.UPLOAD by AmazonS3) and user deletions (REST.DELETE.OBJECT, BATCH.DELETE.OBJECT, REST.DELETE.UPLOAD).
-- tags: [deletion, lifecycle]
-- param: bucket string "Only this bucket (default: all)"

SELECT
  CAST(date_trunc('day', p_event_time) AS DATE) AS day,
  bucket,
  count(*) FILTER (WHERE operation LIKE 'S3.%') AS lifecycle_deletions,
  count(*) FILTER (WHERE operation LIKE 'REST.%' OR operation LIKE 'BATCH.%') AS user_deletions,
  count(DISTINCT requester) FILTER (WHERE operation LIKE 'REST.%' OR operation LIKE 'BATCH.%') AS deleting_principals
FROM aws_s3serveraccess
WHERE operation IN ('S3.EXPIRE.OBJECT', 'S3.CREATE.DELETEMARKER', 'S3.DELETE.UPLOAD',
                    'REST.DELETE.OBJECT', 'BATCH.DELETE.OBJECT', 'REST.DELETE.UPLOAD')
  AND (httpstatus IS NULL OR httpstatus < 400)
  AND ($bucket IS NULL OR bucket = $bucket)
GROUP BY day, bucket
ORDER BY day, bucket NULLS LAST

-- name: failed_uploads
-- title: Failed uploads
-- description: Object uploads (PUT, POST, copy and multipart parts) that failed, per bucket, requester and error (Tailpipe's example).
-- tags: [errors, object, tailpipe]

SELECT
  bucket,
  requester,
  operation,
  httpstatus,
  errorcode,
  count(*) AS requests,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE operation IN ('REST.PUT.OBJECT', 'REST.POST.OBJECT', 'REST.COPY.OBJECT', 'REST.PUT.PART', 'REST.COPY.PART',
                    'REST.POST.UPLOADS', 'REST.POST.UPLOAD')
  AND httpstatus >= 400
GROUP BY bucket, requester, operation, httpstatus, errorcode
ORDER BY requests DESC, bucket NULLS LAST, requester NULLS LAST, operation, httpstatus, errorcode NULLS LAST

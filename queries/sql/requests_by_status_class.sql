-- name: requests_by_status_class
-- title: Requests per status class and day
-- description: Requests per day (UTC) and HTTP status class: 2xx, 3xx, 4xx, 5xx, or none for lifecycle actions without a status (Tailpipe's activity dashboard).
-- tags: [overview, errors, tailpipe]
-- param: bucket string "Only this bucket (default: all)"

SELECT
  CAST(date_trunc('day', p_event_time) AS DATE) AS day,
  CASE WHEN httpstatus IS NULL THEN 'none' ELSE CAST(httpstatus // 100 AS VARCHAR) || 'xx' END AS status_class,
  count(*) AS requests
FROM aws_s3serveraccess
WHERE ($bucket IS NULL OR bucket = $bucket)
GROUP BY day, status_class
ORDER BY day, status_class

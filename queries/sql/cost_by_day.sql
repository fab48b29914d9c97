-- name: cost_by_day
-- title: Traffic and cost per day
-- description: Bytes sent and requests per UTC day, in order, with an estimate in dollars. Dollar estimate = bytes sent / 2^30 x price_gb_out + GET-class requests / 1,000 x price_get_1k + PUT-class requests (PUT, COPY, POST, LIST) / 1,000 x price_put_1k; DELETE and lifecycle requests are free. Defaults are S3 Standard in us-east-1 as AWS listed them in 2025 ($0.09 per GB out to the internet, first tier; $0.0004 per 1,000 GET; $0.005 per 1,000 PUT): transfer to AWS in the same region, free tiers and storage are not counted.
-- tags: [cost, traffic, trend]
-- param: bucket string "Only this bucket (default: all)"
-- param: start timestamp "Start of the window (default: all time)"
-- param: end timestamp "End of the window, exclusive (default: all time)"
-- param: price_gb_out float default=0.09 "Dollars per GB (2^30 bytes) sent"
-- param: price_get_1k float default=0.0004 "Dollars per 1,000 GET, HEAD and other requests"
-- param: price_put_1k float default=0.005 "Dollars per 1,000 PUT, COPY, POST and LIST requests"

SELECT
  CAST(date_trunc('day', p_event_time) AS DATE) AS day,
  count(*) AS requests,
  count(*) FILTER (WHERE s3logs_request_class(operation) = 'get') AS get_requests,
  count(*) FILTER (WHERE s3logs_request_class(operation) = 'put') AS put_requests,
  coalesce(sum(bytessent), 0) AS bytes_out,
  s3logs_transfer_usd(coalesce(sum(bytessent), 0), $price_gb_out) AS transfer_usd,
  s3logs_requests_usd(count(*) FILTER (WHERE s3logs_request_class(operation) = 'get'),
    count(*) FILTER (WHERE s3logs_request_class(operation) = 'put'), $price_get_1k, $price_put_1k) AS requests_usd,
  transfer_usd + requests_usd AS total_usd
FROM aws_s3serveraccess
WHERE ($bucket IS NULL OR bucket = $bucket)
  AND ($start IS NULL OR p_event_time >= $start)
  AND ($end IS NULL OR p_event_time < $end)
GROUP BY 1
ORDER BY day

-- name: cost_by_prefix
-- title: Traffic and cost by key prefix
-- description: Bytes sent and requests per key prefix of depth folders (depth 1: images/, 2: images/2026/; a key in fewer folders counts under its own folder, / for the top; NULL: requests without a key), most expensive first, with an estimate in dollars. Dollar estimate = bytes sent / 2^30 x price_gb_out + GET-class requests / 1,000 x price_get_1k + PUT-class requests (PUT, COPY, POST, LIST) / 1,000 x price_put_1k; DELETE and lifecycle requests are free. Defaults are S3 Standard in us-east-1 as AWS listed them in 2025 ($0.09 per GB out to the internet, first tier; $0.0004 per 1,000 GET; $0.005 per 1,000 PUT): transfer to AWS in the same region, free tiers and storage are not counted.
-- tags: [cost, traffic, object]
-- param: depth int default=1 "Folders in the prefix"
-- param: limit int default=20 "How many"
-- param: bucket string "Only this bucket (default: all)"
-- param: start timestamp "Start of the window (default: all time)"
-- param: end timestamp "End of the window, exclusive (default: all time)"
-- param: price_gb_out float default=0.09 "Dollars per GB (2^30 bytes) sent"
-- param: price_get_1k float default=0.0004 "Dollars per 1,000 GET, HEAD and other requests"
-- param: price_put_1k float default=0.005 "Dollars per 1,000 PUT, COPY, POST and LIST requests"

SELECT
  CASE WHEN key IS NULL THEN NULL WHEN strpos(key, '/') = 0 THEN '/' ELSE array_to_string(list_slice(string_split(key, '/'), 1, least($depth, len(string_split(key, '/')) - 1)), '/') || '/' END AS prefix,
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
ORDER BY total_usd DESC, bytes_out DESC, prefix NULLS LAST
LIMIT $limit

-- name: downloads_by_principal
-- title: Downloads by volume per principal over time
-- description: Bytes downloaded (successful GET object) per requester per period (minute, hour, day, week or month), largest first within each period.
-- tags: [exfiltration, principal, trend]
-- param: period string default=day one_of=minute|hour|day|week|month "Length of each period"
-- param: bucket string "Only this bucket (default: all)"

SELECT
  date_trunc($period, p_event_time) AS period_start,
  requester,
  count(*) AS downloads,
  count(DISTINCT key) AS distinct_keys,
  coalesce(sum(bytessent), 0) AS bytes_sent
FROM aws_s3serveraccess
WHERE operation IN ('REST.GET.OBJECT', 'WEBSITE.GET.OBJECT')
  AND httpstatus < 300
  AND ($bucket IS NULL OR bucket = $bucket)
GROUP BY period_start, requester
ORDER BY period_start, bytes_sent DESC, requester NULLS LAST

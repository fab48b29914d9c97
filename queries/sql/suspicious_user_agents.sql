-- name: suspicious_user_agents
-- title: Suspicious user agents
-- description: Requests whose user agent contains a tool or scanner marker (curl, wget, python, go-http, nmap, sqlmap...; Tailpipe's list, case-insensitive) or is missing, per user agent, IP and principal.
-- tags: [useragent, recon, tailpipe]
-- param: markers list default="curl,wget,python,go-http,ruby,powershell,nuclei,nmap,burpsuite,sqlmap,nikto,hydra,metasploit,gobuster,dirbuster,zgrab,masscan,scanner,exploit,attack" "Comma-separated substrings"

WITH agents AS (
  -- test each distinct user agent once, not every row
  SELECT useragent
  FROM (SELECT DISTINCT useragent FROM aws_s3serveraccess WHERE useragent IS NOT NULL)
  WHERE len(list_filter($markers::VARCHAR[], lambda m: contains(lower(useragent), lower(m)))) > 0
)
SELECT
  useragent,
  remoteip,
  requester,
  count(*) AS requests,
  count(DISTINCT key) AS distinct_keys,
  min(p_event_time) AS first_seen,
  max(p_event_time) AS last_seen
FROM aws_s3serveraccess
WHERE operation LIKE '%.OBJECT'
  AND operation NOT LIKE 'S3.%'
  AND (useragent IS NULL OR useragent IN (SELECT useragent FROM agents))
GROUP BY useragent, remoteip, requester
ORDER BY requests DESC, useragent NULLS FIRST, remoteip NULLS LAST, requester NULLS LAST

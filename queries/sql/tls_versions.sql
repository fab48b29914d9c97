-- name: tls_versions
-- title: TLS versions and cipher suites
-- description: Requests per TLS version and cipher suite (NULL is plain HTTP or an internal action), with the requesters still on each; insecure is true for no TLS, TLSv1 and TLSv1.1.
-- tags: [tls, insecure]
-- param: bucket string "Only this bucket (default: all)"

SELECT
  tlsVersion,
  ciphersuite,
  count(*) AS requests,
  count(DISTINCT requester) AS principals,
  count(DISTINCT remoteip) AS ips,
  tlsVersion IS NULL OR lower(tlsVersion) IN ('tlsv1', 'tlsv1.0', 'tlsv1.1') AS insecure
FROM aws_s3serveraccess
WHERE ($bucket IS NULL OR bucket = $bucket)
GROUP BY tlsVersion, ciphersuite
ORDER BY requests DESC, tlsVersion NULLS FIRST, ciphersuite NULLS FIRST

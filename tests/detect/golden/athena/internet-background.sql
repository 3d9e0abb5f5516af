SELECT
  CAST(NULL AS VARCHAR) AS src,
  CAST(NULL AS VARCHAR) AS dst,
  dstport AS dst_port,
  protocol,
  MIN(first_start) AS first_seen,
  MAX(last_end) AS last_seen,
  SUM(records) AS records,
  COUNT(DISTINCT srcaddr) AS metric,
  'low' AS severity,
  'summary' AS basis
FROM flow_windows
WHERE
  action = 'REJECT'
  AND NOT dstport IS NULL
  AND (
    dst_private OR CONTAINS(:own_ipv6_prefixes, dst_prefix)
  )
  AND NOT (
    src_private OR CONTAINS(:own_ipv6_prefixes, src_prefix)
  )
GROUP BY
  dstport,
  protocol,
  window_start - window_start % :period
HAVING
  COUNT(DISTINCT srcaddr) >= :min_sources
ORDER BY
  first_seen,
  dst_port

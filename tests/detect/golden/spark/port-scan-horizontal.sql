WITH busy AS (
  SELECT
    srcaddr,
    protocol,
    window_start
  FROM flow_windows
  WHERE
    (
      dst_private OR ARRAY_CONTAINS(:own_ipv6_prefixes, dst_prefix)
    )
    AND NOT (
      src_private OR ARRAY_CONTAINS(:own_ipv6_prefixes, src_prefix)
    )
    AND protocol IN (6, 17)
    AND requests > 0
  GROUP BY
    srcaddr,
    protocol,
    window_start
  HAVING
    COUNT(*) FILTER(WHERE
      probes > 0) >= :min_hosts
    AND SUM(probes) >= :min_probes
    AND SUM(probes) >= :min_probe_share * SUM(requests)
), per_host AS (
  SELECT
    f.srcaddr,
    f.protocol,
    f.window_start,
    f.dstaddr,
    MIN(f.first_start) AS first_start,
    MAX(f.last_end) AS last_end,
    SUM(f.records) AS records,
    SUM(f.probes) AS probes,
    SUM(f.requests) AS requests
  FROM flow_windows AS f
  JOIN busy AS b
    ON f.srcaddr = b.srcaddr
    AND f.protocol = b.protocol
    AND f.window_start = b.window_start
  WHERE
    (
      f.dst_private OR ARRAY_CONTAINS(:own_ipv6_prefixes, f.dst_prefix)
    )
    AND NOT (
      f.src_private OR ARRAY_CONTAINS(:own_ipv6_prefixes, f.src_prefix)
    )
    AND f.protocol IN (6, 17)
    AND f.requests > 0
  GROUP BY
    f.srcaddr,
    f.protocol,
    f.window_start,
    f.dstaddr
), hits AS (
  SELECT
    srcaddr AS src,
    CAST(NULL AS STRING) AS dst,
    CAST(NULL AS INT) AS dst_port,
    protocol,
    MIN(first_start) AS first_seen,
    MAX(last_end) AS last_seen,
    SUM(records) AS records,
    COUNT(*) FILTER(WHERE
      probes > 0) AS metric,
    'low' AS severity,
    'behaviour' AS basis
  FROM per_host
  GROUP BY
    srcaddr,
    protocol,
    window_start
  HAVING
    COUNT(*) FILTER(WHERE
      probes > 0) >= :min_hosts
    AND SUM(probes) >= :min_probes
    AND SUM(probes) >= :min_probe_share * SUM(requests)
), marked AS (
  SELECT
    hits.*,
    CASE
      WHEN first_seen - LAG(last_seen) OVER (PARTITION BY src, dst, dst_port, protocol ORDER BY first_seen NULLS LAST) <= :gap
      THEN 0
      ELSE 1
    END AS new_episode
  FROM hits
), numbered AS (
  SELECT
    marked.*,
    SUM(new_episode) OVER (
      PARTITION BY src, dst, dst_port, protocol
      ORDER BY first_seen NULLS LAST
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS episode
  FROM marked
)
SELECT
  src,
  dst,
  dst_port,
  protocol,
  MIN(first_seen) AS first_seen,
  MAX(last_seen) AS last_seen,
  SUM(records) AS records,
  MAX(metric) AS metric,
  CASE MAX(CASE severity WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END)
    WHEN 2
    THEN 'high'
    WHEN 1
    THEN 'medium'
    ELSE 'low'
  END AS severity,
  MAX(basis) AS basis
FROM numbered
GROUP BY
  src,
  dst,
  dst_port,
  protocol,
  episode
ORDER BY
  first_seen NULLS LAST,
  src NULLS LAST,
  dst NULLS LAST

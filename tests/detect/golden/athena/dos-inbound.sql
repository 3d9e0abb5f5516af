WITH hits AS (
  WITH flooded AS (
    SELECT
      dstaddr,
      dstport,
      protocol,
      window_start
    FROM flow_windows
    WHERE
      (
        dst_private OR CONTAINS(:own_ipv6_prefixes, dst_prefix)
      ) AND requests > 0
    GROUP BY
      dstaddr,
      dstport,
      protocol,
      window_start
    HAVING
      SUM(request_packets) >= :min_pps * :window
  )
  SELECT
    CASE WHEN MIN(f.srcaddr) = MAX(f.srcaddr) THEN MIN(f.srcaddr) END AS src,
    f.dstaddr AS dst,
    f.dstport AS dst_port,
    f.protocol,
    MIN(f.first_start) AS first_seen,
    MAX(f.last_end) AS last_seen,
    SUM(f.records) AS records,
    CAST(SUM(f.request_packets) AS DOUBLE) / :window AS metric,
    CASE
      WHEN MAX(CASE WHEN f.action = 'ACCEPT' THEN 1 ELSE 0 END) = 1
      THEN 'medium'
      ELSE 'low'
    END AS severity,
    'behaviour' AS basis
  FROM flow_windows AS f
  JOIN flooded AS k
    ON f.dstaddr = k.dstaddr
    AND f.dstport = k.dstport
    AND f.protocol IS NOT DISTINCT FROM k.protocol
    AND f.window_start = k.window_start
  WHERE
    f.requests > 0
  GROUP BY
    f.dstaddr,
    f.dstport,
    f.protocol,
    f.window_start
), marked AS (
  SELECT
    hits.*,
    CASE
      WHEN first_seen - LAG(last_seen) OVER (PARTITION BY src, dst, dst_port, protocol ORDER BY first_seen) <= :gap
      THEN 0
      ELSE 1
    END AS new_episode
  FROM hits
), numbered AS (
  SELECT
    marked.*,
    SUM(new_episode) OVER (
      PARTITION BY src, dst, dst_port, protocol
      ORDER BY first_seen
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
  first_seen,
  src,
  dst

WITH hits AS (
  SELECT
    srcaddr AS src,
    CAST(NULL AS VARCHAR) AS dst,
    dstport AS dst_port,
    protocol,
    MIN(first_start) AS first_seen,
    MAX(last_end) AS last_seen,
    SUM(records) AS records,
    COUNT(DISTINCT dstaddr) AS metric
  FROM flow_windows
  WHERE
    requests > 0 AND NOT dst_private AND protocol = 6 AND CONTAINS(:ports, dstport)
  GROUP BY
    srcaddr,
    dstport,
    protocol,
    window_start
  HAVING
    COUNT(DISTINCT dstaddr) >= :min_peers
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
  MAX(metric) AS metric
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

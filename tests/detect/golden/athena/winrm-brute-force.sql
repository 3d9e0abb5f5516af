WITH hits AS (
  SELECT
    srcaddr AS src,
    dstaddr AS dst,
    dstport AS dst_port,
    protocol,
    MIN(start) AS first_seen,
    MAX("end") AS last_seen,
    COUNT(*) AS records,
    COUNT(DISTINCT srcport) AS metric
  FROM flows
  WHERE
    protocol = 6
    AND CONTAINS(:ports, dstport)
    AND srcport > dstport
    AND NOT srcaddr IS NULL
    AND start >= :since
    AND start < :until
    AND NOT interface_id IN (
      SELECT
        interface_id
      FROM enrich_interfaces
      WHERE
        resource_type = 'nat_gateway'
    )
  GROUP BY
    srcaddr,
    dstaddr,
    dstport,
    protocol,
    start - start % :window
  HAVING
    COUNT(DISTINCT srcport) >= :min_attempts
    AND SUM(bytes) <= :max_bytes_per_attempt * COUNT(DISTINCT srcport)
    AND (
      BITWISE_OR_AGG(tcp_flags) IS NULL
      OR (
        BITWISE_AND(BITWISE_OR_AGG(tcp_flags), 5)
      ) > 0
    )
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

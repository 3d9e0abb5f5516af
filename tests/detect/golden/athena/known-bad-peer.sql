WITH hits AS (
  WITH addresses AS (
    SELECT DISTINCT
      address
    FROM (
      SELECT
        srcaddr AS address
      FROM flow_windows
      UNION ALL
      SELECT
        dstaddr AS address
      FROM flow_windows
    ) AS a
  ), bad AS (
    SELECT DISTINCT
      a.address
    FROM addresses AS a
    JOIN threat_list AS t
      ON (
        CASE
          WHEN a.address LIKE '%.%.%.%'
          THEN CAST(SPLIT_PART(a.address, '.', 1) AS BIGINT) * 16777216 + CAST(SPLIT_PART(a.address, '.', 2) AS BIGINT) * 65536 + CAST(SPLIT_PART(a.address, '.', 3) AS BIGINT) * 256 + CAST(SPLIT_PART(a.address, '.', 4) AS BIGINT)
        END
      ) BETWEEN t.low AND t.high
      OR LOWER(a.address) = LOWER(t.network)
  )
  SELECT
    srcaddr AS src,
    dstaddr AS dst,
    dstport AS dst_port,
    protocol,
    MIN(first_start) AS first_seen,
    MAX(last_end) AS last_seen,
    SUM(records) AS records,
    SUM(bytes) AS metric
  FROM flow_windows
  WHERE
    (
      requests > 0 OR action = 'REJECT'
    )
    AND (
      srcaddr IN (
        SELECT
          address
        FROM bad
      )
      OR dstaddr IN (
        SELECT
          address
        FROM bad
      )
    )
  GROUP BY
    srcaddr,
    dstaddr,
    dstport,
    protocol,
    window_start
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

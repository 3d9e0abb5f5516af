WITH seen AS (
  SELECT
    *
  FROM flow_windows
  WHERE
    requests > 0 OR action = 'REJECT'
), listed_addresses AS (
  SELECT
    address,
    (
      CASE
        WHEN address LIKE '%.%.%.%' AND address NOT LIKE '%:%'
        THEN CAST(SPLIT_PART(address, '.', 1) AS BIGINT) * 16777216 + CAST(SPLIT_PART(address, '.', 2) AS BIGINT) * 65536 + CAST(SPLIT_PART(address, '.', 3) AS BIGINT) * 256 + CAST(SPLIT_PART(address, '.', 4) AS BIGINT)
      END
    ) AS number
  FROM (
    SELECT
      srcaddr AS address
    FROM seen
    UNION
    SELECT
      dstaddr AS address
    FROM seen
  ) AS a
), bad AS (
  SELECT DISTINCT
    address
  FROM (
    SELECT
      a.address
    FROM listed_addresses AS a
    JOIN threat_list AS t
      ON a.number BETWEEN t.low AND t.high
    WHERE
      NOT ARRAY_CONTAINS(:categories, t.list)
    UNION ALL
    SELECT
      a.address
    FROM listed_addresses AS a
    JOIN threat_list AS t
      ON LOWER(a.address) = LOWER(t.network)
    WHERE
      a.address LIKE '%:%' AND t.low IS NULL AND NOT ARRAY_CONTAINS(:categories, t.list)
  ) AS hits
), hits AS (
  SELECT
    srcaddr AS src,
    dstaddr AS dst,
    dstport AS dst_port,
    protocol,
    MIN(first_start) AS first_seen,
    MAX(last_end) AS last_seen,
    SUM(records) AS records,
    SUM(bytes) AS metric,
    CASE
      WHEN (
        src_private OR ARRAY_CONTAINS(:own_ipv6_prefixes, src_prefix)
      )
      OR MAX(CASE WHEN action = 'ACCEPT' THEN 1 ELSE 0 END) = 1
      THEN 'medium'
      ELSE 'low'
    END AS severity,
    'threat list' AS basis
  FROM seen
  WHERE
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
  GROUP BY
    srcaddr,
    dstaddr,
    dstport,
    protocol,
    window_start,
    src_private,
    src_prefix
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

WITH inbound AS (
  SELECT
    *
  FROM flow_windows
  WHERE
    requests > probes
    AND (
      dst_private OR ARRAY_CONTAINS(:own_ipv6_prefixes, dst_prefix)
    )
    AND NOT (
      src_private OR ARRAY_CONTAINS(:own_ipv6_prefixes, src_prefix)
    )
    AND protocol = 6
    AND action = 'ACCEPT'
    AND NOT ARRAY_CONTAINS(:public_ports, dstport)
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
    SELECT DISTINCT
      srcaddr AS address
    FROM inbound
  ) AS a
), relays AS (
  SELECT DISTINCT
    address
  FROM (
    SELECT
      a.address
    FROM listed_addresses AS a
    JOIN threat_list AS t
      ON a.number BETWEEN t.low AND t.high
    WHERE
      ARRAY_CONTAINS(:categories, t.list)
    UNION ALL
    SELECT
      a.address
    FROM listed_addresses AS a
    JOIN threat_list AS t
      ON LOWER(a.address) = LOWER(t.network)
    WHERE
      a.address LIKE '%:%' AND t.low IS NULL AND ARRAY_CONTAINS(:categories, t.list)
  ) AS hits
), marked_2 AS (
  SELECT
    inbound.*,
    srcaddr IN (
      SELECT
        address
      FROM relays
    ) AS on_list
  FROM inbound
), hits AS (
  SELECT
    CAST(NULL AS STRING) AS src,
    dstaddr AS dst,
    dstport AS dst_port,
    protocol,
    MIN(first_start) AS first_seen,
    MAX(last_end) AS last_seen,
    SUM(records) AS records,
    COUNT(DISTINCT srcaddr) AS metric,
    'high' AS severity,
    CASE WHEN BOOL_OR(on_list) THEN 'threat list' ELSE 'Tor ports' END AS basis
  FROM marked_2
  WHERE
    on_list OR ARRAY_CONTAINS(:or_ports, dstport)
  GROUP BY
    dstaddr,
    dstport,
    protocol,
    window_start
  HAVING
    COUNT(DISTINCT srcaddr) >= :min_peers
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

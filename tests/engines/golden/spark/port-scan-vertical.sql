WITH w AS (
  SELECT
    srcaddr,
    dstaddr,
    CASE WHEN srcport < dstport THEN NULL ELSE dstport END AS dstport,
    protocol,
    action,
    start - start % :window AS window_start,
    COUNT(*) AS records,
    CAST(SUM(packets) AS BIGINT) AS packets,
    CAST(SUM(bytes) AS BIGINT) AS bytes,
    MIN(start) AS first_start,
    MAX(`end`) AS last_end,
    COUNT(*) FILTER(WHERE
      srcport > dstport) AS requests,
    CAST(COALESCE(SUM(packets) FILTER(WHERE
      srcport > dstport), 0) AS BIGINT) AS request_packets,
    COUNT(*) FILTER(WHERE
      srcport > dstport AND packets <= 2 AND bytes <= 100 * packets) AS probes
  FROM flows
  WHERE
    NOT srcaddr IS NULL
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
    CASE WHEN srcport < dstport THEN NULL ELSE dstport END,
    protocol,
    action,
    start - start % :window
), flow_windows AS (
  SELECT
    w.*,
    (
      srcaddr LIKE '10.%'
      OR srcaddr LIKE '192.168.%'
      OR SUBSTRING(srcaddr, 1, 7) IN (
        '172.16.',
        '172.17.',
        '172.18.',
        '172.19.',
        '172.20.',
        '172.21.',
        '172.22.',
        '172.23.',
        '172.24.',
        '172.25.',
        '172.26.',
        '172.27.',
        '172.28.',
        '172.29.',
        '172.30.',
        '172.31.'
      )
      OR (
        (
          srcaddr ILIKE 'fc%' OR srcaddr ILIKE 'fd%'
        )
        AND SUBSTRING(srcaddr, 5, 1) = ':'
      )
    ) AS src_private,
    (
      dstaddr LIKE '10.%'
      OR dstaddr LIKE '192.168.%'
      OR SUBSTRING(dstaddr, 1, 7) IN (
        '172.16.',
        '172.17.',
        '172.18.',
        '172.19.',
        '172.20.',
        '172.21.',
        '172.22.',
        '172.23.',
        '172.24.',
        '172.25.',
        '172.26.',
        '172.27.',
        '172.28.',
        '172.29.',
        '172.30.',
        '172.31.'
      )
      OR (
        (
          dstaddr ILIKE 'fc%' OR dstaddr ILIKE 'fd%'
        )
        AND SUBSTRING(dstaddr, 5, 1) = ':'
      )
    ) AS dst_private,
    SUBSTRING(LOWER(srcaddr), 1, 7) AS src_prefix,
    SUBSTRING(LOWER(dstaddr), 1, 7) AS dst_prefix
  FROM w
  ORDER BY
    src_private NULLS LAST,
    dst_private NULLS LAST,
    action NULLS LAST
), busy AS (
  SELECT
    srcaddr,
    dstaddr,
    protocol,
    window_start
  FROM flow_windows
  WHERE
    probes > 0
    AND protocol IN (6, 17)
    AND NOT (
      src_private OR ARRAY_CONTAINS(:own_ipv6_prefixes, src_prefix)
    )
  GROUP BY
    srcaddr,
    dstaddr,
    protocol,
    window_start
  HAVING
    COUNT(*) >= :min_ports
), probed_ports AS (
  SELECT
    f.srcaddr,
    f.dstaddr,
    f.protocol,
    f.window_start,
    f.dstport,
    MIN(f.first_start) AS first_start,
    MAX(f.last_end) AS last_end,
    SUM(f.records) AS records
  FROM flow_windows AS f
  JOIN busy AS b
    ON f.srcaddr = b.srcaddr
    AND f.dstaddr IS NOT DISTINCT FROM b.dstaddr
    AND f.protocol = b.protocol
    AND f.window_start = b.window_start
  WHERE
    f.probes > 0
    AND f.protocol IN (6, 17)
    AND NOT (
      f.src_private OR ARRAY_CONTAINS(:own_ipv6_prefixes, f.src_prefix)
    )
  GROUP BY
    f.srcaddr,
    f.dstaddr,
    f.protocol,
    f.window_start,
    f.dstport
), hits AS (
  SELECT
    srcaddr AS src,
    dstaddr AS dst,
    CAST(NULL AS INT) AS dst_port,
    protocol,
    MIN(first_start) AS first_seen,
    MAX(last_end) AS last_seen,
    SUM(records) AS records,
    COUNT(*) AS metric,
    'low' AS severity,
    'behaviour' AS basis
  FROM probed_ports
  GROUP BY
    srcaddr,
    dstaddr,
    protocol,
    window_start
  HAVING
    COUNT(*) >= :min_ports
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

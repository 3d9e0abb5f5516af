WITH enrich_interfaces AS (
  SELECT
    CAST(NULL AS VARCHAR) AS interface_id,
    CAST(NULL AS VARCHAR) AS address,
    CAST(NULL AS VARCHAR) AS resource_type,
    CAST(NULL AS VARCHAR) AS resource_id,
    CAST(NULL AS VARCHAR) AS name,
    CAST(NULL AS VARCHAR) AS subnet_id,
    CAST(NULL AS VARCHAR) AS vpc_id,
    CAST(NULL AS VARCHAR) AS security_groups,
    CAST(NULL AS VARCHAR) AS source
  WHERE
    1 = 0
), flow_windows AS (
  WITH w AS (
    SELECT
      srcaddr,
      dstaddr,
      CASE WHEN srcport < dstport THEN NULL ELSE dstport END AS dstport,
      protocol,
      action,
      start - start % 600 AS window_start,
      COUNT(*) AS records,
      CAST(SUM(packets) AS BIGINT) AS packets,
      CAST(SUM(bytes) AS BIGINT) AS bytes,
      MIN(start) AS first_start,
      MAX("end") AS last_end,
      COUNT(*) FILTER(WHERE
        srcport > dstport) AS requests,
      CAST(COALESCE(SUM(packets) FILTER(WHERE
        srcport > dstport), 0) AS BIGINT) AS request_packets,
      COUNT(*) FILTER(WHERE
        srcport > dstport AND packets <= 2 AND bytes <= 100 * packets) AS probes
    FROM flows
    WHERE
      NOT srcaddr IS NULL
      AND start >= 0
      AND start < 4611686018427387904
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
      start - start % 600
  )
  SELECT
    w.*,
    (
      srcaddr LIKE '10.%'
      OR srcaddr LIKE '192.168.%'
      OR SUBSTR(srcaddr, 1, 7) IN (
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
          LOWER(srcaddr) LIKE LOWER('fc%') OR LOWER(srcaddr) LIKE LOWER('fd%')
        )
        AND SUBSTR(srcaddr, 5, 1) = ':'
      )
    ) AS src_private,
    (
      dstaddr LIKE '10.%'
      OR dstaddr LIKE '192.168.%'
      OR SUBSTR(dstaddr, 1, 7) IN (
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
          LOWER(dstaddr) LIKE LOWER('fc%') OR LOWER(dstaddr) LIKE LOWER('fd%')
        )
        AND SUBSTR(dstaddr, 5, 1) = ':'
      )
    ) AS dst_private,
    SUBSTR(LOWER(srcaddr), 1, 7) AS src_prefix,
    SUBSTR(LOWER(dstaddr), 1, 7) AS dst_prefix
  FROM w
  ORDER BY
    src_private,
    dst_private,
    action
), hits AS (
  WITH busy AS (
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
        src_private OR CONTAINS(ARRAY['2600:1f', '2a05:d0'], src_prefix)
      )
    GROUP BY
      srcaddr,
      dstaddr,
      protocol,
      window_start
    HAVING
      COUNT(*) >= 3
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
        f.src_private OR CONTAINS(ARRAY['2600:1f', '2a05:d0'], f.src_prefix)
      )
    GROUP BY
      f.srcaddr,
      f.dstaddr,
      f.protocol,
      f.window_start,
      f.dstport
  )
  SELECT
    srcaddr AS src,
    dstaddr AS dst,
    CAST(NULL AS INTEGER) AS dst_port,
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
    COUNT(*) BETWEEN 3 AND 49
), marked AS (
  SELECT
    hits.*,
    CASE
      WHEN first_seen - LAG(last_seen) OVER (PARTITION BY src, dst, dst_port, protocol ORDER BY first_seen) <= 1800
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
  SUM(metric) AS metric,
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
HAVING
  SUM(metric) >= 20 AND COUNT(*) >= 3
ORDER BY
  first_seen,
  src,
  dst

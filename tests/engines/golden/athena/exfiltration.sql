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
  WITH egress AS (
    SELECT
      srcaddr,
      dstaddr,
      dstport,
      protocol,
      window_start,
      bytes,
      records,
      first_start AS first_seen,
      last_end AS last_seen
    FROM flow_windows
    WHERE
      (
        src_private OR CONTAINS(ARRAY['2600:1f', '2a05:d0'], src_prefix)
      )
      AND NOT (
        dst_private OR CONTAINS(ARRAY['2600:1f', '2a05:d0'], dst_prefix)
      )
      AND action = 'ACCEPT'
      AND protocol = 6
  ), per_window AS (
    SELECT
      srcaddr,
      window_start,
      SUM(bytes) AS bytes
    FROM egress
    GROUP BY
      srcaddr,
      window_start
  ), baseline AS (
    SELECT
      srcaddr,
      PERCENTILE_CONT(bytes, 0.5 ORDER BY bytes) AS median_bytes
    FROM per_window
    GROUP BY
      srcaddr
  ), history AS (
    SELECT
      srcaddr,
      MIN(window_start) AS since
    FROM flow_windows
    WHERE
      (
        src_private OR CONTAINS(ARRAY['2600:1f', '2a05:d0'], src_prefix)
      )
    GROUP BY
      srcaddr
  )
  SELECT
    e.srcaddr AS src,
    e.dstaddr AS dst,
    e.dstport AS dst_port,
    e.protocol,
    e.first_seen,
    e.last_seen,
    e.records,
    e.bytes AS metric,
    'medium' AS severity,
    'against its own baseline' AS basis
  FROM egress AS e
  JOIN baseline AS b
    ON e.srcaddr = b.srcaddr
  JOIN history AS h
    ON e.srcaddr = h.srcaddr
  WHERE
    e.bytes >= 25000000
    AND e.bytes >= 20 * b.median_bytes
    AND e.window_start - h.since >= 3600
    AND NOT EXISTS(
      SELECT
        1
      FROM egress AS c
      WHERE
        c.srcaddr = e.srcaddr
        AND c.dstaddr = e.dstaddr
        AND c.window_start BETWEEN e.window_start - 21600 AND e.window_start - 1800
    )
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
  SUM(metric) >= 100000000
ORDER BY
  first_seen,
  src,
  dst

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
  WITH rejects AS (
    SELECT
      dstaddr,
      dstport,
      protocol,
      window_start,
      COUNT(*) AS sources,
      MIN(srcaddr) AS any_source,
      SUM(records) AS records,
      MIN(first_start) AS first_seen,
      MAX(last_end) AS last_seen
    FROM flow_windows
    WHERE
      action = 'REJECT' AND NOT dstport IS NULL
    GROUP BY
      dstaddr,
      dstport,
      protocol,
      window_start
  ), windows AS (
    SELECT
      COUNT(DISTINCT window_start) AS n
    FROM flow_windows
  ), baseline AS (
    SELECT
      dstaddr,
      dstport,
      protocol,
      SUM(records) AS total
    FROM rejects
    GROUP BY
      dstaddr,
      dstport,
      protocol
  ), spikes AS (
    SELECT
      r.*
    FROM rejects AS r
    JOIN baseline AS b
      ON r.dstaddr = b.dstaddr AND r.dstport = b.dstport AND r.protocol = b.protocol
    CROSS JOIN windows AS w
    WHERE
      r.records >= 100 AND r.records * w.n >= 10 * b.total
  ), scanners AS (
    SELECT
      f.srcaddr,
      f.dstaddr,
      f.window_start
    FROM flow_windows AS f
    JOIN (
      SELECT DISTINCT
        any_source,
        dstaddr,
        window_start
      FROM spikes
      WHERE
        sources = 1
    ) AS k
      ON f.srcaddr = k.any_source
      AND f.dstaddr = k.dstaddr
      AND f.window_start = k.window_start
    WHERE
      f.action = 'REJECT'
    GROUP BY
      f.srcaddr,
      f.dstaddr,
      f.window_start
    HAVING
      COUNT(DISTINCT f.dstport) > 3
  )
  SELECT
    CASE WHEN r.sources = 1 THEN r.any_source END AS src,
    r.dstaddr AS dst,
    r.dstport AS dst_port,
    r.protocol,
    r.first_seen,
    r.last_seen,
    r.records,
    r.records AS metric,
    'low' AS severity,
    'behaviour' AS basis
  FROM spikes AS r
  WHERE
    NOT EXISTS(
      SELECT
        1
      FROM scanners AS s
      WHERE
        s.dstaddr = r.dstaddr
        AND s.window_start = r.window_start
        AND s.srcaddr = r.any_source
        AND r.sources = 1
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

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
), outbound AS (
  SELECT
    srcaddr,
    dstaddr,
    dstport,
    protocol,
    requests,
    window_start
  FROM flow_windows
  WHERE
    requests > 0
    AND (
      src_private OR CONTAINS(ARRAY['2600:1f', '2a05:d0'], src_prefix)
    )
    AND NOT (
      dst_private OR CONTAINS(ARRAY['2600:1f', '2a05:d0'], dst_prefix)
    )
), fleet AS (
  SELECT
    COUNT(DISTINCT srcaddr) AS sources
  FROM outbound
), popular AS (
  SELECT
    dstaddr,
    dstport,
    protocol
  FROM outbound
  GROUP BY
    dstaddr,
    dstport,
    protocol
  HAVING
    COUNT(DISTINCT srcaddr) >= 3
    AND COUNT(DISTINCT srcaddr) >= 0.3 * (
      SELECT
        sources
      FROM fleet
    )
), pair_windows AS (
  SELECT
    o.srcaddr,
    o.dstaddr,
    o.dstport,
    o.protocol,
    o.window_start,
    SUM(o.requests) AS requests
  FROM outbound AS o
  LEFT JOIN popular AS p
    ON o.dstaddr = p.dstaddr AND o.dstport = p.dstport AND o.protocol = p.protocol
  WHERE
    p.dstaddr IS NULL
  GROUP BY
    o.srcaddr,
    o.dstaddr,
    o.dstport,
    o.protocol,
    o.window_start
), candidates AS (
  SELECT
    srcaddr,
    dstaddr,
    dstport,
    protocol,
    ROW_NUMBER() OVER (ORDER BY srcaddr, dstaddr, dstport, protocol) AS pair
  FROM pair_windows
  GROUP BY
    srcaddr,
    dstaddr,
    dstport,
    protocol
  HAVING
    SUM(requests) >= 20 AND COUNT(window_start) >= 3
), connections AS (
  SELECT
    c.pair,
    MIN(f.start) AS t,
    MAX(f."end") AS t_end,
    SUM(f.bytes) AS bytes,
    COUNT(*) AS records
  FROM flows
  JOIN candidates AS c
    ON f.srcaddr = c.srcaddr
    AND f.dstaddr = c.dstaddr
    AND f.dstport = c.dstport
    AND f.protocol = c.protocol
  WHERE
    f.srcport > f.dstport AND f.start >= 0 AND f.start < 4611686018427387904
  GROUP BY
    c.pair,
    f.srcport,
    f.start - f.start % 3600
), gaps AS (
  SELECT
    connections.*,
    t - LAG(t) OVER (PARTITION BY pair ORDER BY t) AS gap
  FROM connections
), episodes AS (
  SELECT
    pair,
    t AS episode,
    LEAD(t) OVER (PARTITION BY pair ORDER BY t) AS next_episode
  FROM gaps
  WHERE
    gap IS NULL OR gap > 3600
), numbered AS (
  SELECT
    gaps.*,
    e.episode,
    CASE WHEN gap <= 3600 THEN gap END AS interval
  FROM gaps
  JOIN episodes AS e
    ON gaps.pair = e.pair
    AND gaps.t >= e.episode
    AND (
      e.next_episode IS NULL OR gaps.t < e.next_episode
    )
), quartiles AS (
  SELECT
    pair,
    episode,
    COUNT(*) AS n,
    MIN(t) AS first_seen,
    MAX(t_end) AS last_seen,
    CAST(SUM(records) AS BIGINT) AS records,
    PERCENTILE_CONT(CAST(interval AS DOUBLE), ARRAY[0.25, 0.5, 0.75] ORDER BY CAST(interval AS DOUBLE)) AS iq,
    PERCENTILE_CONT(CAST(bytes AS DOUBLE), ARRAY[0.25, 0.5, 0.75] ORDER BY CAST(bytes AS DOUBLE)) AS bq
  FROM numbered
  GROUP BY
    pair,
    episode
  HAVING
    COUNT(*) >= 20
), spread AS (
  SELECT
    pair,
    episode,
    n,
    first_seen,
    last_seen,
    records,
    iq[1] AS i1,
    iq[2] AS i2,
    iq[3] AS i3,
    bq[1] AS b1,
    bq[2] AS b2,
    bq[3] AS b3
  FROM quartiles
), scored AS (
  SELECT
    spread.*,
    CAST((
      (
        1 - LEAST(
          1.0,
          ABS(
            CASE
              WHEN i3 - i1 > 0.1 * i2
              THEN CAST((
                i3 + i1 - 2 * i2
              ) AS DOUBLE) / (
                i3 - i1
              )
              ELSE 0
            END
          )
        )
      ) + GREATEST(0.0, 1 - CAST((
        i3 - i1
      ) AS DOUBLE) / GREATEST(i2, 1))
    ) AS DOUBLE) / 2 AS interval_score,
    CAST((
      (
        1 - LEAST(
          1.0,
          ABS(
            CASE
              WHEN b3 - b1 > 0.1 * b2
              THEN CAST((
                b3 + b1 - 2 * b2
              ) AS DOUBLE) / (
                b3 - b1
              )
              ELSE 0
            END
          )
        )
      ) + GREATEST(0.0, 1 - CAST((
        b3 - b1
      ) AS DOUBLE) / GREATEST(b2, 1))
    ) AS DOUBLE) / 2 AS size_score
  FROM spread
)
SELECT
  c.srcaddr AS src,
  c.dstaddr AS dst,
  c.dstport AS dst_port,
  c.protocol,
  first_seen,
  last_seen,
  records,
  CAST((
    interval_score + size_score
  ) AS DOUBLE) / 2 AS metric,
  'medium' AS severity,
  'behaviour' AS basis
FROM scored
JOIN candidates AS c
  ON scored.pair = c.pair
WHERE
  CAST((
    interval_score + size_score
  ) AS DOUBLE) / 2 >= 0.8
  AND interval_score >= 0.7
  AND i2 >= 10
ORDER BY
  first_seen,
  src,
  dst

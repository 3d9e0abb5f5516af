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
      src_private OR ARRAY_CONTAINS(:own_ipv6_prefixes, src_prefix)
    )
    AND NOT (
      dst_private OR ARRAY_CONTAINS(:own_ipv6_prefixes, dst_prefix)
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
    COUNT(DISTINCT srcaddr) >= :fleet_min_sources
    AND COUNT(DISTINCT srcaddr) >= :fleet_share * (
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
    ROW_NUMBER() OVER (
      ORDER BY srcaddr NULLS LAST, dstaddr NULLS LAST, dstport NULLS LAST, protocol NULLS LAST
    ) AS pair
  FROM pair_windows
  GROUP BY
    srcaddr,
    dstaddr,
    dstport,
    protocol
  HAVING
    SUM(requests) >= :min_connections AND COUNT(window_start) >= :min_windows
), connections AS (
  SELECT
    c.pair,
    MIN(f.start) AS t,
    MAX(f.`end`) AS t_end,
    SUM(f.bytes) AS bytes,
    COUNT(*) AS records
  FROM flows AS f
  JOIN candidates AS c
    ON f.srcaddr = c.srcaddr
    AND f.dstaddr = c.dstaddr
    AND f.dstport = c.dstport
    AND f.protocol = c.protocol
  WHERE
    f.srcport > f.dstport AND f.start >= :since AND f.start < :until
  GROUP BY
    c.pair,
    f.srcport,
    f.start - f.start % :max_gap
), gaps AS (
  SELECT
    connections.*,
    t - LAG(t) OVER (PARTITION BY pair ORDER BY t NULLS LAST) AS gap
  FROM connections
), episodes AS (
  SELECT
    pair,
    t AS episode,
    LEAD(t) OVER (PARTITION BY pair ORDER BY t NULLS LAST) AS next_episode
  FROM gaps
  WHERE
    gap IS NULL OR gap > :max_gap
), numbered AS (
  SELECT
    gaps.*,
    e.episode,
    CASE WHEN gap <= :max_gap THEN gap END AS interval
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
    percentile_cont(ARRAY(0.25, 0.5, 0.75)) WITHIN GROUP (ORDER BY
      CAST(interval AS DOUBLE) NULLS LAST) AS iq,
    percentile_cont(ARRAY(0.25, 0.5, 0.75)) WITHIN GROUP (ORDER BY
      CAST(bytes AS DOUBLE) NULLS LAST) AS bq
  FROM numbered
  GROUP BY
    pair,
    episode
  HAVING
    COUNT(*) >= :min_connections
), spread AS (
  SELECT
    pair,
    episode,
    n,
    first_seen,
    last_seen,
    records,
    iq[0] AS i1,
    iq[1] AS i2,
    iq[2] AS i3,
    bq[0] AS b1,
    bq[1] AS b2,
    bq[2] AS b3
  FROM quartiles
), scored AS (
  SELECT
    spread.*,
    (
      (
        1 - LEAST(
          1.0,
          ABS(
            CASE
              WHEN i3 - i1 > :min_spread * i2
              THEN (
                i3 + i1 - 2 * i2
              ) / (
                i3 - i1
              )
              ELSE 0
            END
          )
        )
      ) + GREATEST(0.0, 1 - (
        i3 - i1
      ) / GREATEST(i2, 1))
    ) / 2 AS interval_score,
    (
      (
        1 - LEAST(
          1.0,
          ABS(
            CASE
              WHEN b3 - b1 > :min_spread * b2
              THEN (
                b3 + b1 - 2 * b2
              ) / (
                b3 - b1
              )
              ELSE 0
            END
          )
        )
      ) + GREATEST(0.0, 1 - (
        b3 - b1
      ) / GREATEST(b2, 1))
    ) / 2 AS size_score
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
  (
    interval_score + size_score
  ) / 2 AS metric,
  'medium' AS severity,
  'behaviour' AS basis
FROM scored
JOIN candidates AS c
  ON scored.pair = c.pair
WHERE
  (
    interval_score + size_score
  ) / 2 >= :min_score
  AND interval_score >= :min_interval_score
  AND i2 >= :min_interval
ORDER BY
  first_seen NULLS LAST,
  src NULLS LAST,
  dst NULLS LAST

WITH hits AS (
  WITH sent AS (
    SELECT
      srcaddr,
      dstaddr,
      dstport,
      protocol,
      window_start,
      SUM(records) AS records,
      MIN(first_start) AS first_seen,
      MAX(last_end) AS last_seen,
      SUM(packets) AS packets,
      SUM(bytes) AS bytes
    FROM flow_windows
    WHERE
      (
        src_private OR CONTAINS(:own_ipv6_prefixes, src_prefix)
      )
      AND NOT (
        dst_private OR CONTAINS(:own_ipv6_prefixes, dst_prefix)
      )
      AND NOT dstport IS NULL
      AND protocol = 17
      AND requests > 0
      AND CONTAINS(:tcp_only_ports, dstport)
    GROUP BY
      srcaddr,
      dstaddr,
      dstport,
      protocol,
      window_start
    HAVING
      SUM(packets) >= :min_pps * GREATEST(MAX(last_end) - MIN(first_start), :min_seconds)
  ), replies AS (
    SELECT
      r.srcaddr,
      r.dstaddr,
      r.protocol,
      r.window_start,
      SUM(r.packets) AS packets,
      SUM(r.bytes) AS bytes
    FROM flow_windows AS r
    JOIN (
      SELECT DISTINCT
        srcaddr,
        dstaddr,
        protocol,
        window_start
      FROM sent
    ) AS k
      ON r.srcaddr = k.dstaddr
      AND r.dstaddr = k.srcaddr
      AND r.protocol = k.protocol
      AND r.window_start = k.window_start
    GROUP BY
      r.srcaddr,
      r.dstaddr,
      r.protocol,
      r.window_start
  )
  SELECT
    s.srcaddr AS src,
    s.dstaddr AS dst,
    s.dstport AS dst_port,
    s.protocol,
    s.first_seen,
    s.last_seen,
    s.records,
    CAST(s.packets AS DOUBLE) / GREATEST(s.last_seen - s.first_seen, :min_seconds) AS metric,
    'high' AS severity,
    'behaviour' AS basis
  FROM sent AS s
  LEFT JOIN replies AS a
    ON a.srcaddr = s.dstaddr
    AND a.dstaddr = s.srcaddr
    AND a.protocol = s.protocol
    AND a.window_start = s.window_start
  WHERE
    COALESCE(a.packets, 0) <= :max_reply_share * s.packets
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

WITH hits AS (
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
      r.records >= :min_rejects AND r.records * w.n >= :baseline_factor * b.total
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
      COUNT(DISTINCT f.dstport) > :max_ports
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

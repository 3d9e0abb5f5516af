WITH hits AS (
WITH busy AS (
  SELECT srcaddr, dstaddr, protocol, window_start FROM flow_windows WHERE probes > 0 AND protocol IN (6, 17) AND NOT (src_private OR array_contains($own_ipv6_prefixes, src_prefix))
  GROUP BY srcaddr, dstaddr, protocol, window_start HAVING count(*) >= $min_window_ports
),
probed_ports AS (
  SELECT f.srcaddr, f.dstaddr, f.protocol, f.window_start, f.dstport, min(f.first_start) AS first_start,
         max(f.last_end) AS last_end, sum(f.records) AS records
  FROM flow_windows f
  JOIN busy b ON f.srcaddr = b.srcaddr AND f.dstaddr IS NOT DISTINCT FROM b.dstaddr AND f.protocol = b.protocol
             AND f.window_start = b.window_start
  WHERE f.probes > 0 AND f.protocol IN (6, 17) AND NOT (f.src_private OR array_contains($own_ipv6_prefixes, f.src_prefix))
  GROUP BY f.srcaddr, f.dstaddr, f.protocol, f.window_start, f.dstport
)
SELECT srcaddr AS src, dstaddr AS dst, CAST(NULL AS INTEGER) AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(*) AS metric, 'low' AS severity, 'behaviour' AS basis
FROM probed_ports
GROUP BY srcaddr, dstaddr, protocol, window_start
HAVING count(*) BETWEEN $min_window_ports AND $max_window_ports),
marked AS (
  SELECT hits.*, CASE WHEN first_seen - LAG(last_seen) OVER (PARTITION BY src, dst, dst_port, protocol ORDER BY first_seen) <= $gap
                      THEN 0 ELSE 1 END AS new_episode
  FROM hits
),
numbered AS (
  SELECT marked.*, SUM(new_episode) OVER (PARTITION BY src, dst, dst_port, protocol ORDER BY first_seen
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS episode
  FROM marked
)
SELECT src, dst, dst_port, protocol, min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(records) AS records,
       sum(metric) AS metric, CASE max(CASE severity WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END) WHEN 2 THEN 'high' WHEN 1 THEN 'medium' ELSE 'low' END AS severity, max(basis) AS basis
FROM numbered
GROUP BY src, dst, dst_port, protocol, episode
HAVING sum(metric) >= $min_ports AND count(*) >= $min_windows
ORDER BY first_seen, src, dst

WITH hits AS (
WITH probed_ports AS (
  SELECT srcaddr, dstaddr, protocol, window_start, dstport, min(first_start) AS first_start,
         max(last_end) AS last_end, sum(records) AS records
  FROM flow_windows
  WHERE probes > 0 AND protocol IN (6, 17) AND NOT (src_private OR array_contains($own_ipv6_prefixes, src_prefix))
  GROUP BY srcaddr, dstaddr, protocol, window_start, dstport
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

WITH hits AS (
WITH egress AS (
  SELECT srcaddr, dstaddr, dstport, protocol, window_start, bytes, records, first_start AS first_seen,
         last_end AS last_seen
  FROM flow_windows
  WHERE (src_private OR array_contains($own_ipv6_prefixes, src_prefix)) AND NOT (dst_private OR array_contains($own_ipv6_prefixes, dst_prefix)) AND action = 'ACCEPT' AND protocol = 6
),
per_window AS (SELECT srcaddr, window_start, sum(bytes) AS bytes FROM egress GROUP BY srcaddr, window_start),
baseline AS (
  SELECT srcaddr, percentile_cont(0.5) WITHIN GROUP (ORDER BY bytes) AS median_bytes
  FROM per_window GROUP BY srcaddr
),
history AS (SELECT srcaddr, min(window_start) AS since FROM flow_windows WHERE (src_private OR array_contains($own_ipv6_prefixes, src_prefix)) GROUP BY srcaddr)
SELECT e.srcaddr AS src, e.dstaddr AS dst, e.dstport AS dst_port, e.protocol,
       e.first_seen, e.last_seen, e.records, e.bytes AS metric, 'medium' AS severity,
       'against its own baseline' AS basis
FROM egress e
JOIN baseline b ON e.srcaddr = b.srcaddr
JOIN history h ON e.srcaddr = h.srcaddr
WHERE e.bytes >= $min_window_bytes AND e.bytes >= $baseline_factor * b.median_bytes
  AND e.window_start - h.since >= $min_history
  AND NOT EXISTS (SELECT 1 FROM egress c WHERE c.srcaddr = e.srcaddr AND c.dstaddr = e.dstaddr
                  AND c.window_start BETWEEN e.window_start - $lookback AND e.window_start - $gap)),
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
HAVING sum(metric) >= $min_bytes
ORDER BY first_seen, src, dst

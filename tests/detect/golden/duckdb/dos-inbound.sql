WITH hits AS (
WITH flooded AS (
  SELECT dstaddr, dstport, protocol, window_start
  FROM flow_windows
  WHERE (dst_private OR array_contains($own_ipv6_prefixes, dst_prefix)) AND requests > 0
  GROUP BY dstaddr, dstport, protocol, window_start
  HAVING sum(request_packets) >= $min_pps * $window
)
SELECT CASE WHEN min(f.srcaddr) = max(f.srcaddr) THEN min(f.srcaddr) END AS src, f.dstaddr AS dst,
       f.dstport AS dst_port, f.protocol, min(f.first_start) AS first_seen, max(f.last_end) AS last_seen,
       sum(f.records) AS records, sum(f.request_packets) / $window AS metric,
       CASE WHEN max(CASE WHEN f.action = 'ACCEPT' THEN 1 ELSE 0 END) = 1 THEN 'medium' ELSE 'low' END AS severity,
       'behaviour' AS basis
FROM flow_windows f
JOIN flooded k ON f.dstaddr = k.dstaddr AND f.dstport = k.dstport AND f.protocol IS NOT DISTINCT FROM k.protocol
              AND f.window_start = k.window_start
WHERE f.requests > 0
GROUP BY f.dstaddr, f.dstport, f.protocol, f.window_start),
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
       max(metric) AS metric, CASE max(CASE severity WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END) WHEN 2 THEN 'high' WHEN 1 THEN 'medium' ELSE 'low' END AS severity, max(basis) AS basis
FROM numbered
GROUP BY src, dst, dst_port, protocol, episode
ORDER BY first_seen, src, dst

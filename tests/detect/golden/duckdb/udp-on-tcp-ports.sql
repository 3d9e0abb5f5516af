WITH hits AS (
WITH sent AS (
  SELECT srcaddr, dstaddr, dstport, protocol, window_start, sum(records) AS records,
         min(first_start) AS first_seen, max(last_end) AS last_seen,
         sum(packets) AS packets, sum(bytes) AS bytes
  FROM flow_windows
  WHERE (src_private OR array_contains($own_ipv6_prefixes, src_prefix)) AND NOT (dst_private OR array_contains($own_ipv6_prefixes, dst_prefix)) AND dstport IS NOT NULL AND protocol = 17 AND requests > 0 AND array_contains($tcp_only_ports, dstport)
  GROUP BY srcaddr, dstaddr, dstport, protocol, window_start
  HAVING sum(packets) >= $min_pps * greatest(max(last_end) - min(first_start), $min_seconds)
),
replies AS (
  SELECT r.srcaddr, r.dstaddr, r.protocol, r.window_start, sum(r.packets) AS packets, sum(r.bytes) AS bytes
  FROM flow_windows r
  JOIN (SELECT DISTINCT srcaddr, dstaddr, protocol, window_start FROM sent) k
    ON r.srcaddr = k.dstaddr AND r.dstaddr = k.srcaddr AND r.protocol = k.protocol
   AND r.window_start = k.window_start
  GROUP BY r.srcaddr, r.dstaddr, r.protocol, r.window_start
)
SELECT s.srcaddr AS src, s.dstaddr AS dst, s.dstport AS dst_port, s.protocol, s.first_seen, s.last_seen,
       s.records, s.packets / greatest(s.last_seen - s.first_seen, $min_seconds) AS metric,
       'high' AS severity, 'behaviour' AS basis
FROM sent s
LEFT JOIN replies a ON a.srcaddr = s.dstaddr AND a.dstaddr = s.srcaddr AND a.protocol = s.protocol
                   AND a.window_start = s.window_start
WHERE coalesce(a.packets, 0) <= $max_reply_share * s.packets),
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

WITH hits AS (
WITH uses AS (
  SELECT srcaddr, CASE WHEN count(DISTINCT dstaddr) = 1 THEN min(dstaddr) END AS dstaddr, dstport, protocol,
         window_start, min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
         count(DISTINCT dstaddr) AS peers
  FROM flow_windows
  WHERE requests > 0 AND (src_private OR array_contains($own_ipv6_prefixes, src_prefix)) AND NOT (dst_private OR array_contains($own_ipv6_prefixes, dst_prefix)) AND action = 'ACCEPT' AND protocol = 6 AND array_contains($ports, dstport)
  GROUP BY srcaddr, dstport, protocol, window_start
  HAVING count(DISTINCT dstaddr) >= $min_peers
),
port_windows AS (SELECT DISTINCT srcaddr, dstport, protocol, window_start FROM uses),
prior AS (
  SELECT srcaddr, dstport, protocol, window_start,
         count(*) OVER (PARTITION BY srcaddr, dstport, protocol ORDER BY window_start
                        RANGE BETWEEN $lookback PRECEDING AND 1 PRECEDING) AS prior_windows
  FROM port_windows
),
history AS (SELECT srcaddr, min(window_start) AS since FROM flow_windows WHERE (src_private OR array_contains($own_ipv6_prefixes, src_prefix)) GROUP BY srcaddr)
SELECT u.srcaddr AS src, u.dstaddr AS dst, u.dstport AS dst_port, u.protocol, u.first_seen, u.last_seen,
       u.records, u.peers AS metric, 'medium' AS severity, 'no prior history' AS basis
FROM uses u
JOIN prior p ON u.srcaddr = p.srcaddr AND u.dstport = p.dstport AND u.protocol = p.protocol
            AND u.window_start = p.window_start
JOIN history h ON u.srcaddr = h.srcaddr
WHERE p.prior_windows <= $max_prior_windows AND u.window_start - h.since >= $min_history),
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

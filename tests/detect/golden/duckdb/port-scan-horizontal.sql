WITH hits AS (
WITH busy AS (
  SELECT srcaddr, protocol, window_start FROM flow_windows
  WHERE (dst_private OR array_contains($own_ipv6_prefixes, dst_prefix)) AND NOT (src_private OR array_contains($own_ipv6_prefixes, src_prefix)) AND protocol IN (6, 17) AND requests > 0
  GROUP BY srcaddr, protocol, window_start
  HAVING count(*) FILTER (WHERE probes > 0) >= $min_hosts AND sum(probes) >= $min_probes
     AND sum(probes) >= $min_probe_share * sum(requests)
),
per_host AS (
  SELECT f.srcaddr, f.protocol, f.window_start, f.dstaddr, min(f.first_start) AS first_start,
         max(f.last_end) AS last_end, sum(f.records) AS records, sum(f.probes) AS probes,
         sum(f.requests) AS requests
  FROM flow_windows f
  JOIN busy b ON f.srcaddr = b.srcaddr AND f.protocol = b.protocol AND f.window_start = b.window_start
  WHERE (f.dst_private OR array_contains($own_ipv6_prefixes, f.dst_prefix)) AND NOT (f.src_private OR array_contains($own_ipv6_prefixes, f.src_prefix)) AND f.protocol IN (6, 17) AND f.requests > 0
  GROUP BY f.srcaddr, f.protocol, f.window_start, f.dstaddr
)
SELECT srcaddr AS src, CAST(NULL AS VARCHAR) AS dst, CAST(NULL AS INTEGER) AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(*) FILTER (WHERE probes > 0) AS metric, 'low' AS severity, 'behaviour' AS basis
FROM per_host
GROUP BY srcaddr, protocol, window_start
HAVING count(*) FILTER (WHERE probes > 0) >= $min_hosts AND sum(probes) >= $min_probes
   AND sum(probes) >= $min_probe_share * sum(requests)),
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

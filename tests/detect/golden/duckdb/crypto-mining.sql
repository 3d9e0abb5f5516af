WITH hits AS (
WITH out AS (
  SELECT * FROM flow_windows
  WHERE requests > 0 AND (src_private OR array_contains($own_ipv6_prefixes, src_prefix)) AND NOT (dst_private OR array_contains($own_ipv6_prefixes, dst_prefix)) AND action = 'ACCEPT' AND protocol = 6
),
pools AS (WITH listed_addresses AS (SELECT address, (CASE WHEN address LIKE '%.%.%.%' AND address NOT LIKE '%:%' THEN CAST(split_part(address, '.', 1) AS BIGINT) * 16777216 + CAST(split_part(address, '.', 2) AS BIGINT) * 65536 + CAST(split_part(address, '.', 3) AS BIGINT) * 256 + CAST(split_part(address, '.', 4) AS BIGINT) END) AS number FROM (SELECT DISTINCT dstaddr AS address FROM out) AS a)
  SELECT DISTINCT address FROM (
    SELECT a.address FROM listed_addresses a JOIN threat_list t ON a.number BETWEEN t.low AND t.high
    WHERE t.list = $category
    UNION ALL
    SELECT a.address FROM listed_addresses a JOIN threat_list t ON lower(a.address) = lower(t.network)
    WHERE a.address LIKE '%:%' AND t.low IS NULL AND t.list = $category) AS hits)
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol, first_start AS first_seen,
       last_end AS last_seen, records, bytes AS metric,
       CASE WHEN dstaddr IN (SELECT address FROM pools) THEN 'high' ELSE 'medium' END AS severity,
       CASE WHEN dstaddr IN (SELECT address FROM pools) THEN 'threat list' ELSE 'Stratum port' END AS basis
FROM out
WHERE dstaddr IN (SELECT address FROM pools)
   OR (array_contains($ports, dstport) AND last_end - first_start >= $min_active_seconds)),
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

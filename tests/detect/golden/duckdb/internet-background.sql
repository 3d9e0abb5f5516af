SELECT CAST(NULL AS VARCHAR) AS src, CAST(NULL AS VARCHAR) AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(DISTINCT srcaddr) AS metric, 'low' AS severity, 'summary' AS basis
FROM flow_windows
WHERE action = 'REJECT' AND dstport IS NOT NULL AND (dst_private OR array_contains($own_ipv6_prefixes, dst_prefix)) AND NOT (src_private OR array_contains($own_ipv6_prefixes, src_prefix))
GROUP BY dstport, protocol, window_start - window_start % $period
HAVING count(DISTINCT srcaddr) >= $min_sources
ORDER BY first_seen, dst_port

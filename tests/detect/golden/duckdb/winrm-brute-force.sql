WITH hits AS (
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol,
       min(start) AS first_seen, max("end") AS last_seen, count(*) AS records,
       count(DISTINCT srcport) AS metric
FROM flows
WHERE protocol = 6 AND array_contains($ports, dstport) AND srcport > dstport AND srcaddr IS NOT NULL
  AND start >= $since AND start < $until AND interface_id NOT IN (SELECT interface_id FROM enrich_interfaces WHERE resource_type = 'nat_gateway')
GROUP BY srcaddr, dstaddr, dstport, protocol, start - start % $window
HAVING count(DISTINCT srcport) >= $min_attempts
   AND sum(bytes) <= $max_bytes_per_attempt * count(DISTINCT srcport)
   AND (bit_or(tcp_flags) IS NULL OR (bit_or(tcp_flags) & 5) > 0)),
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
       max(metric) AS metric
FROM numbered
GROUP BY src, dst, dst_port, protocol, episode
ORDER BY first_seen, src, dst

WITH hits AS (
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       sum(packets) AS metric
FROM flow_windows
WHERE protocol = 17 AND array_contains($ports, dstport)
GROUP BY srcaddr, dstaddr, dstport, protocol, window_start
HAVING sum(packets) >= $min_packets),
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

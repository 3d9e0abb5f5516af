WITH hits AS (
WITH per_connection AS (
  SELECT srcaddr, dstaddr, dstport, protocol, start - start % $window AS window_start, srcport,
         min(start) AS first_seen, max("end") AS last_seen, count(*) AS records, sum(bytes) AS bytes,
         max(bytes) AS biggest, bit_or(tcp_flags) AS flags
  FROM flows
  WHERE protocol = 6 AND array_contains($ports, dstport) AND srcport > dstport AND srcaddr IS NOT NULL
    AND start >= $since AND start < $until AND interface_id NOT IN (SELECT interface_id FROM enrich_interfaces WHERE resource_type = 'nat_gateway')
  GROUP BY srcaddr, dstaddr, dstport, protocol, start - start % $window, srcport
),
per_window AS (
  SELECT srcaddr, dstaddr, dstport, protocol, window_start, min(first_seen) AS first_seen,
         max(last_seen) AS last_seen, CAST(sum(records) AS BIGINT) AS records, count(*) AS attempts,
         sum(bytes) AS bytes, max(biggest) AS biggest, bit_or(flags) AS flags
  FROM per_connection
  GROUP BY srcaddr, dstaddr, dstport, protocol, window_start
),
followed AS (
  SELECT per_window.*, max(biggest) OVER (PARTITION BY srcaddr, dstaddr, dstport ORDER BY window_start
                                          RANGE BETWEEN CURRENT ROW AND $gap FOLLOWING) AS later_biggest
  FROM per_window
)
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol, first_seen, last_seen, records,
       attempts AS metric,
       CASE WHEN ((srcaddr LIKE '10.%' OR srcaddr LIKE '192.168.%' OR substr(srcaddr, 1, 7) IN ('172.16.', '172.17.', '172.18.', '172.19.', '172.20.', '172.21.', '172.22.', '172.23.', '172.24.', '172.25.', '172.26.', '172.27.', '172.28.', '172.29.', '172.30.', '172.31.') OR ((srcaddr ILIKE 'fc%' OR srcaddr ILIKE 'fd%') AND substr(srcaddr, 5, 1) = ':')) OR array_contains($own_ipv6_prefixes, substr(lower(srcaddr), 1, 7))) OR later_biggest >= $session_bytes THEN 'high' ELSE 'low' END AS severity,
       CASE WHEN ((srcaddr LIKE '10.%' OR srcaddr LIKE '192.168.%' OR substr(srcaddr, 1, 7) IN ('172.16.', '172.17.', '172.18.', '172.19.', '172.20.', '172.21.', '172.22.', '172.23.', '172.24.', '172.25.', '172.26.', '172.27.', '172.28.', '172.29.', '172.30.', '172.31.') OR ((srcaddr ILIKE 'fc%' OR srcaddr ILIKE 'fd%') AND substr(srcaddr, 5, 1) = ':')) OR array_contains($own_ipv6_prefixes, substr(lower(srcaddr), 1, 7))) THEN 'the instance is the actor'
            WHEN later_biggest >= $session_bytes THEN 'a session followed' ELSE 'the instance is the target' END
         AS basis
FROM followed
WHERE attempts >= $min_attempts AND bytes <= $max_bytes_per_attempt * attempts
  AND (flags IS NULL OR (flags & 5) > 0)),
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

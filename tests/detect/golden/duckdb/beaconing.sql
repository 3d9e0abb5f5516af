WITH outbound AS (
  SELECT srcaddr, dstaddr, dstport, protocol, requests, window_start FROM flow_windows
  WHERE requests > 0 AND (src_private OR array_contains($own_ipv6_prefixes, src_prefix)) AND NOT (dst_private OR array_contains($own_ipv6_prefixes, dst_prefix))
),
fleet AS (SELECT count(DISTINCT srcaddr) AS sources FROM outbound),
popular AS (
  SELECT dstaddr, dstport, protocol FROM outbound GROUP BY dstaddr, dstport, protocol
  HAVING count(DISTINCT srcaddr) >= $fleet_min_sources
     AND count(DISTINCT srcaddr) >= $fleet_share * (SELECT sources FROM fleet)
),
pair_windows AS (
  SELECT o.srcaddr, o.dstaddr, o.dstport, o.protocol, o.window_start, sum(o.requests) AS requests
  FROM outbound o
  LEFT JOIN popular p ON o.dstaddr = p.dstaddr AND o.dstport = p.dstport AND o.protocol = p.protocol
  WHERE p.dstaddr IS NULL
  GROUP BY o.srcaddr, o.dstaddr, o.dstport, o.protocol, o.window_start
),
candidates AS (
  SELECT srcaddr, dstaddr, dstport, protocol,
         row_number() OVER (ORDER BY srcaddr, dstaddr, dstport, protocol) AS pair
  FROM pair_windows
  GROUP BY srcaddr, dstaddr, dstport, protocol
  HAVING sum(requests) >= $min_connections AND count(window_start) >= $min_windows
),
connections AS (
  SELECT c.pair, min(f.start) AS t, max(f."end") AS t_end, sum(f.bytes) AS bytes, count(*) AS records
  FROM flows f
  JOIN candidates c ON f.srcaddr = c.srcaddr AND f.dstaddr = c.dstaddr AND f.dstport = c.dstport
                   AND f.protocol = c.protocol
  WHERE f.srcport > f.dstport AND f.start >= $since AND f.start < $until
  GROUP BY c.pair, f.srcport, f.start - f.start % $max_gap
),
gaps AS (
  SELECT connections.*, t - LAG(t) OVER (PARTITION BY pair ORDER BY t) AS gap
  FROM connections
),
episodes AS (
  SELECT pair, t AS episode, LEAD(t) OVER (PARTITION BY pair ORDER BY t) AS next_episode
  FROM gaps WHERE gap IS NULL OR gap > $max_gap
),
numbered AS (
  SELECT gaps.*, e.episode, CASE WHEN gap <= $max_gap THEN gap END AS interval
  FROM gaps JOIN episodes e ON gaps.pair = e.pair AND gaps.t >= e.episode
                           AND (e.next_episode IS NULL OR gaps.t < e.next_episode)
),
quartiles AS (
  SELECT pair, episode, count(*) AS n, min(t) AS first_seen, max(t_end) AS last_seen,
         CAST(sum(records) AS BIGINT) AS records,
         percentile_cont([0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY CAST(interval AS DOUBLE)) AS iq,
         percentile_cont([0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY CAST(bytes AS DOUBLE)) AS bq
  FROM numbered
  GROUP BY pair, episode
  HAVING count(*) >= $min_connections
),
spread AS (
  SELECT pair, episode, n, first_seen, last_seen, records, iq[1] AS i1, iq[2] AS i2, iq[3] AS i3,
         bq[1] AS b1, bq[2] AS b2, bq[3] AS b3
  FROM quartiles
),
scored AS (
  SELECT spread.*,
         ((1 - least(1.0, abs(CASE WHEN i3 - i1 > $min_spread * i2 THEN (i3 + i1 - 2 * i2) / (i3 - i1) ELSE 0 END)))
          + greatest(0.0, 1 - (i3 - i1) / greatest(i2, 1))) / 2 AS interval_score,
         ((1 - least(1.0, abs(CASE WHEN b3 - b1 > $min_spread * b2 THEN (b3 + b1 - 2 * b2) / (b3 - b1) ELSE 0 END)))
          + greatest(0.0, 1 - (b3 - b1) / greatest(b2, 1))) / 2 AS size_score
  FROM spread
)
SELECT c.srcaddr AS src, c.dstaddr AS dst, c.dstport AS dst_port, c.protocol, first_seen, last_seen, records,
       (interval_score + size_score) / 2 AS metric, 'medium' AS severity, 'behaviour' AS basis
FROM scored JOIN candidates c ON scored.pair = c.pair
WHERE (interval_score + size_score) / 2 >= $min_score AND interval_score >= $min_interval_score
  AND i2 >= $min_interval
ORDER BY first_seen, src, dst

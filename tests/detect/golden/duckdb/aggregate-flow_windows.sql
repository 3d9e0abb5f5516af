WITH w AS (
  SELECT srcaddr, dstaddr, CASE WHEN srcport < dstport THEN NULL ELSE dstport END AS dstport, protocol, action,
         start - start % $window AS window_start,
         count(*) AS records,
         CAST(sum(packets) AS BIGINT) AS packets,
         CAST(sum(bytes) AS BIGINT) AS bytes,
         min(start) AS first_start,
         max("end") AS last_end,
         count(*) FILTER (WHERE srcport > dstport) AS requests,
         CAST(coalesce(sum(packets) FILTER (WHERE srcport > dstport), 0) AS BIGINT) AS request_packets,
         count(*) FILTER (WHERE srcport > dstport AND packets <= 2 AND bytes <= 100 * packets) AS probes
  FROM flows
  WHERE srcaddr IS NOT NULL AND start >= $since AND start < $until
    AND interface_id NOT IN (SELECT interface_id FROM enrich_interfaces WHERE resource_type = 'nat_gateway')
  GROUP BY srcaddr, dstaddr, CASE WHEN srcport < dstport THEN NULL ELSE dstport END, protocol, action, start - start % $window
)
SELECT w.*, (srcaddr LIKE '10.%' OR srcaddr LIKE '192.168.%' OR substr(srcaddr, 1, 7) IN ('172.16.', '172.17.', '172.18.', '172.19.', '172.20.', '172.21.', '172.22.', '172.23.', '172.24.', '172.25.', '172.26.', '172.27.', '172.28.', '172.29.', '172.30.', '172.31.') OR ((srcaddr ILIKE 'fc%' OR srcaddr ILIKE 'fd%') AND substr(srcaddr, 5, 1) = ':')) AS src_private, (dstaddr LIKE '10.%' OR dstaddr LIKE '192.168.%' OR substr(dstaddr, 1, 7) IN ('172.16.', '172.17.', '172.18.', '172.19.', '172.20.', '172.21.', '172.22.', '172.23.', '172.24.', '172.25.', '172.26.', '172.27.', '172.28.', '172.29.', '172.30.', '172.31.') OR ((dstaddr ILIKE 'fc%' OR dstaddr ILIKE 'fd%') AND substr(dstaddr, 5, 1) = ':')) AS dst_private,
       substr(lower(srcaddr), 1, 7) AS src_prefix, substr(lower(dstaddr), 1, 7) AS dst_prefix FROM w
ORDER BY src_private, dst_private, action

WITH w AS (
  SELECT interface_id, srcaddr, dstaddr, dstport, protocol, action,
         start - start % $window AS window_start,
         count(*) AS records,
         sum(packets) AS packets,
         sum(bytes) AS bytes,
         min(start) AS first_start,
         max("end") AS last_end,
         sum(CASE WHEN srcport > dstport THEN 1 ELSE 0 END) AS requests,
         sum(CASE WHEN srcport > dstport THEN packets ELSE 0 END) AS request_packets,
         sum(CASE WHEN srcport > dstport THEN bytes ELSE 0 END) AS request_bytes,
         sum(CASE WHEN srcport > dstport AND packets <= 2 AND bytes <= 100 * packets THEN 1 ELSE 0 END) AS probes,
         count(DISTINCT CASE WHEN srcport > dstport THEN srcport END) AS connections,
         bit_or(tcp_flags) AS tcp_flags
  FROM flows
  WHERE srcaddr IS NOT NULL AND start >= $since AND start < $until
    AND interface_id NOT IN (SELECT interface_id FROM enrich_interfaces WHERE resource_type = 'nat_gateway')
  GROUP BY interface_id, srcaddr, dstaddr, dstport, protocol, action, start - start % $window
)
SELECT w.*, (srcaddr LIKE '10.%' OR srcaddr LIKE '192.168.%' OR (srcaddr LIKE '172.%' AND CAST(split_part(srcaddr, '.', 2) AS INTEGER) BETWEEN 16 AND 31) OR lower(srcaddr) LIKE 'fc%' OR lower(srcaddr) LIKE 'fd%') AS src_private, (dstaddr LIKE '10.%' OR dstaddr LIKE '192.168.%' OR (dstaddr LIKE '172.%' AND CAST(split_part(dstaddr, '.', 2) AS INTEGER) BETWEEN 16 AND 31) OR lower(dstaddr) LIKE 'fc%' OR lower(dstaddr) LIKE 'fd%') AS dst_private FROM w

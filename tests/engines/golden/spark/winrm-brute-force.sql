WITH w AS (
  SELECT
    interface_id,
    srcaddr,
    dstaddr,
    dstport,
    protocol,
    action,
    start - start % :window AS window_start,
    COUNT(*) AS records,
    SUM(packets) AS packets,
    SUM(bytes) AS bytes,
    MIN(start) AS first_start,
    MAX(`end`) AS last_end,
    SUM(CASE WHEN srcport > dstport THEN 1 ELSE 0 END) AS requests,
    SUM(CASE WHEN srcport > dstport THEN packets ELSE 0 END) AS request_packets,
    SUM(CASE WHEN srcport > dstport THEN bytes ELSE 0 END) AS request_bytes,
    SUM(
      CASE
        WHEN srcport > dstport AND packets <= 2 AND bytes <= 100 * packets
        THEN 1
        ELSE 0
      END
    ) AS probes,
    COUNT(DISTINCT CASE WHEN srcport > dstport THEN srcport END) AS connections,
    BIT_OR(tcp_flags) AS tcp_flags
  FROM flows
  WHERE
    NOT srcaddr IS NULL
    AND start >= :since
    AND start < :until
    AND NOT interface_id IN (
      SELECT
        interface_id
      FROM enrich_interfaces
      WHERE
        resource_type = 'nat_gateway'
    )
  GROUP BY
    interface_id,
    srcaddr,
    dstaddr,
    dstport,
    protocol,
    action,
    start - start % :window
), flow_windows AS (
  SELECT
    w.*,
    (
      srcaddr LIKE '10.%'
      OR srcaddr LIKE '192.168.%'
      OR (
        srcaddr LIKE '172.%'
        AND CAST(SPLIT_PART(srcaddr, '.', 2) AS INT) BETWEEN 16 AND 31
      )
      OR LOWER(srcaddr) LIKE 'fc%'
      OR LOWER(srcaddr) LIKE 'fd%'
    ) AS src_private,
    (
      dstaddr LIKE '10.%'
      OR dstaddr LIKE '192.168.%'
      OR (
        dstaddr LIKE '172.%'
        AND CAST(SPLIT_PART(dstaddr, '.', 2) AS INT) BETWEEN 16 AND 31
      )
      OR LOWER(dstaddr) LIKE 'fc%'
      OR LOWER(dstaddr) LIKE 'fd%'
    ) AS dst_private
  FROM w
), hits AS (
  SELECT
    srcaddr AS src,
    dstaddr AS dst,
    dstport AS dst_port,
    protocol,
    MIN(first_start) AS first_seen,
    MAX(last_end) AS last_seen,
    SUM(records) AS records,
    SUM(connections) AS metric
  FROM flow_windows
  WHERE
    protocol = 6 AND ARRAY_CONTAINS(:ports, dstport) AND requests > 0
  GROUP BY
    srcaddr,
    dstaddr,
    dstport,
    protocol,
    window_start
  HAVING
    SUM(connections) >= :min_attempts
    AND SUM(request_bytes) <= :max_bytes_per_attempt * SUM(connections)
    AND (
      BIT_OR(tcp_flags) IS NULL OR (
        BIT_OR(tcp_flags) & 5
      ) > 0
    )
), marked AS (
  SELECT
    hits.*,
    CASE
      WHEN first_seen - LAG(last_seen) OVER (PARTITION BY src, dst, dst_port, protocol ORDER BY first_seen NULLS LAST) <= :gap
      THEN 0
      ELSE 1
    END AS new_episode
  FROM hits
), numbered AS (
  SELECT
    marked.*,
    SUM(new_episode) OVER (
      PARTITION BY src, dst, dst_port, protocol
      ORDER BY first_seen NULLS LAST
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS episode
  FROM marked
)
SELECT
  src,
  dst,
  dst_port,
  protocol,
  MIN(first_seen) AS first_seen,
  MAX(last_seen) AS last_seen,
  SUM(records) AS records,
  MAX(metric) AS metric
FROM numbered
GROUP BY
  src,
  dst,
  dst_port,
  protocol,
  episode
ORDER BY
  first_seen NULLS LAST,
  src NULLS LAST,
  dst NULLS LAST

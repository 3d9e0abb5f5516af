WITH hits AS (
  WITH per_connection AS (
    SELECT
      srcaddr,
      dstaddr,
      dstport,
      protocol,
      start - start % :window AS window_start,
      srcport,
      MIN(start) AS first_seen,
      MAX("end") AS last_seen,
      COUNT(*) AS records,
      SUM(bytes) AS bytes,
      MAX(bytes) AS biggest,
      BITWISE_OR_AGG(tcp_flags) AS flags
    FROM flows
    WHERE
      protocol = 6
      AND CONTAINS(:ports, dstport)
      AND srcport > dstport
      AND NOT srcaddr IS NULL
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
      srcaddr,
      dstaddr,
      dstport,
      protocol,
      start - start % :window,
      srcport
  ), per_window AS (
    SELECT
      srcaddr,
      dstaddr,
      dstport,
      protocol,
      window_start,
      MIN(first_seen) AS first_seen,
      MAX(last_seen) AS last_seen,
      CAST(SUM(records) AS BIGINT) AS records,
      COUNT(*) AS attempts,
      SUM(bytes) AS bytes,
      MAX(biggest) AS biggest,
      BITWISE_OR_AGG(flags) AS flags
    FROM per_connection
    GROUP BY
      srcaddr,
      dstaddr,
      dstport,
      protocol,
      window_start
  ), followed AS (
    SELECT
      per_window.*,
      MAX(biggest) OVER (
        PARTITION BY srcaddr, dstaddr, dstport
        ORDER BY window_start
        RANGE BETWEEN CURRENT ROW AND :gap FOLLOWING
      ) AS later_biggest
    FROM per_window
  )
  SELECT
    srcaddr AS src,
    dstaddr AS dst,
    dstport AS dst_port,
    protocol,
    first_seen,
    last_seen,
    records,
    attempts AS metric,
    CASE
      WHEN (
        (
          srcaddr LIKE '10.%'
          OR srcaddr LIKE '192.168.%'
          OR SUBSTR(srcaddr, 1, 7) IN (
            '172.16.',
            '172.17.',
            '172.18.',
            '172.19.',
            '172.20.',
            '172.21.',
            '172.22.',
            '172.23.',
            '172.24.',
            '172.25.',
            '172.26.',
            '172.27.',
            '172.28.',
            '172.29.',
            '172.30.',
            '172.31.'
          )
          OR (
            (
              LOWER(srcaddr) LIKE LOWER('fc%') OR LOWER(srcaddr) LIKE LOWER('fd%')
            )
            AND SUBSTR(srcaddr, 5, 1) = ':'
          )
        )
        OR CONTAINS(:own_ipv6_prefixes, SUBSTR(LOWER(srcaddr), 1, 7))
      )
      OR later_biggest >= :session_bytes
      THEN 'high'
      ELSE 'low'
    END AS severity,
    CASE
      WHEN (
        (
          srcaddr LIKE '10.%'
          OR srcaddr LIKE '192.168.%'
          OR SUBSTR(srcaddr, 1, 7) IN (
            '172.16.',
            '172.17.',
            '172.18.',
            '172.19.',
            '172.20.',
            '172.21.',
            '172.22.',
            '172.23.',
            '172.24.',
            '172.25.',
            '172.26.',
            '172.27.',
            '172.28.',
            '172.29.',
            '172.30.',
            '172.31.'
          )
          OR (
            (
              LOWER(srcaddr) LIKE LOWER('fc%') OR LOWER(srcaddr) LIKE LOWER('fd%')
            )
            AND SUBSTR(srcaddr, 5, 1) = ':'
          )
        )
        OR CONTAINS(:own_ipv6_prefixes, SUBSTR(LOWER(srcaddr), 1, 7))
      )
      THEN 'the instance is the actor'
      WHEN later_biggest >= :session_bytes
      THEN 'a session followed'
      ELSE 'the instance is the target'
    END AS basis
  FROM followed
  WHERE
    attempts >= :min_attempts
    AND bytes <= :max_bytes_per_attempt * attempts
    AND (
      flags IS NULL OR (
        BITWISE_AND(flags, 5)
      ) > 0
    )
), marked AS (
  SELECT
    hits.*,
    CASE
      WHEN first_seen - LAG(last_seen) OVER (PARTITION BY src, dst, dst_port, protocol ORDER BY first_seen) <= :gap
      THEN 0
      ELSE 1
    END AS new_episode
  FROM hits
), numbered AS (
  SELECT
    marked.*,
    SUM(new_episode) OVER (
      PARTITION BY src, dst, dst_port, protocol
      ORDER BY first_seen
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
  MAX(metric) AS metric,
  CASE MAX(CASE severity WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END)
    WHEN 2
    THEN 'high'
    WHEN 1
    THEN 'medium'
    ELSE 'low'
  END AS severity,
  MAX(basis) AS basis
FROM numbered
GROUP BY
  src,
  dst,
  dst_port,
  protocol,
  episode
ORDER BY
  first_seen,
  src,
  dst

SELECT
  interface_id,
  COUNT(*) AS flows,
  CAST(SUM(bytes) AS BIGINT) AS bytes,
  COUNT(DISTINCT dstaddr) AS destinations,
  ROUND(CAST(COUNT(*) FILTER(WHERE
    action = 'REJECT') AS DOUBLE) / COUNT(*), 6) AS rejected_share
FROM flows
WHERE
  log_status = 'OK' AND "end" >= 0 AND start < 253402300800
GROUP BY
  interface_id
ORDER BY
  bytes DESC,
  interface_id
LIMIT 20

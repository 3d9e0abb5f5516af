SELECT
  interface_id,
  COUNT(*) AS flows,
  CAST(SUM(bytes) AS BIGINT) AS bytes,
  COUNT(DISTINCT dstaddr) AS destinations,
  ROUND(CAST(COUNT(*) FILTER(WHERE
    action = 'REJECT') AS DOUBLE) / COUNT(*), 6) AS rejected_share
FROM flows
WHERE
  log_status = 'OK' AND `end` >= :since AND start < :until
GROUP BY
  interface_id
ORDER BY
  bytes DESC,
  interface_id NULLS LAST
LIMIT :n

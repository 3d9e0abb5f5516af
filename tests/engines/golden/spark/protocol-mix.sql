SELECT
  protocol,
  action,
  COUNT(*) AS flows,
  CAST(SUM(packets) AS BIGINT) AS packets,
  CAST(SUM(bytes) AS BIGINT) AS bytes
FROM flows
WHERE
  log_status = 'OK' AND `end` >= :since AND start < :until
GROUP BY
  protocol,
  action
ORDER BY
  bytes DESC,
  protocol NULLS LAST,
  action NULLS LAST

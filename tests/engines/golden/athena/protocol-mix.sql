SELECT
  protocol,
  action,
  COUNT(*) AS flows,
  CAST(SUM(packets) AS BIGINT) AS packets,
  CAST(SUM(bytes) AS BIGINT) AS bytes
FROM flows
WHERE
  log_status = 'OK' AND "end" >= 0 AND start < 253402300800
GROUP BY
  protocol,
  action
ORDER BY
  bytes DESC,
  protocol,
  action

SELECT
  CAST(FLOOR(CAST(start AS DOUBLE) / 3600) AS BIGINT) * 3600 AS bucket_start,
  CAST(SUM(bytes) AS BIGINT) AS bytes,
  CAST(SUM(packets) AS BIGINT) AS packets,
  COUNT(*) AS flows,
  COUNT(*) FILTER(WHERE
    action = 'ACCEPT') AS accepted,
  COUNT(*) FILTER(WHERE
    action = 'REJECT') AS rejected
FROM flows
WHERE
  log_status = 'OK' AND "end" >= 0 AND start < 253402300800
GROUP BY
  CAST(FLOOR(CAST(start AS DOUBLE) / 3600) AS BIGINT) * 3600
ORDER BY
  bucket_start

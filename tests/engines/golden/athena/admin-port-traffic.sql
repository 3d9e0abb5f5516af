SELECT
  srcaddr,
  dstport,
  action,
  COUNT(*) AS flows,
  CAST(SUM(bytes) AS BIGINT) AS bytes
FROM flows
WHERE
  log_status = 'OK' AND dstport IN (22, 3389) AND "end" >= 0 AND start < 253402300800
GROUP BY
  srcaddr,
  dstport,
  action
ORDER BY
  flows DESC,
  srcaddr,
  dstport,
  action
LIMIT 10

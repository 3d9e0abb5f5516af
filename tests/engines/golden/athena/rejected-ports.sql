SELECT
  dstport,
  protocol,
  COUNT(*) AS flows,
  COUNT(DISTINCT srcaddr) AS sources,
  CAST(SUM(packets) AS BIGINT) AS packets
FROM flows
WHERE
  action = 'REJECT' AND log_status = 'OK' AND "end" >= 0 AND start < 253402300800
GROUP BY
  dstport,
  protocol
ORDER BY
  flows DESC,
  dstport,
  protocol
LIMIT 20

SELECT
  dstport,
  protocol,
  COUNT(*) AS flows,
  COUNT(DISTINCT srcaddr) AS sources,
  CAST(SUM(packets) AS BIGINT) AS packets
FROM flows
WHERE
  action = 'REJECT' AND log_status = 'OK' AND `end` >= :since AND start < :until
GROUP BY
  dstport,
  protocol
ORDER BY
  flows DESC,
  dstport NULLS LAST,
  protocol NULLS LAST
LIMIT :n

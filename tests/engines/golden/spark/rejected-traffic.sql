SELECT
  srcaddr,
  dstaddr,
  dstport,
  protocol,
  COUNT(*) AS flows,
  CAST(SUM(packets) AS BIGINT) AS packets,
  CAST(SUM(bytes) AS BIGINT) AS bytes,
  MIN(start) AS first_start,
  MAX(`end`) AS last_end
FROM flows
WHERE
  action = 'REJECT' AND log_status = 'OK' AND `end` >= :since AND start < :until
GROUP BY
  srcaddr,
  dstaddr,
  dstport,
  protocol
ORDER BY
  flows DESC,
  packets DESC,
  srcaddr NULLS LAST,
  dstaddr NULLS LAST,
  dstport NULLS LAST,
  protocol NULLS LAST
LIMIT :n

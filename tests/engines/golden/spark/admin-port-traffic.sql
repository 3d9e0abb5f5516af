SELECT
  srcaddr,
  dstport,
  action,
  COUNT(*) AS flows,
  CAST(SUM(bytes) AS BIGINT) AS bytes
FROM flows
WHERE
  log_status = 'OK'
  AND dstport IN (:port_a, :port_b)
  AND `end` >= :since
  AND start < :until
GROUP BY
  srcaddr,
  dstport,
  action
ORDER BY
  flows DESC,
  srcaddr NULLS LAST,
  dstport NULLS LAST,
  action NULLS LAST
LIMIT :n

SELECT
  CAST(FLOOR(start / :bucket) AS BIGINT) * :bucket AS bucket_start,
  CAST(SUM(bytes) AS BIGINT) AS bytes,
  CAST(SUM(packets) AS BIGINT) AS packets,
  COUNT(*) AS flows,
  COUNT(*) FILTER(WHERE
    action = 'ACCEPT') AS accepted,
  COUNT(*) FILTER(WHERE
    action = 'REJECT') AS rejected
FROM flows
WHERE
  log_status = 'OK' AND `end` >= :since AND start < :until
GROUP BY
  CAST(FLOOR(start / :bucket) AS BIGINT) * :bucket
ORDER BY
  bucket_start NULLS LAST

SELECT
  interface_id,
  log_status,
  COUNT(*) AS records,
  MIN(start) AS first_start,
  MAX(`end`) AS last_end
FROM flows
WHERE
  `end` >= :since AND start < :until
GROUP BY
  interface_id,
  log_status
ORDER BY
  interface_id NULLS LAST,
  log_status NULLS LAST

SELECT
  interface_id,
  log_status,
  COUNT(*) AS records,
  MIN(start) AS first_start,
  MAX("end") AS last_end
FROM flows
WHERE
  "end" >= 0 AND start < 253402300800
GROUP BY
  interface_id,
  log_status
ORDER BY
  interface_id,
  log_status

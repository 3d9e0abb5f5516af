SELECT
  *
FROM (
  SELECT
    "vpc_id",
    CAST(SUM(bytes) AS BIGINT) AS bytes,
    CAST(SUM(packets) AS BIGINT) AS packets,
    COUNT(*) AS flows
  FROM flows
  WHERE
    log_status = 'OK'
    AND "end" >= 0
    AND start < 253402300800
    AND (
      'ANY' = 'ANY' OR action = 'ANY'
    )
    AND NOT "vpc_id" IS NULL
  GROUP BY
    "vpc_id"
) AS grouped
ORDER BY
  CASE 'bytes' WHEN 'packets' THEN packets WHEN 'flows' THEN flows ELSE bytes END DESC,
  "vpc_id"
LIMIT 10

SELECT
  *
FROM (
  SELECT
    "srcaddr",
    "dstaddr",
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
    AND NOT "srcaddr" IS NULL
    AND NOT "dstaddr" IS NULL
  GROUP BY
    "srcaddr",
    "dstaddr"
) AS grouped
ORDER BY
  CASE 'bytes' WHEN 'packets' THEN packets WHEN 'flows' THEN flows ELSE bytes END DESC,
  "srcaddr",
  "dstaddr"
LIMIT 10

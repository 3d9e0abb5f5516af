SELECT
  *
FROM (
  SELECT
    `action`,
    CAST(SUM(bytes) AS BIGINT) AS bytes,
    CAST(SUM(packets) AS BIGINT) AS packets,
    COUNT(*) AS flows
  FROM flows
  WHERE
    log_status = 'OK'
    AND `end` >= :since
    AND start < :until
    AND (
      :action = 'ANY' OR action = :action
    )
    AND NOT `action` IS NULL
  GROUP BY
    `action`
) AS grouped
ORDER BY
  CASE :metric WHEN 'packets' THEN packets WHEN 'flows' THEN flows ELSE bytes END DESC,
  `action` NULLS LAST
LIMIT :n

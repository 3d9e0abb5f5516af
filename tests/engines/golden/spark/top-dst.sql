SELECT
  *
FROM (
  SELECT
    `dstaddr`,
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
    AND NOT `dstaddr` IS NULL
  GROUP BY
    `dstaddr`
) AS grouped
ORDER BY
  CASE :metric WHEN 'packets' THEN packets WHEN 'flows' THEN flows ELSE bytes END DESC,
  `dstaddr` NULLS LAST
LIMIT :n

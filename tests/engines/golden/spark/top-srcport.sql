SELECT
  *
FROM (
  SELECT
    `srcport`,
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
    AND NOT `srcport` IS NULL
  GROUP BY
    `srcport`
) AS grouped
ORDER BY
  CASE :metric WHEN 'packets' THEN packets WHEN 'flows' THEN flows ELSE bytes END DESC,
  `srcport` NULLS LAST
LIMIT :n

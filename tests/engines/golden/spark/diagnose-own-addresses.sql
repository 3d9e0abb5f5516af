SELECT
  interface_id,
  address,
  COUNT(*) AS n
FROM (
  SELECT
    interface_id,
    srcaddr AS address
  FROM flows
  WHERE
    ARRAY_CONTAINS(:interfaces, interface_id)
  UNION ALL
  SELECT
    interface_id,
    dstaddr AS address
  FROM flows
  WHERE
    ARRAY_CONTAINS(:interfaces, interface_id)
) AS a
WHERE
  NOT address IS NULL
GROUP BY
  interface_id,
  address
ORDER BY
  interface_id NULLS LAST,
  address NULLS LAST

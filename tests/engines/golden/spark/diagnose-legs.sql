WITH legs AS (
  SELECT
    interface_id,
    srcaddr,
    dstaddr,
    srcport,
    dstport,
    protocol,
    action,
    COUNT(*) AS records,
    MIN(start) AS first_seen,
    MAX(`end`) AS last_seen,
    MAX(flow_direction) AS flow_direction,
    MAX(NULLIF(reject_reason, '-')) AS reject_reason
  FROM flows
  WHERE
    NOT srcaddr IS NULL
    AND NOT action IS NULL
    AND (
      :src IS NULL OR srcaddr = :src OR dstaddr = :src
    )
    AND (
      :dst IS NULL OR srcaddr = :dst OR dstaddr = :dst
    )
    AND (
      :port IS NULL OR dstport = :port OR srcport = :port
    )
    AND `end` >= :since
    AND start < :until
  GROUP BY
    interface_id,
    srcaddr,
    dstaddr,
    srcport,
    dstport,
    protocol,
    action
), touched AS (
  SELECT DISTINCT
    interface_id,
    srcaddr,
    dstaddr,
    protocol
  FROM legs
  WHERE
    action = 'REJECT' OR :all
)
SELECT
  l.*,
  r.action AS reverse_action,
  r.records AS reverse_records,
  r.last_seen AS reverse_last_seen
FROM legs AS l
JOIN touched AS t
  ON t.interface_id = l.interface_id
  AND t.protocol = l.protocol
  AND (
    (
      t.srcaddr = l.srcaddr AND t.dstaddr = l.dstaddr
    )
    OR (
      t.srcaddr = l.dstaddr AND t.dstaddr = l.srcaddr
    )
  )
LEFT JOIN legs AS r
  ON r.interface_id = l.interface_id
  AND r.srcaddr = l.dstaddr
  AND r.dstaddr = l.srcaddr
  AND r.srcport = l.dstport
  AND r.dstport = l.srcport
  AND r.protocol = l.protocol
  AND r.first_seen <= l.last_seen + :slack
  AND r.last_seen >= l.first_seen - :slack
ORDER BY
  l.interface_id NULLS LAST,
  l.srcaddr NULLS LAST,
  l.dstaddr NULLS LAST,
  l.protocol NULLS LAST,
  l.srcport NULLS LAST,
  l.dstport NULLS LAST,
  l.action NULLS LAST,
  reverse_action NULLS LAST,
  reverse_last_seen NULLS LAST

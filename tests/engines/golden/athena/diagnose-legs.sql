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
    MAX("end") AS last_seen,
    MAX(flow_direction) AS flow_direction,
    MAX(NULLIF(reject_reason, '-')) AS reject_reason
  FROM flows
  WHERE
    NOT srcaddr IS NULL
    AND NOT action IS NULL
    AND (
      NULL IS NULL OR srcaddr = NULL OR dstaddr = NULL
    )
    AND (
      NULL IS NULL OR srcaddr = NULL OR dstaddr = NULL
    )
    AND (
      NULL IS NULL OR dstport = NULL OR srcport = NULL
    )
    AND "end" >= 0
    AND start < 4611686018427387904
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
    action = 'REJECT' OR FALSE
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
  AND r.first_seen <= l.last_seen + 120
  AND r.last_seen >= l.first_seen - 120
ORDER BY
  l.interface_id,
  l.srcaddr,
  l.dstaddr,
  l.protocol,
  l.srcport,
  l.dstport,
  l.action,
  reverse_action,
  reverse_last_seen

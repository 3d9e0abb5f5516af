WITH rules_interfaces AS (
  SELECT
    CAST(NULL AS VARCHAR) AS interface_id,
    CAST(NULL AS VARCHAR) AS address
  WHERE
    1 = 0
), legs AS (
  SELECT
    interface_id,
    srcaddr,
    dstaddr,
    srcport,
    dstport,
    protocol,
    action,
    COALESCE(NULLIF(reject_reason, '-'), '') AS reject_reason,
    COUNT(*) AS flows,
    CAST(SUM(bytes) AS BIGINT) AS bytes,
    MIN(start) AS first_seen,
    MAX("end") AS last_seen,
    BITWISE_OR_AGG(COALESCE(tcp_flags, 0)) AS tcp_flags,
    MAX(flow_direction) AS flow_direction,
    MAX(NULLIF(pkt_src_aws_service, '-')) AS src_service,
    MAX(NULLIF(pkt_dst_aws_service, '-')) AS dst_service,
    MIN(COALESCE(encryption_status, -1)) AS encryption_status
  FROM flows
  WHERE
    "end" >= 0
    AND start < 253402300800
    AND NOT action IS NULL
    AND NOT srcaddr IS NULL
    AND NOT dstaddr IS NULL
    AND NOT interface_id IS NULL
  GROUP BY
    interface_id,
    srcaddr,
    dstaddr,
    srcport,
    dstport,
    protocol,
    action,
    COALESCE(NULLIF(reject_reason, '-'), '')
), directed AS (
  SELECT
    l.*,
    CASE
      WHEN l.flow_direction IN ('ingress', 'egress')
      THEN l.flow_direction = 'ingress'
      WHEN NOT d.address IS NULL
      THEN TRUE
      WHEN NOT s.address IS NULL
      THEN FALSE
    END AS inbound
  FROM legs AS l
  LEFT JOIN rules_interfaces AS d
    ON d.interface_id = l.interface_id AND d.address = l.dstaddr
  LEFT JOIN rules_interfaces AS s
    ON s.interface_id = l.interface_id AND s.address = l.srcaddr
), opened AS (
  SELECT
    interface_id,
    srcaddr,
    dstaddr,
    protocol,
    MIN(first_seen) AS first_seen
  FROM directed
  WHERE
    srcport = dstport
  GROUP BY
    interface_id,
    srcaddr,
    dstaddr,
    protocol
), classified AS (
  SELECT
    l.*,
    CASE
      WHEN l.protocol = 6 AND (
        BITWISE_AND(l.tcp_flags, 16)
      ) <> 0
      THEN TRUE
      WHEN l.protocol = 6 AND (
        BITWISE_AND(l.tcp_flags, 2)
      ) <> 0
      THEN FALSE
      WHEN l.srcport <> l.dstport
      THEN l.srcport < l.dstport
      WHEN o.first_seen < l.first_seen
      THEN TRUE
      WHEN o.first_seen = l.first_seen
      THEN NULL
      ELSE FALSE
    END AS reply
  FROM directed AS l
  LEFT JOIN opened AS o
    ON l.srcport = l.dstport
    AND o.interface_id = l.interface_id
    AND o.srcaddr = l.dstaddr
    AND o.dstaddr = l.srcaddr
    AND o.protocol = l.protocol
)
SELECT
  interface_id,
  inbound,
  reply,
  CASE WHEN inbound THEN srcaddr ELSE dstaddr END AS peer,
  CASE WHEN inbound THEN dstaddr ELSE srcaddr END AS address,
  protocol,
  dstport AS port,
  CASE WHEN reply THEN srcport ELSE dstport END AS service_port,
  action,
  reject_reason,
  CASE WHEN inbound THEN src_service ELSE dst_service END AS service,
  encryption_status,
  CAST(SUM(flows) AS BIGINT) AS flows,
  CAST(SUM(bytes) AS BIGINT) AS bytes,
  MIN(first_seen) AS first_seen,
  MAX(last_seen) AS last_seen
FROM classified
GROUP BY
  interface_id,
  inbound,
  reply,
  srcaddr,
  dstaddr,
  protocol,
  dstport,
  CASE WHEN reply THEN srcport ELSE dstport END,
  action,
  reject_reason,
  CASE WHEN inbound THEN src_service ELSE dst_service END,
  encryption_status
ORDER BY
  interface_id,
  inbound,
  reply,
  peer,
  address,
  protocol,
  port,
  service_port,
  action,
  reject_reason,
  service,
  encryption_status

WITH rules_port_ranges AS (
  SELECT
    CAST(NULL AS VARCHAR) AS interface_id,
    CAST(NULL AS INTEGER) AS low,
    CAST(NULL AS INTEGER) AS high
  WHERE
    1 = 0
), rules_interfaces AS (
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
    CASE reject_reason WHEN 'BPA' THEN 1 WHEN 'EC' THEN 2 ELSE 0 END AS rejected_by,
    CASE flow_direction WHEN 'ingress' THEN TRUE WHEN 'egress' THEN FALSE END AS ingress,
    pkt_src_aws_service,
    pkt_dst_aws_service,
    COUNT(*) AS flows,
    SUM(bytes) AS bytes,
    MIN(start) AS first_seen,
    MAX("end") AS last_seen,
    COALESCE(BITWISE_OR_AGG(tcp_flags), 0) AS tcp_flags,
    COALESCE(MIN(encryption_status), -1) AS encryption_status
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
    CASE reject_reason WHEN 'BPA' THEN 1 WHEN 'EC' THEN 2 ELSE 0 END,
    CASE flow_direction WHEN 'ingress' THEN TRUE WHEN 'egress' THEN FALSE END,
    pkt_src_aws_service,
    pkt_dst_aws_service
), flagged AS (
  SELECT
    *,
    CASE
      WHEN protocol = 6 AND (
        BITWISE_AND(tcp_flags, 16)
      ) <> 0
      THEN TRUE
      WHEN protocol = 6 AND (
        BITWISE_AND(tcp_flags, 2)
      ) <> 0
      THEN FALSE
      WHEN srcport <> dstport
      THEN srcport < dstport
    END AS known_reply
  FROM legs
), bucketed AS (
  SELECT
    f.*,
    CASE WHEN f.known_reply AND NOT r.low IS NULL THEN r.low ELSE f.dstport END AS port,
    CASE WHEN f.known_reply THEN f.srcport ELSE f.dstport END AS service_port
  FROM flagged AS f
  LEFT JOIN rules_port_ranges AS r
    ON f.known_reply
    AND r.interface_id = f.interface_id
    AND f.dstport >= r.low
    AND f.dstport <= r.high
), conversations AS (
  SELECT
    interface_id,
    srcaddr,
    dstaddr,
    protocol,
    port,
    service_port,
    known_reply,
    srcport = dstport AS equal_ports,
    action,
    rejected_by,
    ingress,
    NULLIF(pkt_src_aws_service, '-') AS src_service,
    NULLIF(pkt_dst_aws_service, '-') AS dst_service,
    encryption_status,
    CAST(SUM(flows) AS BIGINT) AS flows,
    CAST(SUM(bytes) AS BIGINT) AS bytes,
    MIN(first_seen) AS first_seen,
    MAX(last_seen) AS last_seen
  FROM bucketed
  GROUP BY
    interface_id,
    srcaddr,
    dstaddr,
    protocol,
    port,
    service_port,
    known_reply,
    srcport = dstport,
    action,
    rejected_by,
    ingress,
    NULLIF(pkt_src_aws_service, '-'),
    NULLIF(pkt_dst_aws_service, '-'),
    encryption_status
), opened AS (
  SELECT
    interface_id,
    srcaddr,
    dstaddr,
    protocol,
    MIN(first_seen) AS first_seen
  FROM conversations
  WHERE
    equal_ports
  GROUP BY
    interface_id,
    srcaddr,
    dstaddr,
    protocol
), classified AS (
  SELECT
    c.*,
    CASE
      WHEN NOT c.ingress IS NULL
      THEN c.ingress
      WHEN NOT d.address IS NULL
      THEN TRUE
      WHEN NOT s.address IS NULL
      THEN FALSE
    END AS inbound,
    CASE
      WHEN NOT c.known_reply IS NULL
      THEN c.known_reply
      WHEN o.first_seen < c.first_seen
      THEN TRUE
      WHEN o.first_seen = c.first_seen
      THEN NULL
      ELSE FALSE
    END AS reply
  FROM conversations AS c
  LEFT JOIN rules_interfaces AS d
    ON d.interface_id = c.interface_id AND d.address = c.dstaddr
  LEFT JOIN rules_interfaces AS s
    ON s.interface_id = c.interface_id AND s.address = c.srcaddr
  LEFT JOIN opened AS o
    ON c.known_reply IS NULL
    AND o.interface_id = c.interface_id
    AND o.srcaddr = c.dstaddr
    AND o.dstaddr = c.srcaddr
    AND o.protocol = c.protocol
)
SELECT
  interface_id,
  inbound,
  reply,
  CASE WHEN inbound THEN srcaddr ELSE dstaddr END AS peer,
  CASE WHEN inbound THEN dstaddr ELSE srcaddr END AS address,
  protocol,
  port,
  service_port,
  action,
  CASE rejected_by WHEN 1 THEN 'BPA' WHEN 2 THEN 'EC' ELSE '' END AS reject_reason,
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
  port,
  service_port,
  action,
  rejected_by,
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

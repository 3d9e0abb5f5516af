WITH network_ranges AS (
  SELECT
    CAST(NULL AS BIGINT) AS low,
    CAST(NULL AS BIGINT) AS high,
    CAST(NULL AS VARCHAR) AS cidr,
    CAST(NULL AS VARCHAR) AS kind,
    CAST(NULL AS VARCHAR) AS az_id,
    CAST(NULL AS VARCHAR) AS vpc_id,
    CAST(NULL AS VARCHAR) AS region,
    CAST(NULL AS VARCHAR) AS service,
    CAST(NULL AS VARCHAR) AS source
  WHERE
    1 = 0
), network_addresses AS (
  SELECT
    CAST(NULL AS VARCHAR) AS address,
    CAST(NULL AS VARCHAR) AS interface_id,
    CAST(NULL AS VARCHAR) AS interface_type,
    CAST(NULL AS VARCHAR) AS az_id,
    CAST(NULL AS VARCHAR) AS vpc_id,
    CAST(NULL AS VARCHAR) AS subnet_id,
    CAST(NULL AS VARCHAR) AS instance_id,
    CAST(NULL AS VARCHAR) AS region,
    CAST(NULL AS VARCHAR) AS internet_route,
    CAST(NULL AS VARCHAR) AS nat_az_id,
    CAST(NULL AS VARCHAR) AS tag,
    CAST(NULL AS VARCHAR) AS source
  WHERE
    1 = 0
), cost_interfaces AS (
  SELECT
    interface_id,
    ARBITRARY(az_id) AS az_id,
    ARBITRARY(vpc_id) AS vpc_id,
    ARBITRARY(subnet_id) AS subnet_id,
    MAX(instance_id) AS instance_id,
    ARBITRARY(interface_type) AS interface_type,
    ARBITRARY(region) AS region,
    MAX(instance_tag) AS instance_tag
  FROM flows
  WHERE
    log_status = 'OK' AND "end" >= 0 AND start < 253402300800
  GROUP BY
    interface_id
), cost_legs AS (
  SELECT
    interface_id,
    srcaddr,
    dstaddr,
    action,
    pkt_srcaddr,
    pkt_dstaddr,
    flow_direction,
    pkt_src_aws_service,
    pkt_dst_aws_service,
    CASE
      WHEN FALSE
      THEN YEAR(FROM_UNIXTIME(CAST(start * 1000000 AS DOUBLE) / POW(10, 6))) * 100 + MONTH(FROM_UNIXTIME(CAST(start * 1000000 AS DOUBLE) / POW(10, 6)))
    END AS month,
    CASE
      WHEN pkt_dstaddr <> dstaddr
      THEN pkt_dstaddr
      WHEN pkt_srcaddr <> srcaddr
      THEN pkt_srcaddr
    END AS far,
    MAX(traffic_path) AS traffic_path,
    MAX(next_hop_az_id) AS next_hop_az_id,
    MAX(next_hop_vpc_id) AS next_hop_vpc_id,
    MAX(next_hop_interface_type) AS next_hop_interface_type,
    CAST(SUM(bytes) AS BIGINT) AS bytes,
    CAST(COUNT(*) AS BIGINT) AS records
  FROM flows
  WHERE
    log_status = 'OK' AND "end" >= 0 AND start < 253402300800
  GROUP BY
    interface_id,
    srcaddr,
    dstaddr,
    action,
    pkt_srcaddr,
    pkt_dstaddr,
    flow_direction,
    pkt_src_aws_service,
    pkt_dst_aws_service,
    CASE
      WHEN FALSE
      THEN YEAR(FROM_UNIXTIME(CAST(start * 1000000 AS DOUBLE) / POW(10, 6))) * 100 + MONTH(FROM_UNIXTIME(CAST(start * 1000000 AS DOUBLE) / POW(10, 6)))
    END
), legs AS (
  SELECT
    *
  FROM cost_legs
), fields AS (
  SELECT
    *
  FROM cost_interfaces
), occurrences AS (
  SELECT
    interface_id,
    address,
    SUM(records) AS n
  FROM (
    SELECT
      interface_id,
      srcaddr AS address,
      records
    FROM legs
    WHERE
      CASE flow_direction WHEN 'egress' THEN srcaddr WHEN 'ingress' THEN dstaddr END IS NULL
    UNION ALL
    SELECT
      interface_id,
      dstaddr AS address,
      records
    FROM legs
    WHERE
      CASE flow_direction WHEN 'egress' THEN srcaddr WHEN 'ingress' THEN dstaddr END IS NULL
  ) AS a
  GROUP BY
    interface_id,
    address
), usual AS (
  SELECT
    o.interface_id,
    MAX(o.address) AS address,
    COUNT(*) AS candidates
  FROM occurrences AS o
  JOIN (
    SELECT
      interface_id,
      SUM(n) AS total
    FROM occurrences
    GROUP BY
      interface_id
  ) AS t
    ON t.interface_id = o.interface_id
  WHERE
    o.n * 2 = t.total
  GROUP BY
    o.interface_id
), learned AS (
  SELECT
    g.interface_id,
    g.address,
    f.az_id,
    f.vpc_id,
    f.subnet_id,
    f.instance_id,
    f.region,
    f.instance_tag AS tag,
    COALESCE(
      f.interface_type,
      CASE
        WHEN f.instance_id IS NULL AND g.translates
        THEN 'nat_gateway'
        WHEN f.instance_id IS NULL AND g.relays
        THEN 'transit_gateway'
      END
    ) AS interface_type /* no instance and pkt-* naming a far end: a NAT gateway (to the internet) or a transit gateway attachment */
  FROM (
    SELECT
      interface_id,
      MAX(CASE flow_direction WHEN 'egress' THEN srcaddr WHEN 'ingress' THEN dstaddr END) AS address,
      BOOL_OR(
        CAST(NOT far IS NULL
        AND NOT (
          far LIKE '10.%'
          OR far LIKE '192.168.%'
          OR SUBSTR(far, 1, 7) IN (
            '172.16.',
            '172.17.',
            '172.18.',
            '172.19.',
            '172.20.',
            '172.21.',
            '172.22.',
            '172.23.',
            '172.24.',
            '172.25.',
            '172.26.',
            '172.27.',
            '172.28.',
            '172.29.',
            '172.30.',
            '172.31.'
          )
          OR (
            (
              LOWER(far) LIKE LOWER('fc%') OR LOWER(far) LIKE LOWER('fd%')
            )
            AND SUBSTR(far, 5, 1) = ':'
          )
        ) AS BOOLEAN)
      ) AS translates,
      BOOL_OR(
        CAST(NOT far IS NULL
        AND (
          far LIKE '10.%'
          OR far LIKE '192.168.%'
          OR SUBSTR(far, 1, 7) IN (
            '172.16.',
            '172.17.',
            '172.18.',
            '172.19.',
            '172.20.',
            '172.21.',
            '172.22.',
            '172.23.',
            '172.24.',
            '172.25.',
            '172.26.',
            '172.27.',
            '172.28.',
            '172.29.',
            '172.30.',
            '172.31.'
          )
          OR (
            (
              LOWER(far) LIKE LOWER('fc%') OR LOWER(far) LIKE LOWER('fd%')
            )
            AND SUBSTR(far, 5, 1) = ':'
          )
        ) AS BOOLEAN)
      ) AS relays
    FROM legs
    GROUP BY
      interface_id
  ) AS g
  JOIN fields AS f
    ON f.interface_id = g.interface_id
), known AS (
  SELECT
    interface_id,
    MAX(address) AS address,
    MAX(az_id) AS az_id,
    MAX(vpc_id) AS vpc_id,
    MAX(subnet_id) AS subnet_id,
    MAX(instance_id) AS instance_id,
    MAX(interface_type) AS interface_type,
    MAX(region) AS region,
    MAX(internet_route) AS internet_route,
    MAX(nat_az_id) AS nat_az_id,
    MAX(tag) AS tag
  FROM network_addresses
  WHERE
    NOT interface_id IS NULL AND address NOT LIKE '%:%'
  GROUP BY
    interface_id
), own AS (
  SELECT
    l.interface_id,
    COALESCE(l.address, k.address, CASE WHEN u.candidates = 1 THEN u.address END) AS address, /* its own address: from flow-direction, else the topology, else the one address in all its records */ /* (two such, as with a single peer, leave it unknown) */
    COALESCE(l.az_id, k.az_id) AS az_id,
    COALESCE(l.vpc_id, k.vpc_id) AS vpc_id,
    COALESCE(l.subnet_id, k.subnet_id) AS subnet_id,
    COALESCE(l.instance_id, k.instance_id) AS instance_id,
    COALESCE(k.interface_type, l.interface_type) AS interface_type,
    COALESCE(l.region, k.region) AS region,
    COALESCE(l.tag, k.tag) AS tag,
    k.internet_route,
    k.nat_az_id
  FROM learned AS l
  LEFT JOIN known AS k
    ON k.interface_id = l.interface_id
  LEFT JOIN usual AS u
    ON u.interface_id = l.interface_id
), addresses AS (
  SELECT
    address,
    MAX(az_id) AS az_id,
    MAX(vpc_id) AS vpc_id,
    MAX(interface_type) AS interface_type,
    BOOL_OR(CAST(logged AS BOOLEAN)) AS logged
  FROM (
    SELECT
      address,
      az_id,
      vpc_id,
      interface_type,
      TRUE AS logged
    FROM own
    WHERE
      NOT address IS NULL
    UNION ALL
    SELECT
      n.address,
      n.az_id,
      n.vpc_id,
      n.interface_type,
      FALSE AS logged
    FROM network_addresses AS n
    UNION ALL
    SELECT DISTINCT
      l.far,
      NULL,
      NULL,
      'transit_gateway',
      FALSE
    FROM legs AS l
    JOIN own AS o
      ON o.interface_id = l.interface_id
    WHERE
      o.interface_type = 'transit_gateway' AND NOT l.far IS NULL
  ) AS a
  GROUP BY
    address
), directed AS (
  SELECT
    l.*,
    o.address AS own_address,
    o.az_id AS own_az,
    o.vpc_id AS own_vpc,
    o.subnet_id AS own_subnet,
    o.instance_id AS own_instance,
    o.interface_type AS own_type,
    o.region AS own_region,
    o.tag AS own_tag,
    o.internet_route,
    o.nat_az_id,
    COALESCE(
      l.flow_direction,
      CASE
        WHEN l.srcaddr = o.address
        THEN 'egress'
        WHEN l.dstaddr = o.address
        THEN 'ingress'
      END
    ) AS dir
  FROM legs AS l
  LEFT JOIN own AS o
    ON o.interface_id = l.interface_id
), ends AS (
  SELECT
    d.*,
    CASE dir WHEN 'egress' THEN dstaddr WHEN 'ingress' THEN srcaddr END AS peer,
    CASE
      WHEN own_type IN ('nat_gateway', 'regional_nat_gateway') AND NOT far IS NULL
      THEN far
      WHEN dir = 'egress'
      THEN dstaddr
      WHEN dir = 'ingress'
      THEN srcaddr
    END AS target, /* where a NAT gateway's record really goes: the internet end behind its own address */
    CASE dir
      WHEN 'egress'
      THEN pkt_dst_aws_service
      WHEN 'ingress'
      THEN pkt_src_aws_service
    END AS record_service
  FROM directed AS d
), outward AS (
  SELECT
    interface_id,
    peer,
    MAX(traffic_path) AS traffic_path
  FROM ends
  WHERE
    dir = 'egress'
  GROUP BY
    interface_id,
    peer
), nat_clients AS (
  SELECT
    peer AS client,
    MAX(own_az) AS nat_az
  FROM ends
  WHERE
    own_type IN ('nat_gateway', 'regional_nat_gateway')
  GROUP BY
    peer
), targets AS (
  SELECT DISTINCT
    target,
    own_vpc
  FROM ends
  WHERE
    NOT target IS NULL
), ranged AS (
  SELECT
    target,
    own_vpc,
    MAX_BY(kind, rank) AS kind,
    MAX_BY(az_id, rank) AS az_id,
    MAX_BY(vpc_id, rank) AS vpc_id,
    MAX_BY(region, rank) AS region,
    MAX_BY(service, rank) AS service
  FROM (
    SELECT
      t.target,
      t.own_vpc,
      r.kind,
      r.az_id,
      r.vpc_id,
      r.region,
      r.service,
      (
        r.low - r.high
      ) * 8 + CASE r.kind WHEN 'gateway-endpoint' THEN 2 WHEN 'aws-service' THEN 1 ELSE 3 END AS rank
    FROM targets AS t
    JOIN network_ranges AS r
      ON (
        CASE
          WHEN t.target LIKE '%.%.%.%' AND t.target NOT LIKE '%:%'
          THEN CAST(SPLIT_PART(t.target, '.', 1) AS BIGINT) * 16777216 + CAST(SPLIT_PART(t.target, '.', 2) AS BIGINT) * 65536 + CAST(SPLIT_PART(t.target, '.', 3) AS BIGINT) * 256 + CAST(SPLIT_PART(t.target, '.', 4) AS BIGINT)
        END
      ) BETWEEN r.low AND r.high
    WHERE
      r.kind <> 'gateway-endpoint' OR r.vpc_id = t.own_vpc
  ) AS m
  GROUP BY
    target,
    own_vpc
), placed AS (
  SELECT
    e.*,
    (
      e.target LIKE '10.%'
      OR e.target LIKE '192.168.%'
      OR SUBSTR(e.target, 1, 7) IN (
        '172.16.',
        '172.17.',
        '172.18.',
        '172.19.',
        '172.20.',
        '172.21.',
        '172.22.',
        '172.23.',
        '172.24.',
        '172.25.',
        '172.26.',
        '172.27.',
        '172.28.',
        '172.29.',
        '172.30.',
        '172.31.'
      )
      OR (
        (
          LOWER(e.target) LIKE LOWER('fc%') OR LOWER(e.target) LIKE LOWER('fd%')
        )
        AND SUBSTR(e.target, 5, 1) = ':'
      )
    ) AS target_private,
    COALESCE(e.traffic_path, CASE WHEN e.dir = 'ingress' THEN w.traffic_path END) AS route,
    p.az_id AS peer_known_az,
    COALESCE(e.next_hop_az_id, p.az_id, r.az_id) AS peer_az,
    COALESCE(e.next_hop_vpc_id, p.vpc_id, r.vpc_id) AS peer_vpc,
    p.interface_type AS peer_type,
    COALESCE(
      p.logged
      AND NOT COALESCE(p.interface_type, 'instance') IN (
        'nat_gateway',
        'regional_nat_gateway',
        'vpc_endpoint',
        'transit_gateway',
        'network_load_balancer'
      ),
      FALSE
    ) AS peer_bills,
    r.kind AS range_kind,
    r.region AS range_region,
    COALESCE(e.record_service, r.service) AS service,
    COALESCE(e.nat_az_id, c.nat_az) AS nat_az
  FROM ends AS e
  LEFT JOIN outward AS w
    ON w.interface_id = e.interface_id AND w.peer = e.peer
  LEFT JOIN addresses AS p
    ON p.address = e.peer
  LEFT JOIN ranged AS r
    ON r.target = e.target AND r.own_vpc IS NOT DISTINCT FROM e.own_vpc
  LEFT JOIN nat_clients AS c
    ON c.client = e.own_address
), pathed AS (
  SELECT
    x.*,
    CASE
      WHEN dir IS NULL
      THEN 'unknown'
      WHEN own_type IN ('nat_gateway', 'regional_nat_gateway')
      THEN 'nat-gateway'
      WHEN own_type = 'transit_gateway'
      THEN 'transit-gateway'
      WHEN own_type = 'vpc_endpoint'
      THEN 'interface-endpoint'
      WHEN NOT target_private
      THEN CASE
        WHEN route = 7 OR range_kind = 'gateway-endpoint'
        THEN 'gateway-endpoint'
        WHEN route = 5
        THEN 'inter-region'
        WHEN next_hop_interface_type = 'transit_gateway'
        THEN 'transit-gateway'
        WHEN route = 1 OR (
          route IS NULL AND internet_route = 'nat'
        )
        THEN 'nat-gateway'
        WHEN route IN (2, 8) OR (
          route IS NULL AND internet_route = 'igw'
        )
        THEN CASE
          WHEN NOT range_region IS NULL AND NOT range_region IN (own_region, 'GLOBAL')
          THEN 'inter-region'
          WHEN NOT service IS NULL
          THEN 'aws-service'
          WHEN dir = 'egress'
          THEN 'internet-egress'
          ELSE 'internet-ingress'
        END
        ELSE 'unknown'
      END
      WHEN route = 5
      OR (
        range_kind = 'vpc-peering'
        AND NOT range_region IS NULL
        AND range_region <> own_region
      )
      THEN 'inter-region'
      WHEN route = 4 OR range_kind = 'vpc-peering'
      THEN 'vpc-peering'
      WHEN range_kind = 'transit-gateway'
      OR next_hop_interface_type = 'transit_gateway'
      OR peer_type = 'transit_gateway'
      THEN 'transit-gateway'
      WHEN peer_type = 'vpc_endpoint' OR next_hop_interface_type = 'vpc_endpoint'
      THEN 'interface-endpoint'
      WHEN NOT peer_vpc IS NULL AND NOT own_vpc IS NULL AND peer_vpc <> own_vpc
      THEN 'vpc-peering'
      WHEN NOT own_az IS NULL AND NOT peer_az IS NULL
      THEN CASE WHEN own_az = peer_az THEN 'intra-az' ELSE 'inter-az' END
      ELSE 'unknown'
    END AS path
  FROM placed AS x
), classified AS (
  SELECT
    y.*,
    action = 'ACCEPT'
    AND CASE
      WHEN dir IS NULL
      THEN TRUE
      WHEN own_type IN ('nat_gateway', 'regional_nat_gateway')
      THEN (
        peer LIKE '10.%'
        OR peer LIKE '192.168.%'
        OR SUBSTR(peer, 1, 7) IN (
          '172.16.',
          '172.17.',
          '172.18.',
          '172.19.',
          '172.20.',
          '172.21.',
          '172.22.',
          '172.23.',
          '172.24.',
          '172.25.',
          '172.26.',
          '172.27.',
          '172.28.',
          '172.29.',
          '172.30.',
          '172.31.'
        )
        OR (
          (
            LOWER(peer) LIKE LOWER('fc%') OR LOWER(peer) LIKE LOWER('fd%')
          )
          AND SUBSTR(peer, 5, 1) = ':'
        )
      )
      AND NOT peer_bills
      WHEN own_type IN (
        'nat_gateway',
        'regional_nat_gateway',
        'vpc_endpoint',
        'transit_gateway',
        'network_load_balancer'
      )
      THEN NOT peer_bills
      ELSE dir = 'egress' OR NOT peer_bills
    END AS billed,
    COALESCE(
      CASE path
        WHEN 'inter-az'
        THEN TRUE
        WHEN 'nat-gateway'
        THEN CASE
          WHEN own_type IN ('nat_gateway', 'regional_nat_gateway')
          THEN own_az <> peer_known_az
          ELSE own_az <> COALESCE(next_hop_az_id, nat_az)
        END
        WHEN 'interface-endpoint'
        THEN own_az <> peer_az
        WHEN 'vpc-peering'
        THEN own_az <> peer_az
        ELSE FALSE
      END,
      FALSE
    ) AS cross_az,
    path = 'internet-egress'
    OR (
      path = 'nat-gateway'
      AND NOT target_private
      AND service IS NULL
      AND dir = CASE
        WHEN own_type IN ('nat_gateway', 'regional_nat_gateway')
        THEN 'ingress'
        ELSE 'egress'
      END
    ) AS to_internet
  FROM pathed AS y
)
SELECT
  CAST(own_vpc AS VARCHAR) AS "key",
  path,
  billed,
  action = 'ACCEPT' AS accepted,
  cross_az,
  to_internet,
  CASE WHEN service IN ('S3', 'DYNAMODB') THEN service END AS service,
  month,
  CAST(SUM(bytes) AS BIGINT) AS bytes,
  CAST(SUM(records) AS BIGINT) AS records
FROM classified
GROUP BY
  own_vpc,
  path,
  billed,
  action = 'ACCEPT',
  cross_az,
  to_internet,
  CASE WHEN service IN ('S3', 'DYNAMODB') THEN service END,
  month
ORDER BY
  bytes DESC,
  "key",
  path,
  billed,
  accepted,
  cross_az,
  to_internet,
  service,
  month

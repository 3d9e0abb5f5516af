"""A path for every record, as SQL over `flows`: where its bytes went, and whether this record is the one that
bills them.

What decides, first that applies: the record's own fields (flow-direction, traffic-path, az-id,
pkt-*-aws-service, v11 next-hop-* and interface-type); what the store learns from the records themselves (each
interface's own address, AZ and VPC, and whether it translates addresses like a NAT gateway); the side tables a
topology or the account fills (`network_addresses`, `network_ranges`); AWS's published IP ranges. What none of
them tells is `unknown`, never guessed.

Each byte is billed once: on the sender's egress record when the sender is a logged ordinary interface; else on
the receiver's ingress record; a NAT gateway's, endpoint's or transit gateway attachment's own records only when
the ordinary interface they serve is not logged (their copy is the same bytes again). Only ACCEPT records bill.

The work runs over `legs` (the records summed per interface and addresses), not over each record: the first
aggregation is the one pass over `flows`, everything after it reads a table thousands of times smaller.
"""

from __future__ import annotations

from ..engines.addresses import ipv4_number, private
from ..engines.queries import SideTable, side_table
from .legs import LEG_COLUMNS, LEG_KEYS, LEGS_RELATION, fields_sql, legs_sql

# The path vocabulary, declared once: docs/cost.md lists it (tests/cost/test_prices.py keeps them in step).
PATHS: dict[str, str] = {
    "intra-az": "between two addresses of the VPC in the same availability zone (free)",
    "inter-az": "between two addresses of the VPC in different availability zones",
    "inter-region": "to or from another region (inter-region peering, a service's endpoint in another region)",
    "vpc-peering": "to or from a peered VPC in the same region",
    "transit-gateway": "through a transit gateway attachment",
    "nat-gateway": "through a NAT gateway (to the internet or a public AWS endpoint)",
    "internet-egress": "out to the internet through the internet gateway",
    "internet-ingress": "in from the internet through the internet gateway",
    "gateway-endpoint": "to or from S3 or DynamoDB through a gateway VPC endpoint",
    "interface-endpoint": "to or from an interface VPC endpoint (PrivateLink)",
    "aws-service": "to or from a public AWS service endpoint in the region, through the internet gateway",
    "unknown": "what the records, the store and the topology cannot place: counted and said, never guessed",
}

NAT_TYPES = "('nat_gateway', 'regional_nat_gateway')"
MANAGED_TYPES = "('nat_gateway', 'regional_nat_gateway', 'vpc_endpoint', 'transit_gateway', 'network_load_balancer')"

NETWORK_ADDRESSES = side_table(SideTable("network_addresses", (
    ("address", "VARCHAR"), ("interface_id", "VARCHAR"), ("interface_type", "VARCHAR"), ("az_id", "VARCHAR"),
    ("vpc_id", "VARCHAR"), ("subnet_id", "VARCHAR"), ("instance_id", "VARCHAR"), ("region", "VARCHAR"),
    ("internet_route", "VARCHAR"), ("nat_az_id", "VARCHAR"), ("tag", "VARCHAR"), ("source", "VARCHAR"))))
# kind: subnet | vpc-peering | transit-gateway | gateway-endpoint (vpc_id: the VPC that has it) | aws-service
NETWORK_RANGES = side_table(SideTable("network_ranges", (
    ("low", "BIGINT"), ("high", "BIGINT"), ("cidr", "VARCHAR"), ("kind", "VARCHAR"), ("az_id", "VARCHAR"),
    ("vpc_id", "VARCHAR"), ("region", "VARCHAR"), ("service", "VARCHAR"), ("source", "VARCHAR"))))

# SQL over a leg: the interface's own address, by flow-direction (NULL without one)
_OWN = "CASE flow_direction WHEN 'egress' THEN srcaddr WHEN 'ingress' THEN dstaddr END"
def classified_sql(extra_key: str | None = None, *, monthly: bool = True, relations: bool = True) -> str:
    """CTEs ending in `classified`: one row per leg with path, billed, cross_az, to_internet, service. The two
    passes are read from the shared relations (vpcflow.cost.legs) unless `relations` is false (then written in,
    without the month key when not `monthly`)."""
    legs = f"SELECT * FROM {LEGS_RELATION[extra_key]}" if relations else legs_sql(extra_key, monthly=monthly)
    fields = "SELECT * FROM cost_interfaces" if relations else fields_sql()
    return f"""legs AS (
  {legs}
),
fields AS (
  -- what each interface's records say of it: the same in all of them, so read in a narrow pass of its own
  {fields}
),
occurrences AS (
  -- only the legs without a direction: an interface with one learns its address from flow-direction instead
  SELECT interface_id, address, sum(records) AS n FROM (
    SELECT interface_id, srcaddr AS address, records FROM legs WHERE {_OWN} IS NULL
    UNION ALL SELECT interface_id, dstaddr AS address, records FROM legs WHERE {_OWN} IS NULL) AS a
  GROUP BY interface_id, address
),
usual AS (
  -- the address in every record of the interface (each record counts once as source and once as destination)
  SELECT o.interface_id, max(o.address) AS address, count(*) AS candidates
  FROM occurrences o JOIN (SELECT interface_id, sum(n) AS total FROM occurrences GROUP BY interface_id) AS t
    ON t.interface_id = o.interface_id
  WHERE o.n * 2 = t.total GROUP BY o.interface_id
),
learned AS (
  SELECT g.interface_id, g.address, f.az_id, f.vpc_id, f.subnet_id, f.instance_id, f.region, f.instance_tag AS tag,
         -- no instance and pkt-* naming a far end: a NAT gateway (to the internet) or a transit gateway attachment
         coalesce(f.interface_type, CASE WHEN f.instance_id IS NULL AND g.translates THEN 'nat_gateway'
                                         WHEN f.instance_id IS NULL AND g.relays THEN 'transit_gateway' END)
           AS interface_type
  FROM (SELECT interface_id,
               max({_OWN}) AS address,
               bool_or(far IS NOT NULL AND NOT {private('far')}) AS translates,
               bool_or(far IS NOT NULL AND {private('far')}) AS relays
        FROM legs GROUP BY interface_id) AS g
  JOIN fields f ON f.interface_id = g.interface_id
),
known AS (
  SELECT interface_id, max(address) AS address, max(az_id) AS az_id, max(vpc_id) AS vpc_id,
         max(subnet_id) AS subnet_id, max(instance_id) AS instance_id, max(interface_type) AS interface_type,
         max(region) AS region, max(internet_route) AS internet_route, max(nat_az_id) AS nat_az_id, max(tag) AS tag
  FROM network_addresses WHERE interface_id IS NOT NULL AND address NOT LIKE '%:%' GROUP BY interface_id
),
own AS (
  SELECT l.interface_id,
         -- its own address: from flow-direction, else the topology, else the one address in all its records
         -- (two such, as with a single peer, leave it unknown)
         coalesce(l.address, k.address, CASE WHEN u.candidates = 1 THEN u.address END) AS address,
         coalesce(l.az_id, k.az_id) AS az_id, coalesce(l.vpc_id, k.vpc_id) AS vpc_id,
         coalesce(l.subnet_id, k.subnet_id) AS subnet_id, coalesce(l.instance_id, k.instance_id) AS instance_id,
         coalesce(k.interface_type, l.interface_type) AS interface_type, coalesce(l.region, k.region) AS region,
         coalesce(l.tag, k.tag) AS tag, k.internet_route, k.nat_az_id
  FROM learned l LEFT JOIN known k ON k.interface_id = l.interface_id
  LEFT JOIN usual u ON u.interface_id = l.interface_id
),
addresses AS (
  SELECT address, max(az_id) AS az_id, max(vpc_id) AS vpc_id, max(interface_type) AS interface_type,
         bool_or(logged) AS logged FROM (
    SELECT address, az_id, vpc_id, interface_type, TRUE AS logged FROM own WHERE address IS NOT NULL
    UNION ALL
    SELECT n.address, n.az_id, n.vpc_id, n.interface_type, FALSE AS logged FROM network_addresses n
    UNION ALL  -- the far ends a transit gateway attachment's records name are reached through it
    SELECT DISTINCT l.far, NULL, NULL, 'transit_gateway', FALSE FROM legs l JOIN own o ON o.interface_id = l.interface_id
    WHERE o.interface_type = 'transit_gateway' AND l.far IS NOT NULL) AS a
  GROUP BY address
),
directed AS (
  SELECT l.*, o.address AS own_address, o.az_id AS own_az, o.vpc_id AS own_vpc, o.subnet_id AS own_subnet,
         o.instance_id AS own_instance, o.interface_type AS own_type,
         o.region AS own_region, o.tag AS own_tag, o.internet_route, o.nat_az_id,
         coalesce(l.flow_direction, CASE WHEN l.srcaddr = o.address THEN 'egress'
                                         WHEN l.dstaddr = o.address THEN 'ingress' END) AS dir
  FROM legs l LEFT JOIN own o ON o.interface_id = l.interface_id
),
ends AS (
  SELECT d.*,
         CASE dir WHEN 'egress' THEN dstaddr WHEN 'ingress' THEN srcaddr END AS peer,
         -- where a NAT gateway's record really goes: the internet end behind its own address
         CASE WHEN own_type IN {NAT_TYPES} AND far IS NOT NULL THEN far
              WHEN dir = 'egress' THEN dstaddr WHEN dir = 'ingress' THEN srcaddr END AS target,
         CASE dir WHEN 'egress' THEN pkt_dst_aws_service WHEN 'ingress' THEN pkt_src_aws_service END
           AS record_service
  FROM directed d
),
outward AS (
  SELECT interface_id, peer, max(traffic_path) AS traffic_path FROM ends WHERE dir = 'egress'
  GROUP BY interface_id, peer
),
nat_clients AS (
  SELECT peer AS client, max(own_az) AS nat_az FROM ends WHERE own_type IN {NAT_TYPES} GROUP BY peer
),
targets AS (SELECT DISTINCT target, own_vpc FROM ends WHERE target IS NOT NULL),
ranged AS (
  SELECT target, own_vpc, max_by(kind, rank) AS kind, max_by(az_id, rank) AS az_id, max_by(vpc_id, rank) AS vpc_id,
         max_by(region, rank) AS region, max_by(service, rank) AS service FROM (
    SELECT t.target, t.own_vpc, r.kind, r.az_id, r.vpc_id, r.region, r.service,
           (r.low - r.high) * 8 + CASE r.kind WHEN 'gateway-endpoint' THEN 2 WHEN 'aws-service' THEN 1 ELSE 3 END
             AS rank
    FROM targets t JOIN network_ranges r ON {ipv4_number('t.target')} BETWEEN r.low AND r.high
    WHERE r.kind <> 'gateway-endpoint' OR r.vpc_id = t.own_vpc) AS m
  GROUP BY target, own_vpc
),
placed AS (
  SELECT e.*, {private('e.target')} AS target_private,
         coalesce(e.traffic_path, CASE WHEN e.dir = 'ingress' THEN w.traffic_path END) AS route,
         p.az_id AS peer_known_az, coalesce(e.next_hop_az_id, p.az_id, r.az_id) AS peer_az,
         coalesce(e.next_hop_vpc_id, p.vpc_id, r.vpc_id) AS peer_vpc, p.interface_type AS peer_type,
         coalesce(p.logged AND coalesce(p.interface_type, 'instance') NOT IN {MANAGED_TYPES}, FALSE) AS peer_bills,
         r.kind AS range_kind, r.region AS range_region, coalesce(e.record_service, r.service) AS service,
         coalesce(e.nat_az_id, c.nat_az) AS nat_az
  FROM ends e
  LEFT JOIN outward w ON w.interface_id = e.interface_id AND w.peer = e.peer
  LEFT JOIN addresses p ON p.address = e.peer
  LEFT JOIN ranged r ON r.target = e.target AND r.own_vpc IS NOT DISTINCT FROM e.own_vpc
  LEFT JOIN nat_clients c ON c.client = e.own_address
),
pathed AS (
  SELECT x.*, CASE
    WHEN dir IS NULL THEN 'unknown'
    WHEN own_type IN {NAT_TYPES} THEN 'nat-gateway'
    WHEN own_type = 'transit_gateway' THEN 'transit-gateway'
    WHEN own_type = 'vpc_endpoint' THEN 'interface-endpoint'
    WHEN NOT target_private THEN CASE
      WHEN route = 7 OR range_kind = 'gateway-endpoint' THEN 'gateway-endpoint'
      WHEN route = 5 THEN 'inter-region'
      WHEN next_hop_interface_type = 'transit_gateway' THEN 'transit-gateway'
      WHEN route = 1 OR (route IS NULL AND internet_route = 'nat') THEN 'nat-gateway'
      WHEN route IN (2, 8) OR (route IS NULL AND internet_route = 'igw') THEN CASE
        WHEN range_region IS NOT NULL AND range_region NOT IN (own_region, 'GLOBAL') THEN 'inter-region'
        WHEN service IS NOT NULL THEN 'aws-service'
        WHEN dir = 'egress' THEN 'internet-egress' ELSE 'internet-ingress' END
      ELSE 'unknown' END
    WHEN route = 5 OR (range_kind = 'vpc-peering' AND range_region IS NOT NULL AND range_region <> own_region)
      THEN 'inter-region'
    WHEN route = 4 OR range_kind = 'vpc-peering' THEN 'vpc-peering'
    WHEN range_kind = 'transit-gateway' OR next_hop_interface_type = 'transit_gateway'
      OR peer_type = 'transit_gateway' THEN 'transit-gateway'
    WHEN peer_type = 'vpc_endpoint' OR next_hop_interface_type = 'vpc_endpoint' THEN 'interface-endpoint'
    WHEN peer_vpc IS NOT NULL AND own_vpc IS NOT NULL AND peer_vpc <> own_vpc THEN 'vpc-peering'
    WHEN own_az IS NOT NULL AND peer_az IS NOT NULL THEN CASE WHEN own_az = peer_az THEN 'intra-az' ELSE 'inter-az' END
    ELSE 'unknown' END AS path
  FROM placed x
),
classified AS (
  SELECT y.*,
         action = 'ACCEPT' AND CASE
           WHEN dir IS NULL THEN TRUE
           WHEN own_type IN {NAT_TYPES} THEN {private('peer')} AND NOT peer_bills
           WHEN own_type IN {MANAGED_TYPES} THEN NOT peer_bills
           ELSE dir = 'egress' OR NOT peer_bills END AS billed,
         coalesce(CASE path
           WHEN 'inter-az' THEN TRUE
           WHEN 'nat-gateway' THEN CASE WHEN own_type IN {NAT_TYPES} THEN own_az <> peer_known_az
                                        ELSE own_az <> coalesce(next_hop_az_id, nat_az) END
           WHEN 'interface-endpoint' THEN own_az <> peer_az
           WHEN 'vpc-peering' THEN own_az <> peer_az
           ELSE FALSE END, FALSE) AS cross_az,
         path = 'internet-egress' OR (path = 'nat-gateway' AND NOT target_private AND service IS NULL
           AND dir = CASE WHEN own_type IN {NAT_TYPES} THEN 'ingress' ELSE 'egress' END) AS to_internet
  FROM pathed y
)"""


# The group key of each `cost --by`, over `classified`.
BY: dict[str, str] = {
    "path": "path",
    "interface": "interface_id",
    "instance": "coalesce(own_instance, interface_id)",
    "subnet": "own_subnet",
    "az": "own_az",
    "vpc": "own_vpc",
    "pair": "concat(least(srcaddr, dstaddr), ' ', greatest(srcaddr, dstaddr))",
    "tag": "own_tag",
    "day": "bucket",
    "hour": "bucket",
}


def cost_sql(by: str) -> str:
    """One statement: billed and unbilled bytes per group, path, price flags and calendar month (when $monthly)."""
    extra = by if by in LEG_KEYS else None
    return f"""WITH {classified_sql(extra)}
SELECT CAST({BY[by]} AS VARCHAR) AS "key", path, billed, action = 'ACCEPT' AS accepted, cross_az, to_internet,
       CASE WHEN service IN ('S3', 'DYNAMODB') THEN service END AS service, month,
       CAST(sum(bytes) AS BIGINT) AS bytes, CAST(sum(records) AS BIGINT) AS records
FROM classified
GROUP BY {BY[by]}, path, billed, action = 'ACCEPT', cross_az, to_internet, CASE WHEN service IN ('S3', 'DYNAMODB') THEN service END,
         month
ORDER BY bytes DESC, "key" NULLS LAST, path, billed, accepted, cross_az, to_internet, service NULLS LAST, month"""


def flow_paths_sql() -> str:
    """Every record of `flows` with its `path` and whether it is the record that bills its bytes."""
    keys = " AND ".join(f"f.{c} IS NOT DISTINCT FROM c.{c}" for c in LEG_COLUMNS)
    return f"""WITH {classified_sql(monthly=False, relations=False)}
SELECT f.*, coalesce(c.path, 'unknown') AS path, coalesce(c.billed, FALSE) AS billed
FROM flows f LEFT JOIN classified c ON {keys}
WHERE f."end" >= $since AND f.start < $until"""

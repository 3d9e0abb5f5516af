"""The shared per-run aggregates the detections read instead of each scanning `flows` again.

`flow_windows` has one row per (src, dst, dst port (NULL for replies), protocol, action, window). It is a shared
relation of the engines' registry: `run_query` inlines it as a CTE, and `detect.run` has the engine build it once
per run (a DuckDB temp table, a cached Spark view).
`src_prefix`/`dst_prefix` are the addresses' first 7 characters, lowercased, computed once here for the
actor test (catalog.common.own) that some 25 detections apply to every row they read.
A record counts as a request when its source port is above its destination port (the client's ephemeral
port): without tcp-flags this is how the direction of a connection shows in the default format.
"""

from __future__ import annotations

from ..engines.addresses import ipv4_number, private
from ..engines.queries import Relation, SideTable, relation, side_table

__all__ = ["AGGREGATES", "ENRICH_INTERFACES", "FLOW_WINDOWS", "KEY", "NAT_GATEWAYS", "SERVICE_PORT", "THREAT_LIST",
           "ipv4_number", "private"]

# Kept small, so it stays in memory at tens of millions of records: no distinct counts (one costs as much as the
# rest; brute force counts client ports over its own ports' records), and replies (source port below destination
# port) get a NULL port: theirs is the client's ephemeral one, a row per connection that no detection reads. No
# interface either: both ENIs of an east-west conversation add up in one row, as every detection sums them anyway.
# Stored in the order of the direction and action tests most detections filter on: the row groups a filter
# rules out are skipped (the 30 detections over it take 15% less CPU; the sort costs a fifth of that).
# Only columns some detection reads: request bytes and the OR of tcp-flags cost 12% of the build and none read
# them (brute force reads its flags from `flows`).
SERVICE_PORT = "CASE WHEN srcport < dstport THEN NULL ELSE dstport END"
NAT_GATEWAYS = "(SELECT interface_id FROM enrich_interfaces WHERE resource_type = 'nat_gateway')"

FLOW_WINDOWS = f"""
WITH w AS (
  SELECT srcaddr, dstaddr, {SERVICE_PORT} AS dstport, protocol, action,
         start - start % $window AS window_start,
         count(*) AS records,
         CAST(sum(packets) AS BIGINT) AS packets,
         CAST(sum(bytes) AS BIGINT) AS bytes,
         min(start) AS first_start,
         max("end") AS last_end,
         count(*) FILTER (WHERE srcport > dstport) AS requests,
         CAST(coalesce(sum(packets) FILTER (WHERE srcport > dstport), 0) AS BIGINT) AS request_packets,
         count(*) FILTER (WHERE srcport > dstport AND packets <= 2 AND bytes <= 100 * packets) AS probes
  FROM flows
  WHERE srcaddr IS NOT NULL AND start >= $since AND start < $until
    AND interface_id NOT IN {NAT_GATEWAYS}
  GROUP BY srcaddr, dstaddr, {SERVICE_PORT}, protocol, action, start - start % $window
)
SELECT w.*, {private('srcaddr')} AS src_private, {private('dstaddr')} AS dst_private,
       substr(lower(srcaddr), 1, 7) AS src_prefix, substr(lower(dstaddr), 1, 7) AS dst_prefix FROM w
ORDER BY src_private, dst_private, action
"""

AGGREGATES: dict[str, str] = {"flow_windows": FLOW_WINDOWS}
AGGREGATE_PARAMS = ("window", "since", "until")
for _name, _sql in AGGREGATES.items():
    relation(Relation(_name, _sql))

# What the user loads beside the records (vpcflow.enrich, --threat-list); every engine provides them, empty if not.
ENRICH_INTERFACES = side_table(SideTable("enrich_interfaces", (
    ("interface_id", "VARCHAR"), ("address", "VARCHAR"), ("resource_type", "VARCHAR"), ("resource_id", "VARCHAR"),
    ("name", "VARCHAR"), ("subnet_id", "VARCHAR"), ("vpc_id", "VARCHAR"), ("security_groups", "VARCHAR"),
    ("source", "VARCHAR")), key=("interface_id",)))
THREAT_LIST = side_table(SideTable("threat_list", (
    ("network", "VARCHAR"), ("low", "BIGINT"), ("high", "BIGINT"), ("list", "VARCHAR"))))

KEY = "src, dst, dst_port, protocol"


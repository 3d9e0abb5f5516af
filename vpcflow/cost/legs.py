"""The two passes over `flows` every cost answer starts from, as shared relations any engine inlines or
materializes: `cost_legs` (the records summed per interface, addresses, action and the few fields that name a
route; `cost_legs_day`, `cost_legs_hour` with a time bucket as well) and `cost_interfaces` (what each
interface's records say of it). On DuckDB a store that keeps their sums (vpcflow.cost.kept) materializes them
from those instead of the records.
"""

from __future__ import annotations

from ..engines.queries import Relation, relation

# Extra keys of `legs` for a grouping that the per-interface columns cannot give afterwards.
LEG_KEYS = {"day": "CAST(floor({start} / 86400) AS BIGINT) * 86400",
            "hour": "CAST(floor({start} / 3600) AS BIGINT) * 3600"}
# The calendar month (UTC) a record starts in, as YYYYMM, when the window spans months: internet egress is priced
# per month (vpcflow.cost.egress). NULL for a one-month window ($monthly false), where the key costs nothing.
MONTH = ("CASE WHEN $monthly THEN year(make_timestamp({start} * 1000000)) * 100"
         " + month(make_timestamp({start} * 1000000)) END")
# pkt-* as they are, not the translated end computed from them: stored columns hash as compressed integers, a
# computed string does not (about a third of the pass at 2M records). flow-direction and the services are keys
# too: a string key costs less per record than a max() over it, and a leg whose records disagree stays two rows.
LEG_COLUMNS = ("interface_id", "srcaddr", "dstaddr", "action", "pkt_srcaddr", "pkt_dstaddr", "flow_direction",
               "pkt_src_aws_service", "pkt_dst_aws_service")
# The same for every record of an interface and its two addresses (the route to the peer), so summed with
# max(): an integer's max() is cheap, and the next-hop fields are NULL columns in all but v11's stores.
LEG_FIELDS = ("traffic_path", "next_hop_az_id", "next_hop_vpc_id", "next_hop_interface_type")
# What each interface's records say of it: any_value() (NULLs skipped on every engine) where AWS never changes
# the value for an interface (it stays in its subnet; its type is set when created), a third of max()'s cost;
# max() where it can change (an interface moved to another instance, a tag edited), so the answer stays
# deterministic.
INTERFACE_FIELDS = {"az_id": "any_value", "vpc_id": "any_value", "subnet_id": "any_value", "instance_id": "max",
                    "interface_type": "any_value", "region": "any_value", "instance_tag": "max"}
# SQL: the translated end of a record (a NAT gateway's: the internet address behind its own), else NULL
FAR = "CASE WHEN pkt_dstaddr <> dstaddr THEN pkt_dstaddr WHEN pkt_srcaddr <> srcaddr THEN pkt_srcaddr END"
WINDOW = """log_status = 'OK' AND "end" >= $since AND start < $until"""
# The relation `legs` reads, per extra key of a grouping
LEGS_RELATION = {None: "cost_legs", "day": "cost_legs_day", "hour": "cost_legs_hour"}


def legs_sql(extra_key: str | None = None, *, monthly: bool = True, rows: str = "flows", where: str = WINDOW,
             start: str = "start", records: str = "count(*)") -> str:
    """The first pass: `rows` (the records, by default) summed per interface, addresses, action and month (the
    legs). `start`, `records`: the SQL of a row's start and record count (a kept sum's differ from a record's)."""
    month, bucket = MONTH.format(start=start), (LEG_KEYS[extra_key].format(start=start) if extra_key else "")
    keys = [*LEG_COLUMNS, *([month] if monthly else []), *([bucket] if extra_key else [])]
    named = [*LEG_COLUMNS, *([f"{month} AS month"] if monthly else []), *([f"{bucket} AS bucket"] if extra_key else [])]
    return f"""SELECT {", ".join(named)}, {FAR} AS far, {", ".join(f"max({c}) AS {c}" for c in LEG_FIELDS)},
         CAST(sum(bytes) AS BIGINT) AS bytes, CAST({records} AS BIGINT) AS records
  FROM {rows}
  WHERE {where}
  GROUP BY {", ".join(keys)}"""


def fields_sql(rows: str = "flows", where: str = WINDOW) -> str:
    """The second pass: each interface's AZ, VPC, subnet, instance, type, region and tag."""
    picked = ", ".join(f"{how}({c}) AS {c}" for c, how in INTERFACE_FIELDS.items())
    return f"""SELECT interface_id, {picked}
  FROM {rows}
  WHERE {where}
  GROUP BY interface_id"""


for _key, _name in LEGS_RELATION.items():
    relation(Relation(_name, legs_sql(_key)))
relation(Relation("cost_interfaces", fields_sql()))

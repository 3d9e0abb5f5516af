"""The traffic side of the rule audit: one named query (`rule-usage`) over `flows` on any engine.

It sorts each record into what the rules see: the interface, its direction (from `flow-direction` when the
format has it, else from the interface's own addresses, a side table built from the network model), request
or reply, the peer, the protocol and the destination port, with flows, bytes and the first and last time.
Which rule matched is decided afterwards by the network model's one evaluator on these few rows, not by a
second copy of the security-group and ACL semantics in SQL. A reply's ephemeral port matters only to the
network ACL, so replies are counted per port range of the ACL (a second side table), not per port.

Request or reply, in this order (security groups are stateful: a reply never counts as a hit):
1. TCP flags, when the format has them: a SYN-ACK (18) marks the answering side, a SYN without it the opener.
2. Ports: the side whose source port is the lower one is the service answering (the ephemeral-port heuristic:
   clients pick high ports, services listen on low ones).
3. Equal ports (ICMP's port 0, NTP's 123 to 123): the direction seen first on the interface opened it. When
   both were first seen in the same second, `reply` is NULL: the leg is a request if a rule allows it, else
   the reply of its reverse (the only way AWS could have let it through).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa

from ..engines.queries import ALL_TIME, NamedQuery, SideTable, register, side_table

INTERFACES = side_table(SideTable("rules_interfaces", (("interface_id", "VARCHAR"), ("address", "VARCHAR")),
                                  key=("interface_id", "address")))
# per interface, the port ranges within which no entry of its subnet's network ACL changes its verdict
PORT_RANGES = side_table(SideTable("rules_port_ranges", (("interface_id", "VARCHAR"), ("low", "INTEGER"),
                                                         ("high", "INTEGER")), key=("interface_id", "low")))

USAGE_SQL = """
WITH legs AS (  -- one pass over the records; strings that are constant per leg are keys, coded where few
  SELECT interface_id, srcaddr, dstaddr, srcport, dstport, protocol, action,
         CASE reject_reason WHEN 'BPA' THEN 1 WHEN 'EC' THEN 2 ELSE 0 END AS rejected_by,
         CASE flow_direction WHEN 'ingress' THEN TRUE WHEN 'egress' THEN FALSE END AS ingress,
         pkt_src_aws_service, pkt_dst_aws_service,
         count(*) AS flows, sum(bytes) AS bytes, min(start) AS first_seen, max("end") AS last_seen,
         coalesce(bit_or(tcp_flags), 0) AS tcp_flags, coalesce(min(encryption_status), -1) AS encryption_status
  FROM flows
  WHERE "end" >= $since AND start < $until AND action IS NOT NULL AND srcaddr IS NOT NULL AND dstaddr IS NOT NULL
    AND interface_id IS NOT NULL
  GROUP BY interface_id, srcaddr, dstaddr, srcport, dstport, protocol, action,
           CASE reject_reason WHEN 'BPA' THEN 1 WHEN 'EC' THEN 2 ELSE 0 END,
           CASE flow_direction WHEN 'ingress' THEN TRUE WHEN 'egress' THEN FALSE END,
           pkt_src_aws_service, pkt_dst_aws_service
),
flagged AS (  -- request or reply from the leg alone where it can tell (flags, then ports); NULL: equal ports
  SELECT *,
         CASE WHEN protocol = 6 AND (tcp_flags & 16) <> 0 THEN TRUE
              WHEN protocol = 6 AND (tcp_flags & 2) <> 0 THEN FALSE
              WHEN srcport <> dstport THEN srcport < dstport END AS known_reply
  FROM legs
),
bucketed AS (  -- a reply's port as the start of its ACL port range: any port in it gets the same verdict
  SELECT f.*, CASE WHEN f.known_reply AND r.low IS NOT NULL THEN r.low ELSE f.dstport END AS port,
         CASE WHEN f.known_reply THEN f.srcport ELSE f.dstport END AS service_port
  FROM flagged f
  LEFT JOIN rules_port_ranges r ON f.known_reply AND r.interface_id = f.interface_id AND f.dstport >= r.low
                               AND f.dstport <= r.high
),
conversations AS (  -- the ephemeral ports gone: small from here on
  SELECT interface_id, srcaddr, dstaddr, protocol, port, service_port, known_reply, srcport = dstport AS equal_ports,
         action, rejected_by, ingress, nullif(pkt_src_aws_service, '-') AS src_service, nullif(pkt_dst_aws_service, '-') AS dst_service,
         encryption_status, CAST(sum(flows) AS BIGINT) AS flows, CAST(sum(bytes) AS BIGINT) AS bytes,
         min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM bucketed
  GROUP BY interface_id, srcaddr, dstaddr, protocol, port, service_port, known_reply, srcport = dstport, action,
           rejected_by, ingress, nullif(pkt_src_aws_service, '-'), nullif(pkt_dst_aws_service, '-'),
           encryption_status
),
opened AS (  -- equal ports: when each direction was first seen on the interface
  SELECT interface_id, srcaddr, dstaddr, protocol, min(first_seen) AS first_seen
  FROM conversations WHERE equal_ports GROUP BY interface_id, srcaddr, dstaddr, protocol
),
classified AS (
  SELECT c.*,
         CASE WHEN c.ingress IS NOT NULL THEN c.ingress
              WHEN d.address IS NOT NULL THEN TRUE
              WHEN s.address IS NOT NULL THEN FALSE END AS inbound,
         CASE WHEN c.known_reply IS NOT NULL THEN c.known_reply
              WHEN o.first_seen < c.first_seen THEN TRUE
              WHEN o.first_seen = c.first_seen THEN NULL
              ELSE FALSE END AS reply
  FROM conversations c
  LEFT JOIN rules_interfaces d ON d.interface_id = c.interface_id AND d.address = c.dstaddr
  LEFT JOIN rules_interfaces s ON s.interface_id = c.interface_id AND s.address = c.srcaddr
  LEFT JOIN opened o ON c.known_reply IS NULL AND o.interface_id = c.interface_id AND o.srcaddr = c.dstaddr
                    AND o.dstaddr = c.srcaddr AND o.protocol = c.protocol
)
SELECT interface_id, inbound, reply,
       CASE WHEN inbound THEN srcaddr ELSE dstaddr END AS peer,
       CASE WHEN inbound THEN dstaddr ELSE srcaddr END AS address,
       protocol, port, service_port, action,
       CASE rejected_by WHEN 1 THEN 'BPA' WHEN 2 THEN 'EC' ELSE '' END AS reject_reason,
       CASE WHEN inbound THEN src_service ELSE dst_service END AS service, encryption_status,
       CAST(sum(flows) AS BIGINT) AS flows, CAST(sum(bytes) AS BIGINT) AS bytes, min(first_seen) AS first_seen,
       max(last_seen) AS last_seen
FROM classified
GROUP BY interface_id, inbound, reply, srcaddr, dstaddr, protocol, port, service_port, action, rejected_by,
         CASE WHEN inbound THEN src_service ELSE dst_service END, encryption_status
ORDER BY interface_id, inbound, reply, peer, address, protocol, port, service_port, action, reject_reason,
         service, encryption_status
"""

USAGE = register(NamedQuery(
    "rule-usage", "Traffic as the security groups and network ACLs see it (direction, request or reply, peer)",
    USAGE_SQL, dict(ALL_TIME), needs=("interface_id", "srcaddr", "dstaddr", "action"),
    uses=("flow_direction", "tcp_flags", "reject_reason", "pkt_src_aws_service", "pkt_dst_aws_service",
          "encryption_status")))


def interface_addresses(model) -> pa.Table:
    """The side table `rules_interfaces`: every interface of the model with its own IPv4 and IPv6 addresses."""
    pairs = [(i.id, a) for i in model.interfaces for a in (i.ip, i.ipv6) if a]
    return pa.table({"interface_id": pa.array([p[0] for p in pairs], pa.string()),
                     "address": pa.array([p[1] for p in pairs], pa.string())})


def port_ranges(*models) -> pa.Table:
    """The side table `rules_port_ranges`: for each interface, the ranges between the port bounds of every
    entry of its subnet's ACL in all the models given (the current one, and a proposal to replay)."""
    out: dict[str, set[int]] = {}
    for model in models:
        for i in model.interfaces:
            acl = i.subnet.acl
            bounds = out.setdefault(i.id, {0, 65536})
            bounds.update(b for r in acl.inbound + acl.outbound for b in (r.low, r.high + 1))
    rows = [(iface, low, nxt - 1) for iface, bounds in out.items()
            for low, nxt in zip(sorted(bounds), sorted(bounds)[1:], strict=False) if nxt <= 65536]
    return pa.table({"interface_id": pa.array([r[0] for r in rows], pa.string()),
                     "low": pa.array([r[1] for r in rows], pa.int32()),
                     "high": pa.array([r[2] for r in rows], pa.int32())})


_SPARK_TYPES = {"VARCHAR": "STRING", "INTEGER": "INT"}


@contextmanager
def provided(engine, table: SideTable, rows: pa.Table) -> Iterator[None]:
    """The side table's rows visible to the queries run inside, on DuckDB or Spark; empty again afterwards."""
    name = table.name
    if engine.dialect == "duckdb":
        # a temp view shadows the store's (empty) table and works on a read-only store too
        engine.con.register(f"_{name}_rows", rows)
        engine.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM _{name}_rows")
        try:
            yield
        finally:
            engine.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {table.empty_sql()}")
            engine.con.unregister(f"_{name}_rows")
        return
    spark = engine.spark
    schema = ", ".join(f"{c} {_SPARK_TYPES[kind]}" for c, kind in table.columns)
    spark.createDataFrame(rows.to_pylist(), schema=schema).createOrReplaceTempView(name)
    try:
        yield
    finally:
        spark.createDataFrame([], schema=schema).createOrReplaceTempView(name)

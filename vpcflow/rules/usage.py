"""The traffic side of the rule audit: one named query (`rule-usage`) over `flows` on any engine.

It sorts each record into what the rules see: the interface, its direction (from `flow-direction` when the
format has it, else from the interface's own addresses, a side table built from the network model), request
or reply, the peer, the protocol and the destination port, with flows, bytes and the first and last time.
Which rule matched is decided afterwards by the network model's one evaluator on these few rows, not by a
second copy of the security-group and ACL semantics in SQL.

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

USAGE_SQL = """
WITH legs AS (
  SELECT interface_id, srcaddr, dstaddr, srcport, dstport, protocol, action,
         coalesce(nullif(reject_reason, '-'), '') AS reject_reason,
         count(*) AS flows, CAST(sum(bytes) AS BIGINT) AS bytes, min(start) AS first_seen, max("end") AS last_seen,
         bit_or(coalesce(tcp_flags, 0)) AS tcp_flags, max(flow_direction) AS flow_direction,
         max(nullif(pkt_src_aws_service, '-')) AS src_service, max(nullif(pkt_dst_aws_service, '-')) AS dst_service,
         min(coalesce(encryption_status, -1)) AS encryption_status
  FROM flows
  WHERE "end" >= $since AND start < $until AND action IS NOT NULL AND srcaddr IS NOT NULL AND dstaddr IS NOT NULL
    AND interface_id IS NOT NULL
  GROUP BY interface_id, srcaddr, dstaddr, srcport, dstport, protocol, action,
           coalesce(nullif(reject_reason, '-'), '')
),
directed AS (  -- after the one pass over the records, so the side table meets legs, not records
  SELECT l.*,
         CASE WHEN l.flow_direction IN ('ingress', 'egress') THEN l.flow_direction = 'ingress'
              WHEN d.address IS NOT NULL THEN TRUE
              WHEN s.address IS NOT NULL THEN FALSE END AS inbound
  FROM legs l
  LEFT JOIN rules_interfaces d ON d.interface_id = l.interface_id AND d.address = l.dstaddr
  LEFT JOIN rules_interfaces s ON s.interface_id = l.interface_id AND s.address = l.srcaddr
),
opened AS (
  SELECT interface_id, srcaddr, dstaddr, protocol, min(first_seen) AS first_seen
  FROM directed WHERE srcport = dstport GROUP BY interface_id, srcaddr, dstaddr, protocol
),
classified AS (
  SELECT l.*,
         CASE WHEN l.protocol = 6 AND (l.tcp_flags & 16) <> 0 THEN TRUE
              WHEN l.protocol = 6 AND (l.tcp_flags & 2) <> 0 THEN FALSE
              WHEN l.srcport <> l.dstport THEN l.srcport < l.dstport
              WHEN o.first_seen < l.first_seen THEN TRUE
              WHEN o.first_seen = l.first_seen THEN NULL
              ELSE FALSE END AS reply
  FROM directed l
  LEFT JOIN opened o ON l.srcport = l.dstport AND o.interface_id = l.interface_id AND o.srcaddr = l.dstaddr
                    AND o.dstaddr = l.srcaddr AND o.protocol = l.protocol
)
SELECT interface_id, inbound, reply,
       CASE WHEN inbound THEN srcaddr ELSE dstaddr END AS peer,
       CASE WHEN inbound THEN dstaddr ELSE srcaddr END AS address,
       protocol, dstport AS port, CASE WHEN reply THEN srcport ELSE dstport END AS service_port,
       action, reject_reason, CASE WHEN inbound THEN src_service ELSE dst_service END AS service, encryption_status,
       CAST(sum(flows) AS BIGINT) AS flows, CAST(sum(bytes) AS BIGINT) AS bytes, min(first_seen) AS first_seen,
       max(last_seen) AS last_seen
FROM classified
GROUP BY interface_id, inbound, reply, srcaddr, dstaddr, protocol, dstport,
         CASE WHEN reply THEN srcport ELSE dstport END, action, reject_reason,
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
    schema = ", ".join(f"{c} STRING" for c in rows.column_names)
    spark.createDataFrame(rows.to_pylist(), schema=schema).createOrReplaceTempView(name)
    try:
        yield
    finally:
        spark.createDataFrame([], schema=schema).createOrReplaceTempView(name)

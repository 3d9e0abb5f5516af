"""Pair each flow with its reverse (same interface, reversed 5-tuple, overlapping windows) and decide which
layer let it through or stopped it.

A REJECT of a request coming in: a security group or the network ACL. A request accepted in whose reply is
rejected going out: the network ACL, since security groups are stateful and let replies out. A request
rejected going out: an outbound security-group or network-ACL rule.

The two queries are named queries registered here (`diagnose-legs`, `diagnose-own-addresses`), written once
in DuckDB's dialect: `con` is a DuckDB connection or Store, or any vpcflow engine (DuckDB, Spark), which
runs them transpiled. Both are ordered, so every engine hands the pairing the same rows in the same order.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

from ..engines.engine import as_engine, run_query, run_sql
from ..engines.queries import NamedQuery, register

LEGS_SQL = """
WITH legs AS (
  SELECT interface_id, srcaddr, dstaddr, srcport, dstport, protocol, action, count(*) AS records,
         min(start) AS first_seen, max("end") AS last_seen, max(flow_direction) AS flow_direction,
         max(nullif(reject_reason, '-')) AS reject_reason
  FROM flows
  WHERE srcaddr IS NOT NULL AND action IS NOT NULL
    AND ($src IS NULL OR srcaddr = $src OR dstaddr = $src)
    AND ($dst IS NULL OR srcaddr = $dst OR dstaddr = $dst)
    AND ($port IS NULL OR dstport = $port OR srcport = $port)
    AND "end" >= $since AND start < $until
  GROUP BY interface_id, srcaddr, dstaddr, srcport, dstport, protocol, action
),
touched AS (
  SELECT DISTINCT interface_id, srcaddr, dstaddr, protocol FROM legs WHERE action = 'REJECT' OR $all
)
SELECT l.*, r.action AS reverse_action, r.records AS reverse_records, r.last_seen AS reverse_last_seen
FROM legs l
JOIN touched t ON t.interface_id = l.interface_id AND t.protocol = l.protocol
              AND ((t.srcaddr = l.srcaddr AND t.dstaddr = l.dstaddr) OR (t.srcaddr = l.dstaddr AND t.dstaddr = l.srcaddr))
LEFT JOIN legs r ON r.interface_id = l.interface_id AND r.srcaddr = l.dstaddr AND r.dstaddr = l.srcaddr
                AND r.srcport = l.dstport AND r.dstport = l.srcport AND r.protocol = l.protocol
                AND r.first_seen <= l.last_seen + $slack AND r.last_seen >= l.first_seen - $slack
ORDER BY l.interface_id, l.srcaddr, l.dstaddr, l.protocol, l.srcport, l.dstport, l.action, reverse_action,
         reverse_last_seen
"""

OWN_ADDRESS_SQL = """
SELECT interface_id, address, count(*) AS n FROM (
  SELECT interface_id, srcaddr AS address FROM flows WHERE list_contains($interfaces, interface_id)
  UNION ALL
  SELECT interface_id, dstaddr AS address FROM flows WHERE list_contains($interfaces, interface_id)
) a WHERE address IS NOT NULL GROUP BY interface_id, address ORDER BY interface_id, address
"""
_LEG_FIELDS = ("interface_id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "action", "start", "end")
LEGS = register(NamedQuery(
    "diagnose-legs", "Each flow leg (interface, 5-tuple, action) touching a rejected one, with its reverse",
    LEGS_SQL.strip(), {"src": None, "dst": None, "port": None, "all": False, "slack": 120, "since": 0,
                       "until": 2**62}, kind="diagnose",
    needs=_LEG_FIELDS, uses=("flow_direction", "reject_reason")))
OWN_ADDRESSES = register(NamedQuery(
    "diagnose-own-addresses", "Addresses seen on the given interfaces, with record counts",
    OWN_ADDRESS_SQL.strip(), {"interfaces": [""]},  # a typed (string) list; no interface is named ''
    kind="diagnose", needs=("interface_id", "srcaddr", "dstaddr")))


def legs(con, src, dst, port, everything: bool, slack: int = 120, since: int = 0, until: int = 2**62) -> list[dict]:
    """Flow legs whose capture windows overlap [since, until) (Unix seconds), with their reverses."""
    return run_query(as_engine(con), LEGS, {"src": src, "dst": dst, "port": port, "all": everything,
                                            "slack": slack, "since": since, "until": until}).to_pylist()


def _inventory(engine) -> dict[str, str]:
    """Interface addresses the enrichment inventory knows (every engine has the table, maybe empty)."""
    rows = run_sql(engine, "SELECT interface_id, address FROM enrich_interfaces").to_pylist()
    return {r["interface_id"]: r["address"] for r in rows}


def own_addresses(con, interfaces: list[str]) -> dict[str, str]:
    """Each interface's own address: the one its records share (from the inventory when it has it)."""
    engine = as_engine(con)
    known = _inventory(engine)
    missing = [i for i in interfaces if i not in known]
    if missing:
        best: dict[str, tuple[int, bool, str]] = {}
        for row in run_query(engine, OWN_ADDRESSES, {"interfaces": missing}).to_pylist():
            iface, address, n = row["interface_id"], row["address"], row["n"]
            rank = (n, _private(address), address)  # on a tie, an interface's own address is the private one
            if rank > best.get(iface, (-1, False, "")):
                best[iface] = rank
        known.update({i: r[2] for i, r in best.items()})
    return known


_PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")]


def _private(address: str) -> bool:
    """RFC 1918 / unique-local: where interfaces live (documentation ranges stand for the internet)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in _PRIVATE)


def is_request(leg: dict) -> bool:
    """Whether this leg of a pair is the request (the other is the reply)."""
    if leg["reverse_action"] is None:
        return True
    if leg["action"] != leg["reverse_action"]:  # a reply cannot be accepted when its request was not
        return leg["action"] == "ACCEPT"
    if leg["srcport"] != leg["dstport"]:
        return leg["srcport"] > leg["dstport"]  # the client's ephemeral port is the higher one
    return leg["first_seen"] <= leg["reverse_last_seen"] and leg["srcaddr"] < leg["dstaddr"]


def when(t: int) -> datetime:
    return datetime.fromtimestamp(int(t), UTC)

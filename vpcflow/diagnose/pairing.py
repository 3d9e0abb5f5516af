"""Pair each flow with its reverse (same interface, reversed 5-tuple, overlapping windows) and decide which
layer let it through or stopped it.

A REJECT of a request coming in: a security group or the network ACL. A request accepted in whose reply is
rejected going out: the network ACL, since security groups are stateful and let replies out. A request
rejected going out: an outbound security-group or network-ACL rule.

The two queries are named queries of vpcflow.engines (`diagnose-legs`, `diagnose-own-addresses`), written once
in DuckDB's dialect: `con` is a DuckDB connection or Store, or any vpcflow engine (DuckDB, Spark), which
runs them transpiled. Both are ordered, so every engine hands the pairing the same rows in the same order.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime

import pyarrow as pa

from ..store.schema import arrow

LEGS_SQL = """
WITH legs AS (
  SELECT interface_id, srcaddr, dstaddr, srcport, dstport, protocol, action, count(*) AS records,
         min(start) AS first_seen, max("end") AS last_seen, max(flow_direction) AS flow_direction
  FROM flows
  WHERE srcaddr IS NOT NULL AND action IS NOT NULL
    AND ($src IS NULL OR srcaddr = $src OR dstaddr = $src)
    AND ($dst IS NULL OR srcaddr = $dst OR dstaddr = $dst)
    AND ($port IS NULL OR dstport = $port OR srcport = $port)
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
# parameters and their defaults, as the engines' registry declares them
LEGS_DEFAULTS = {"src": None, "dst": None, "port": None, "all": False, "slack": 120}
OWN_ADDRESS_DEFAULTS = {"interfaces": [""]}  # a typed (string) list; no interface is named ''


def runner(con) -> Callable[[str, dict], pa.Table]:
    """Run a DuckDB-dialect statement on `con`: an engine (transpiled to its dialect) or a DuckDB connection."""
    if hasattr(con, "dialect"):
        from ..engines.engine import run_sql

        return lambda sql, params: run_sql(con, sql, params)
    con = getattr(con, "con", con)
    return lambda sql, params: arrow(con, sql, params)


def legs(con, src, dst, port, everything: bool, slack: int = 120) -> list[dict]:
    return runner(con)(LEGS_SQL, {"src": src, "dst": dst, "port": port, "all": everything,
                                  "slack": slack}).to_pylist()


def _inventory(con) -> dict[str, str]:
    """Interface addresses the enrichment inventory knows (an engine always has the table, maybe empty)."""
    if hasattr(con, "dialect"):
        rows = runner(con)("SELECT interface_id, address FROM enrich_interfaces", {}).to_pylist()
        return {r["interface_id"]: r["address"] for r in rows}
    con = getattr(con, "con", con)
    if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'enrich_interfaces'"
                   ).fetchall()[0][0]:
        return dict(con.execute("SELECT interface_id, address FROM enrich_interfaces").fetchall())
    return {}


def own_addresses(con, interfaces: list[str]) -> dict[str, str]:
    """Each interface's own address: the one its records share (from the inventory when it has it)."""
    known = _inventory(con)
    missing = [i for i in interfaces if i not in known]
    if missing:
        best: dict[str, tuple[int, bool, str]] = {}
        for row in runner(con)(OWN_ADDRESS_SQL, {"interfaces": missing}).to_pylist():
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

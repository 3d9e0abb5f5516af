"""What the overview shows: traffic over time, top talkers, rejected sources, protocol and port mix, and who
talks to whom. Each is a plain dict or list of dicts, so the dashboard's API and the HTML report share them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from ..analyze.top import top, window_filter
from ..store.schema import arrow
from ..timeutil import epoch, iso, parse_time

PROTOCOLS = {1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 58: "icmpv6", 132: "sctp"}
# Bucket widths the traffic chart picks from, so a range of any length shows at most MAX_BUCKETS bars.
BUCKETS = (60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400)
MAX_BUCKETS = 240


@dataclass(frozen=True)
class Window:
    """A time range on the records' capture windows; None on either side means open."""

    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def parse(cls, since: str | None, until: str | None, latest: datetime | None = None) -> Window:
        """From the forms users type (ISO-8601, a date, Unix seconds, or a span like 24h); a span counts back
        from `latest`, the store's last record, because a store of old logs has nothing in 'the last 24h'."""
        now = latest or datetime.now(UTC)
        return cls(parse_time(since or None, now=now), parse_time(until or None, now=now))

    def as_dict(self) -> dict:
        return {"since": iso(self.since), "until": iso(self.until)}


def bounds(con: duckdb.DuckDBPyConnection) -> dict:
    """The store's first capture-window start and last end, as Unix seconds (None when empty)."""
    first, last, records = con.execute('SELECT min(start), max("end"), count(*) FROM flows').fetchall()[0]
    return {"first": first, "last": last, "records": records}


def latest(con: duckdb.DuckDBPyConnection) -> datetime | None:
    last = bounds(con)["last"]
    return None if last is None else datetime.fromtimestamp(last, UTC)


def bucket_seconds(first: int | None, last: int | None) -> int:
    span = max((last or 0) - (first or 0), 1)
    return next((b for b in BUCKETS if span / b <= MAX_BUCKETS), BUCKETS[-1])


def traffic(con: duckdb.DuckDBPyConnection, window: Window, store_bounds: dict | None = None) -> dict:
    """Records, bytes, accepted and rejected per time bucket (bucket width chosen from the range's length)."""
    b = store_bounds or bounds(con)
    first = epoch(window.since) if window.since else b["first"]
    last = epoch(window.until) if window.until else b["last"]
    width = bucket_seconds(first, last)
    where, params = window_filter(window.since, window.until)
    rows = con.execute(f"""
        SELECT (start // ?) * ? AS t, count(*) AS records, coalesce(sum(bytes), 0)::BIGINT AS bytes,
               count(*) FILTER (action = 'ACCEPT') AS accepted, count(*) FILTER (action = 'REJECT') AS rejected
        FROM flows WHERE {where} GROUP BY t ORDER BY t""", [width, width, *params]).fetchall()
    series = [{"t": r[0], "records": r[1], "bytes": r[2], "accepted": r[3], "rejected": r[4]} for r in rows]
    totals = {k: sum(s[k] for s in series) for k in ("records", "bytes", "accepted", "rejected")}
    return {"bucket_seconds": width, "series": series, "totals": totals}


def _rows(table) -> list[dict]:
    return table.to_pylist()


def overview(con: duckdb.DuckDBPyConnection, window: Window, store_bounds: dict | None = None, n: int = 10) -> dict:
    """Everything the overview page and the report's first section show, for one time range."""
    kw = {"since": window.since, "until": window.until}
    protocols = _rows(top(con, "protocol", "flows", n, **kw))
    for p in protocols:
        p["name"] = PROTOCOLS.get(p["protocol"], str(p["protocol"]))
    return {
        "window": window.as_dict(),
        "traffic": traffic(con, window, store_bounds),
        "top_talkers": _rows(top(con, "pair", "bytes", n, **kw)),
        "top_rejected_sources": _rows(top(con, "src", "flows", n, action="REJECT", **kw)),
        "protocols": protocols,
        "ports": _rows(top(con, "dstport", "flows", n, **kw)),
    }


def graph(con: duckdb.DuckDBPyConnection, window: Window, n: int = 60) -> dict:
    """Who talks to whom: the n heaviest source-destination edges by bytes, plus up to n/3 more with the most
    rejected records (a scan moves few bytes but matters), each split into accepted and rejected."""
    where, params = window_filter(window.since, window.until)
    table = arrow(con, f"""
        WITH edges AS (
            SELECT srcaddr AS src, dstaddr AS dst,
                   coalesce(sum(bytes) FILTER (action = 'ACCEPT'), 0)::BIGINT AS accepted_bytes,
                   coalesce(sum(bytes) FILTER (action = 'REJECT'), 0)::BIGINT AS rejected_bytes,
                   count(*) FILTER (action = 'ACCEPT') AS accepted_records,
                   count(*) FILTER (action = 'REJECT') AS rejected_records
            FROM flows WHERE {where} AND srcaddr IS NOT NULL AND dstaddr IS NOT NULL
            GROUP BY srcaddr, dstaddr),
        ranked AS (
            SELECT *, row_number() OVER (ORDER BY accepted_bytes + rejected_bytes DESC, src, dst) AS by_bytes,
                      row_number() OVER (ORDER BY rejected_records DESC, src, dst) AS by_rejects
            FROM edges)
        SELECT * EXCLUDE (by_bytes, by_rejects) FROM ranked
        WHERE by_bytes <= ? OR (rejected_records > 0 AND by_rejects <= ?)
        ORDER BY accepted_bytes + rejected_bytes DESC, src, dst""", [*params, n, max(n // 3, 1)])
    edges = table.to_pylist()
    nodes: dict[str, dict] = {}
    for e in edges:
        for end, role in ((e["src"], "sent"), (e["dst"], "received")):
            node = nodes.setdefault(end, {"id": end, "sent": 0, "received": 0, "rejected_records": 0})
            node[role] += e["accepted_bytes"] + e["rejected_bytes"]
            node["rejected_records"] += e["rejected_records"]
    return {"window": window.as_dict(), "nodes": list(nodes.values()), "edges": edges}

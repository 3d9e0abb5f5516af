"""The interfaces and their records, shown like the CloudWatch console's per-interface stream view, with a
filter box that takes CloudWatch filter patterns (and falls back to plain text when one does not parse)."""

from __future__ import annotations

import duckdb

from ..alert.sql import compile_sql, line_of
from ..errors import VpcFlowError
from ..fields import DEFAULT, LogFormat
from ..store.schema import arrow
from ..timeutil import epoch
from .overview import Window

MAX_PAGE = 1000


def _window_sql(window: Window) -> tuple[str, list]:
    """Capture windows overlapping the range; NODATA and SKIPDATA records included, as in the stream view."""
    clauses, params = ["TRUE"], []
    if window.since is not None:
        clauses.append('"end" >= ?')
        params.append(epoch(window.since))
    if window.until is not None:
        clauses.append("start < ?")
        params.append(epoch(window.until))
    return " AND ".join(clauses), params


def interfaces(con: duckdb.DuckDBPyConnection, window: Window) -> list[dict]:
    """One row per network interface: its records, bytes, accepted and rejected counts, and what names it."""
    where, params = _window_sql(window)
    return arrow(con, f"""
        SELECT interface_id, any_value(vpc_id) AS vpc_id, any_value(subnet_id) AS subnet_id,
               any_value(interface_tag) AS interface_tag, count(*) AS records,
               coalesce(sum(bytes), 0)::BIGINT AS bytes,
               count(*) FILTER (action = 'ACCEPT') AS accepted, count(*) FILTER (action = 'REJECT') AS rejected,
               min(start) AS first_start, max("end") AS last_end
        FROM flows WHERE {where} AND interface_id IS NOT NULL
        GROUP BY interface_id ORDER BY records DESC, interface_id""", params).to_pylist()


def format_of(con: duckdb.DuckDBPyConnection, interface_id: str) -> LogFormat:
    """The log format the interface's records were delivered in (the first source's), else the default."""
    rows = con.execute("""
        SELECT format FROM sources WHERE format IS NOT NULL AND source_id IN
            (SELECT DISTINCT source_id FROM flows WHERE interface_id = ?) ORDER BY source_id LIMIT 1""",
                       [interface_id]).fetchall()
    if not rows:
        return DEFAULT
    try:
        return LogFormat.parse(rows[0][0], unknown="keep")  # as stored: AWS may name fields vpcflow does not know
    except VpcFlowError:
        return DEFAULT


def stream(con: duckdb.DuckDBPyConnection, interface_id: str, window: Window, pattern: str = "",
           limit: int = 200, offset: int = 0) -> dict:
    """One page of an interface's records as the lines its flow log wrote, oldest first, filtered by a
    CloudWatch filter pattern; a pattern that does not parse is searched as plain text, and the answer says so."""
    limit = max(1, min(int(limit), MAX_PAGE))
    fmt = format_of(con, interface_id)
    line = line_of(fmt)
    where, params = _window_sql(window)
    filter_mode, filter_error = "none", None
    if pattern.strip():
        try:
            compiled = compile_sql(pattern, fmt)
            where += f" AND ({compiled.where})"
            params += list(compiled.params)
            filter_mode = "pattern"
        except VpcFlowError as exc:
            where += f" AND contains({line}, ?)"
            params.append(pattern)
            filter_mode, filter_error = "text", str(exc)
    table = arrow(con, f"""
        SELECT coalesce(epoch(event_time)::BIGINT, start) AS time, action, log_status, {line} AS message
        FROM flows WHERE interface_id = ? AND {where}
        ORDER BY start, "end", srcaddr, dstaddr, srcport, dstport LIMIT ? OFFSET ?""",
                  [interface_id, *params, limit + 1, max(0, int(offset))])
    rows = table.to_pylist()
    return {
        "interface_id": interface_id, "format": fmt.log_format(), "window": window.as_dict(),
        "filter": pattern, "filter_mode": filter_mode, "filter_error": filter_error,
        "records": rows[:limit], "offset": offset, "more": len(rows) > limit,
    }

"""Top talkers and Contributor-Insights-style top-N over the store."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from ..errors import VpcFlowError
from ..store.schema import arrow
from ..timeutil import epoch

# What `--by` groups on: the flow-log columns behind each key.
KEYS: dict[str, tuple[str, ...]] = {
    "src": ("srcaddr",),
    "dst": ("dstaddr",),
    "pair": ("srcaddr", "dstaddr"),
    "srcport": ("srcport",),
    "dstport": ("dstport",),
    "protocol": ("protocol",),
    "interface": ("interface_id",),
    "action": ("action",),
    "account": ("account_id",),
    "vpc": ("vpc_id",),
    "subnet": ("subnet_id",),
    "instance": ("instance_id",),
}
METRICS = ("bytes", "packets", "flows")


def window_filter(since: datetime | None, until: datetime | None, action: str | None = None) -> tuple[str, list]:
    """A WHERE clause (with its bound parameters) for a time range on the capture window, and an action."""
    clauses, params = ["log_status = 'OK'"], []
    if since is not None:
        clauses.append('"end" >= ?')
        params.append(epoch(since))
    if until is not None:
        clauses.append("start < ?")
        params.append(epoch(until))
    if action is not None:
        clauses.append("action = ?")
        params.append(action.upper())
    return " AND ".join(clauses), params


def top(con: duckdb.DuckDBPyConnection, by: str = "pair", metric: str = "bytes", n: int = 10, *,
        action: str | None = None, since: datetime | None = None, until: datetime | None = None) -> pa.Table:
    """The n largest groups by a metric, largest first, with all three metrics for each."""
    if by not in KEYS:
        raise VpcFlowError(f"cannot group by {by!r}", hint=f"choose one of {', '.join(KEYS)}")
    if metric not in METRICS:
        raise VpcFlowError(f"unknown metric {metric!r}", hint=f"choose one of {', '.join(METRICS)}")
    if n < 1:
        raise VpcFlowError("-n must be at least 1")
    keys = ", ".join(f'"{k}"' for k in KEYS[by])
    where, params = window_filter(since, until, action)
    sql = f"""
        SELECT {keys}, sum(bytes)::BIGINT AS bytes, sum(packets)::BIGINT AS packets, count(*) AS flows
        FROM flows WHERE {where} AND {' AND '.join(f'"{k}" IS NOT NULL' for k in KEYS[by])}
        GROUP BY {keys} ORDER BY {metric} DESC, {keys} LIMIT ?"""
    return arrow(con, sql, [*params, n])

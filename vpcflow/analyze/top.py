"""Top talkers and Contributor-Insights-style top-N: one named query per grouping key (`top-{by}`), run by
`top()` on any engine (the store, Spark); the metric is a parameter, so ranking by bytes, packets or flows is
the same query."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from ..engines.engine import as_engine, run_query
from ..engines.queries import ALL_TIME, NamedQuery, register
from ..errors import VpcFlowError
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
TIME_RANGE = '"end" >= $since AND start < $until'
ACTION = "($action = 'ANY' OR action = $action)"


def _query(by: str) -> NamedQuery:
    cols = KEYS[by]
    keys = ", ".join(f'"{c}"' for c in cols)
    not_null = " AND ".join(f'"{c}" IS NOT NULL' for c in cols)
    # ranked outside the aggregate: Spark resolves sum(bytes) in ORDER BY to the output alias `bytes`
    sql = (f"SELECT * FROM (SELECT {keys}, CAST(sum(bytes) AS BIGINT) AS bytes, "
           f"CAST(sum(packets) AS BIGINT) AS packets, count(*) AS flows FROM flows "
           f"WHERE log_status = 'OK' AND {TIME_RANGE} AND {ACTION} AND {not_null} GROUP BY {keys}) AS grouped "
           f"ORDER BY CASE $metric WHEN 'packets' THEN packets WHEN 'flows' THEN flows ELSE bytes END DESC, {keys} "
           "LIMIT $n")
    return NamedQuery(f"top-{by}", f"Top {by} by a metric (bytes, packets or flows), largest first", sql,
                      {"metric": "bytes", "n": 10, "action": "ANY", **ALL_TIME},
                      needs=(*cols, "bytes", "packets", "start", "end", "log_status"))


for _by in KEYS:
    register(_query(_by))


def top(engine_or_store, by: str = "pair", metric: str = "bytes", n: int = 10, *, action: str | None = None,
        since: datetime | None = None, until: datetime | None = None) -> pa.Table:
    """The n largest groups by a metric, largest first, with all three metrics for each.

    `engine_or_store` is a Store, a DuckDB connection, or any vpcflow engine (Spark's included).
    """
    if by not in KEYS:
        raise VpcFlowError(f"cannot group by {by!r}", hint=f"choose one of {', '.join(KEYS)}")
    if metric not in METRICS:
        raise VpcFlowError(f"unknown metric {metric!r}", hint=f"choose one of {', '.join(METRICS)}")
    if n < 1:
        raise VpcFlowError("-n must be at least 1")
    params: dict = {"metric": metric, "n": n, "action": action.upper() if action else "ANY"}
    if since is not None:
        params["since"] = epoch(since)
    if until is not None:
        params["until"] = epoch(until)
    return run_query(as_engine(engine_or_store), f"top-{by}", params)


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

"""What Logs Insights names mean over the store: discovered flow-log fields and the functions, as SQL.

Declared as tables: a field is a column expression; a function is (min args, max args, SQL template).
"""

from __future__ import annotations

import ipaddress

from ...fields import DEFAULT, FIELDS
from ...store.schema import quote
from ..community_id import ip_hex_sql

# the fields Logs Insights discovers in default-format flow logs -> store columns
DISCOVERED = {
    "@timestamp": "to_timestamp(start)",  # CloudWatch's event timestamp is the record's start
    "@message": None,  # rebuilt below
    "@logStream": "log_stream",
    # the log group as the console names it (account:group) for cwl:// sources; other sources by their identity
    "@log": "(SELECT CASE WHEN s.identity LIKE 'cwl://%' THEN flows.account_id || ':' || substr(s.identity, 7, "
            "length(s.identity) - 7 - length(coalesce(flows.log_stream, ''))) ELSE s.identity END "
            "FROM sources AS s WHERE s.source_id = flows.source_id)",
    "version": "version", "accountId": "account_id", "interfaceId": "interface_id",
    "srcAddr": "srcaddr", "dstAddr": "dstaddr", "srcPort": "srcport", "dstPort": "dstport",
    "protocol": "protocol", "packets": "packets", "bytes": "bytes",
    "startTime": "start", "endTime": '"end"', "action": "action", "logStatus": "log_status",
}


def message_sql() -> str:
    """SQL: the record line in the default format, '-' for what the record lacks."""
    parts = ", ".join(f"coalesce({quote(c)}::VARCHAR, '-')" for c in DEFAULT.columns)
    return f"concat_ws(' ', {parts})"


def base_columns() -> list[tuple[str, str]]:
    """(name, SQL) of every field a query can name: the discovered ones, then the store's other columns."""
    cols = [(name, message_sql() if sql is None else sql) for name, sql in DISCOVERED.items()]
    taken = {name.lower() for name, _ in cols}
    cols += [(f.column, quote(f.column)) for f in FIELDS if f.column.lower() not in taken]
    return cols


# scalar functions: name (lower case) -> (min args, max args or None for any, template over {0}, {1}, ... / {all})
SCALARS = {
    "strlen": (1, 1, "length({0}::VARCHAR)"),
    "concat": (1, None, "concat({all})"),
    "toupper": (1, 1, "upper({0})"),
    "tolower": (1, 1, "lower({0})"),
    "trim": (1, 1, "trim({0})"),
    "ltrim": (1, 1, "ltrim({0})"),
    "rtrim": (1, 1, "rtrim({0})"),
    "substr": (2, 3, "substr({0}::VARCHAR, ({1}) + 1{rest})"),  # Insights counts from 0
    "replace": (3, 3, "replace({0}::VARCHAR, {1}, {2})"),
    "strcontains": (2, 2, "contains({0}::VARCHAR, {1})"),
    "abs": (1, 1, "abs({0})"),
    "ceil": (1, 1, "ceil({0})"),
    "floor": (1, 1, "floor({0})"),
    "round": (1, 2, "round({all})"),
    "log": (1, 1, "ln({0})"),
    "sqrt": (1, 1, "sqrt({0})"),
    "greatest": (1, None, "greatest({all})"),
    "least": (1, None, "least({all})"),
    "coalesce": (1, None, "coalesce({all})"),
    "frommillis": (1, 1, "to_timestamp(({0}) / 1000.0)"),
    "tomillis": (1, 1, "epoch_ms({0})"),
    "ispresent": (1, 1, "({0} IS NOT NULL)"),
    "isempty": (1, 1, "({0} IS NULL OR {0}::VARCHAR = '')"),
    "isblank": (1, 1, "({0} IS NULL OR trim({0}::VARCHAR) = '')"),
    "isvalidip": (1, 1, f"({ip_hex_sql('{0}')} IS NOT NULL)"),
    "isvalidipv4": (1, 1, f"(NOT contains({{0}}, ':') AND {ip_hex_sql('{0}')} IS NOT NULL)"),
    "isvalidipv6": (1, 1, f"(contains({{0}}, ':') AND {ip_hex_sql('{0}')} IS NOT NULL)"),
}

# aggregate functions (only in stats): name -> (min args, max args, template)
AGGREGATES = {
    "count": (0, 1, "count({0})"),
    "sum": (1, 1, "sum({0})"),
    "avg": (1, 1, "avg({0})"),
    "min": (1, 1, "min({0})"),
    "max": (1, 1, "max({0})"),
    "count_distinct": (1, 1, "count(DISTINCT {0})"),
    "pct": (2, 2, "quantile_cont({0}, ({1}) / 100.0)"),
    "stddev": (1, 1, "stddev_samp({0})"),
    "earliest": (1, 1, 'arg_min({0}, "@timestamp")'),
    "latest": (1, 1, 'arg_max({0}, "@timestamp")'),
}

# time functions with a period: datefloor(t, 5m), dateceil(t, 5m), bin(5m) = datefloor(@timestamp, 5m)
TIME_BUCKETS = {
    "datefloor": "to_timestamp(floor(epoch({0}) / {n}) * {n})",
    "dateceil": "to_timestamp(ceil(epoch({0}) / {n}) * {n})",
}


def subnet_bounds(cidr: str, *, v4_only: bool) -> tuple[str, str, int]:
    """(low hex, high hex, hex length) of a CIDR block, for comparing with ip_hex_sql; ValueError if bad."""
    network = ipaddress.ip_network(cidr, strict=False)
    if v4_only and network.version != 4:
        raise ValueError("isIpv4InSubnet needs an IPv4 CIDR block")
    width = 8 if network.version == 4 else 32
    low = format(int(network.network_address), f"0{width}x")
    high = format(int(network.broadcast_address), f"0{width}x")
    return low, high, width

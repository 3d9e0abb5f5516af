"""Values as JSON can hold them, the same for the CLI, the web API and the report."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import ipaddress
from collections.abc import Mapping
from typing import Any


def jsonable(value: Any) -> Any:
    """A value as JSON can hold it: times in ISO-8601 UTC, decimals as numbers."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address, enum.Enum)):
        return str(value.value if isinstance(value, enum.Enum) else value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def rows_of(data: Any) -> list[dict]:
    """Rows as plain dicts, from an Arrow table, a list of dicts or of dataclass-like objects."""
    if hasattr(data, "to_pylist"):
        return [{k: jsonable(v) for k, v in r.items()} for r in data.to_pylist()]
    rows = []
    for r in data:
        if not isinstance(r, Mapping):
            r = r.as_dict() if hasattr(r, "as_dict") else vars(r)
        rows.append({k: jsonable(v) for k, v in r.items()})
    return rows

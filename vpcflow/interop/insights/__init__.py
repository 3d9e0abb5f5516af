"""CloudWatch Logs Insights queries over the local store, translated to DuckDB SQL.

    sql, params = translate('filter action = "REJECT" | stats count(*) as rejects by srcAddr | sort rejects desc')
    table = run(store, query)            # a pyarrow.Table
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from ...errors import QueryError
from .tokens import InsightsError
from .translate import DEFAULT_LIMIT
from .translate import translate as _translate

__all__ = ["DEFAULT_LIMIT", "InsightsError", "run", "translate"]


def _epoch(value: datetime | int | None) -> int | None:
    return value if value is None or isinstance(value, int) else int(value.timestamp())


def translate(query: str, since: datetime | int | None = None, until: datetime | int | None = None) -> tuple[str, dict]:
    """Logs Insights query text -> (DuckDB SQL over `flows`, its named parameters); records start in [since, until)."""
    return _translate(query, _epoch(since), _epoch(until))


def run(store_or_connection, query: str, since: datetime | int | None = None,
        until: datetime | int | None = None) -> pa.Table:
    """Run a Logs Insights query on a Store (or a DuckDB connection to one); rows as a pyarrow.Table."""
    sql, params = translate(query, since, until)
    con = getattr(store_or_connection, "con", store_or_connection)
    try:
        return con.sql(sql, params=params).to_arrow_table()
    except duckdb.Error as exc:  # the engine's own complaint, e.g. comparing text with a number
        raise QueryError(f"the translated query failed: {str(exc).splitlines()[0]}",
                         hint="run with --show-sql to see the translation") from exc

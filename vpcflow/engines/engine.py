"""Run a named query or a DuckDB statement on any engine: the one entry point the CLI's `--engine` uses.

An engine has a `dialect` and `sql(text, params) -> Arrow`; a query written in DuckDB's dialect is
transpiled to the engine's dialect first, with its parameters bound by the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ..errors import QueryError, VpcFlowError
from ..store.schema import arrow
from .queries import NamedQuery, get
from .sql import transpile

ENGINES = ("duckdb", "spark")


class DuckDBEngine:
    """The store's own engine: the query runs as written."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, con):
        self.con = getattr(con, "con", con)
        from .detections import SIDE_TABLES, side_tables_sql

        have = {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        missing = [name for name in SIDE_TABLES if name not in have]
        if missing:
            try:  # a writable store gets the real tables, so enrichment loaded later is seen
                from ..detect.engine import ensure_tables

                ensure_tables(self.con)
            except (ImportError, duckdb.Error):
                for name in missing:  # a read-only store: empty temp views, gone with the connection
                    self.con.execute(f"CREATE TEMP VIEW {name} AS {side_tables_sql(name)}")

    def sql(self, sql: str, params: dict | None = None) -> pa.Table:
        try:
            return arrow(self.con, sql, params or None)
        except duckdb.Error as exc:
            raise QueryError(str(exc).splitlines()[0]) from exc


def run_sql(engine, sql: str, params: dict | None = None) -> pa.Table:
    """Run a DuckDB-dialect statement on `engine` (transpiled when the engine is not DuckDB)."""
    t = transpile(sql, engine.dialect, params)
    return engine.sql(t.sql, t.params)


def run_query(engine, query: NamedQuery | str, params: dict | None = None) -> pa.Table:
    """Run a named analysis or detection with its defaults overlaid by `params`."""
    q = get(query) if isinstance(query, str) else query
    return run_sql(engine, q.sql, q.bind(params))


@dataclass(frozen=True)
class SparkInput:
    """Where Spark reads records from: a Parquet lake, or raw flow-log files (text or Parquet)."""

    lake: str | None = None
    raw: tuple[str, ...] = ()
    format: str | None = None
    master: str = "local[*]"


def spark_engine(source: SparkInput, spark=None):
    """A SparkEngine over a lake or raw files; for raw files also the ReadReport (records, quarantine)."""
    from . import raw
    from . import spark as spark_mod

    if not source.lake and not source.raw:
        raise VpcFlowError("Spark needs data to read", hint="pass --lake DIR (a Parquet lake) or --raw PATH")
    spark = spark or spark_mod.session(source.master)
    if source.lake:
        return spark_mod.SparkEngine(spark, spark_mod.read_lake(spark, source.lake)), None
    report = raw.read_raw(spark, list(source.raw), source.format)
    return spark_mod.SparkEngine(spark, report.flows), report


def top(engine, by: str = "pair", metric: str = "bytes", n: int = 10, *, action: str | None = None,
        since=None, until=None) -> pa.Table:
    """vpcflow.analyze.top.top on any engine: the `top-{by}` named query with the same options."""
    from ..analyze.top import KEYS, METRICS
    from ..timeutil import epoch

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
    return run_query(engine, f"top-{by}", params)

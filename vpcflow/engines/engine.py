"""Run a named query or a DuckDB statement on any engine: the one entry point every caller uses.

An engine has a `dialect`, `sql(text, params) -> Arrow`, `columns()` (what `flows` carries) and
`materialize(name, sql, params)` / `release(name)` for the shared relations several queries read. A query
written in DuckDB's dialect is transpiled to the engine's dialect first, with its parameters bound by the
engine; a shared relation the engine has not materialized with the same parameters is inlined as a CTE.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ..errors import QueryError, VpcFlowError
from ..store.schema import arrow, present_columns
from .queries import RELATIONS, NamedQuery, get, side_tables
from .sql import placeholders, transpile

ENGINES = ("duckdb", "spark")


class DuckDBEngine:
    """The store's own engine: the query runs as written."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, con):
        self.con = getattr(con, "con", con)
        self.materialized: dict[str, dict] = {}
        have = {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        missing = [t for name, t in side_tables().items() if name not in have]
        if not missing:
            return
        read_only = self.con.execute(
            "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
        for table in missing:  # a writable store gets the real table, so what is loaded later is seen
            self.con.execute(f"CREATE TEMP VIEW {table.name} AS {table.empty_sql()}" if read_only
                             else table.create_sql()).fetchall()

    def sql(self, sql: str, params: dict | None = None) -> pa.Table:
        try:
            return arrow(self.con, sql, params or None)
        except duckdb.Error as exc:
            raise QueryError.of(exc) from exc

    def columns(self) -> set[str]:
        """The flow-log columns some ingested format has (the store's table has every field)."""
        return set(present_columns(self.con))

    def materialize(self, name: str, sql: str, params: dict) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}", params).fetchall()

    def release(self, name: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {name}").fetchall()


def as_engine(engine_or_store):
    """An engine as given, or the DuckDB engine over a Store or a DuckDB connection."""
    return engine_or_store if hasattr(engine_or_store, "dialect") else DuckDBEngine(engine_or_store)


def run_sql(engine, sql: str, params: dict | None = None) -> pa.Table:
    """Run a DuckDB-dialect statement on `engine` (transpiled when the engine is not DuckDB)."""
    t = transpile(sql, engine.dialect, params)
    return engine.sql(t.sql, t.params)


def run_query(engine, query: NamedQuery | str, params: dict | None = None) -> pa.Table:
    """Run a named analysis or detection with its defaults overlaid by `params`."""
    q = get(query) if isinstance(query, str) else query
    bound = q.bind(params)
    built = getattr(engine, "materialized", {})
    ready = {n for n, p in built.items() if all(bound.get(k) == v for k, v in p.items())}
    statement = q.statement(ready)
    if engine.dialect == "duckdb":  # written in DuckDB's dialect: run as written, without sqlglot's round trip
        return engine.sql(statement, {n: bound[n] for n in placeholders(statement) if n in bound})
    return run_sql(engine, statement, bound)


@contextmanager
def materialized(engine, names, params: dict) -> Iterator[None]:
    """Build the shared relations `names` once on the engine for the queries run inside (same `params`)."""
    built = []
    try:
        for name in sorted(set(names) & set(RELATIONS)):
            rel = RELATIONS[name]
            values = {k: params[k] for k in rel.parameters}
            t = transpile(rel.sql, engine.dialect, values)
            engine.materialize(name, t.sql, t.params)
            engine.materialized[name] = values
            built.append(name)
        yield
    finally:
        for name in built:  # a gigabyte at 50M records: free it for whatever the session does next
            engine.materialized.pop(name, None)
            engine.release(name)


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

"""Run a named query or a DuckDB statement on any engine: the one entry point every caller uses.

An engine has a `dialect`, `sql(text, params) -> Arrow`, `columns()` (what `flows` carries) and
`materialize(name, sql, params)` / `release(name)` for the shared relations several queries read. A query
written in DuckDB's dialect is transpiled to the engine's dialect first, with its parameters bound by the
engine; a shared relation the engine has not materialized with the same parameters is inlined as a CTE.
The DuckDB engine also hands out `cursors(n)`: engines for other threads that see what it materialized.
"""

from __future__ import annotations

import uuid
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
        # An in-memory database holding the materialized relations while there are any, so that other cursors
        # of the instance see them too (a TEMP table is its connection's alone); None where that cannot be.
        self.shared: str | None = None
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

    def shareable(self) -> bool:
        """Whether other cursors can read what this connection builds: a DuckDB connection of this process
        (not the holder's, reached over a socket) outside a transaction (whose writes no other cursor sees)."""
        if not isinstance(self.con, duckdb.DuckDBPyConnection):
            return False
        # Each statement outside a transaction is one of its own; inside one they share its id.
        return len({self.con.execute("SELECT txid_current()").fetchall()[0][0] for _ in range(2)}) == 2

    def materialize(self, name: str, sql: str, params: dict) -> None:
        if self.shared is None and not self.materialized and self.shareable():
            self.shared = f"vpcflow_shared_{uuid.uuid4().hex[:12]}"  # its own: two engines may share an instance
            # READ_WRITE: on a store opened read-only an attached database would be read-only too
            self.con.execute(f"ATTACH ':memory:' AS {self.shared} (READ_WRITE)").fetchall()
        if self.shared is None:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}", params).fetchall()
            return
        built = False
        try:
            self.con.execute(f"CREATE OR REPLACE TABLE {self.shared}.{name} AS {sql}", params).fetchall()
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {self.shared}.{name}").fetchall()
            built = True
        finally:
            if not built and not self.materialized:  # a failure or Ctrl-C leaves nothing attached
                self._detach()

    def release(self, name: str) -> None:
        if self.shared is None:
            self.con.execute(f"DROP TABLE IF EXISTS {name}").fetchall()
            return
        self.con.execute(f"DROP VIEW IF EXISTS {name}").fetchall()
        self.con.execute(f"DROP TABLE IF EXISTS {self.shared}.{name}").fetchall()
        if not set(self.materialized) - {name}:
            self._detach()

    def interrupt(self) -> None:
        """Stop the query running on this connection (from another thread)."""
        self.con.interrupt()

    def _detach(self) -> None:
        self.con.execute(f"DETACH DATABASE IF EXISTS {self.shared}").fetchall()
        self.shared = None

    @contextmanager
    def cursors(self, n: int) -> Iterator[list[DuckDBEngine]]:
        """`n` engines on cursors of this connection's DuckDB instance, one per thread, each seeing the side
        tables and the relations materialized so far; just this engine when they could not see them."""
        if n < 2 or (self.materialized and self.shared is None) or not self.shareable():
            yield [self]
            return
        opened: list[duckdb.DuckDBPyConnection] = []
        try:
            for _ in range(n):
                opened.append(cursor := self.con.cursor())
                if cursor.execute("SELECT current_setting('enable_progress_bar')").fetchall()[0][0]:
                    cursor.execute("SET enable_progress_bar = false").fetchall()  # not from other threads
            engines = [DuckDBEngine(cursor) for cursor in opened]  # a read-only store's empty side tables, too
            for engine in engines:
                for name, values in self.materialized.items():
                    engine.con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM {self.shared}.{name}").fetchall()
                    engine.materialized[name] = values
            yield engines
        finally:
            for cursor in opened:  # its TEMP views go with it
                cursor.close()


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
def materialized(engine, names, params: dict, sql: dict[str, str] | None = None) -> Iterator[None]:
    """Build the shared relations `names` once on the engine for the queries run inside (same `params`). A
    relation named in `sql` is built from that statement instead of its own (the sums a store keeps, in
    vpcflow.cost.kept), its parameters bound from `params` as well."""
    built = []
    try:
        for name in sorted(set(names) & set(RELATIONS)):
            rel = RELATIONS[name]
            values = {k: params[k] for k in rel.parameters}
            text = (sql or {}).get(name, rel.sql)
            if engine.dialect == "duckdb":  # as written, as run_query does: sqlglot's round trip costs 30-60 ms
                engine.materialize(name, text, {n: params[n] for n in placeholders(text)})
            else:
                t = transpile(text, engine.dialect, {k: params[k] for k in placeholders(text)})
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

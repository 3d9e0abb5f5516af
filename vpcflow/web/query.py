"""The query page's SQL: one read-only statement, at most a row limit of rows, stopped after a time limit."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ..errors import QueryError

ALLOWED = {"SELECT", "EXPLAIN"}
ROW_LIMIT = 10_000
TIME_LIMIT = 10.0  # seconds


@dataclass
class QueryResult:
    table: pa.Table
    truncated: bool
    seconds: float


def check(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse anything but one SELECT or EXPLAIN, before it reaches the engine."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0], location="query") from exc
    if len(statements) != 1:
        raise QueryError(f"give exactly one statement, not {len(statements)}", location="query")
    kind = statements[0].type.name
    if kind not in ALLOWED:
        raise QueryError(f"only read-only queries run here, not {kind}", location="query",
                         hint="use SELECT or EXPLAIN; the dashboard never changes the store")
    _store_tables_only(con, sql)


_EXPLAIN = re.compile(r"\s*EXPLAIN(\s+ANALYZE)?\s", re.IGNORECASE)
_PARSER = threading.local()
GENERATORS = {"range", "generate_series", "unnest"}  # table functions that make rows and read nothing


def _store_tables_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse reading anything but the store's own tables and views: no table function and no file named as a
    table. A store held for writing cannot lock DuckDB's external access off (ingest reads files through it)."""
    if not hasattr(_PARSER, "con"):
        _PARSER.con = duckdb.connect(":memory:")  # parsing needs no data
    text = sql[_EXPLAIN.match(sql).end():] if _EXPLAIN.match(sql) else sql
    tree = json.loads(_PARSER.con.execute("SELECT json_serialize_sql(?)", [text]).fetchall()[0][0])
    if tree.get("error"):
        raise QueryError(tree.get("error_message", "cannot read this query"), location="query")
    known = {r[0].lower() for r in con.execute(
        "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()").fetchall()}
    nodes = list(_walk(tree))
    known |= {m["key"].lower() for n in nodes if "cte_map" in n for m in n["cte_map"]["map"]}
    for n in nodes:
        if n.get("type") == "TABLE_FUNCTION" and n["function"].get("function_name", "").lower() not in GENERATORS:
            raise QueryError("only the store's tables can be read here, not table functions", location="query",
                             hint="query the store's tables: flows, sources, quarantine, findings")
        if n.get("type") == "BASE_TABLE" and (n.get("catalog_name") or n["table_name"].lower() not in known):
            raise QueryError(f"no table {n['table_name']!r} in the store", location="query",
                             hint="query the store's tables: flows, sources, quarantine, findings")


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def limit_to_window(cur: duckdb.DuckDBPyConnection, since: int | None, until: int | None) -> None:
    """Shadow `flows` on this cursor with a temporary view of the time range, so the query page honours the
    range picker. The bounds are integers, never user text."""
    if since is None and until is None:
        return
    body = cur.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'flows' AND schema_name = 'main' "
                       "AND NOT temporary").fetchall()[0][0]
    select = body[body.upper().index(" AS SELECT ") + 4:].rstrip().rstrip(";")
    clauses = [f'"end" >= {int(since)}'] if since is not None else []
    clauses += [f"start < {int(until)}"] if until is not None else []
    cur.execute(f"CREATE OR REPLACE TEMP VIEW flows AS SELECT * FROM ({select}) WHERE {' AND '.join(clauses)}")


def run(con: duckdb.DuckDBPyConnection, sql: str, *, row_limit: int = ROW_LIMIT, time_limit: float = TIME_LIMIT,
        since: int | None = None, until: int | None = None) -> QueryResult:
    """Run on a cursor of its own, over `flows` limited to [since, until) when given; the engine is
    interrupted when the time limit passes."""
    check(con, sql)
    cur = con.cursor()
    limit_to_window(cur, since, until)
    timer = threading.Timer(time_limit, cur.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        reader = cur.sql(sql).to_arrow_reader(min(row_limit + 1, 100_000))
        batches, rows = [], 0
        for batch in reader:
            batches.append(batch)
            rows += batch.num_rows
            if rows > row_limit:
                break
        table = pa.Table.from_batches(batches, schema=reader.schema)
    except duckdb.InterruptException as exc:
        raise QueryError(f"stopped after the time limit of {time_limit:g} s", location="query",
                         hint="narrow the query: a WHERE on start, fewer columns, or a LIMIT") from exc
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0], location="query") from exc
    finally:
        timer.cancel()
        cur.close()
    return QueryResult(table.slice(0, row_limit), table.num_rows > row_limit, time.perf_counter() - started)


def to_csv(table: pa.Table) -> str:
    """CSV with a header row; values as text, nulls empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(["" if v is None else v for v in row.values()])
    return out.getvalue()

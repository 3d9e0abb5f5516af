"""The query page's SQL: one read-only statement, at most a row limit of rows and a byte limit of data, stopped
after a time limit."""

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
BYTE_LIMIT = 16 * 2**20  # of Arrow data; the JSON answer is a few times that, so a page's memory stays bounded
TIME_LIMIT = 10.0  # seconds
BATCH_ROWS = 1024  # read in small batches, so one batch of wide rows cannot overshoot the byte limit by much


@dataclass
class QueryResult:
    table: pa.Table
    truncated: bool
    seconds: float
    truncated_by: str | None = None  # "rows" or "bytes": which limit cut the answer short


def check(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse anything but one SELECT or EXPLAIN, before it reaches the engine."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError.of(exc, location="query") from exc
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
    range picker (the store's own view already hides a source still loading). The bounds are integers, never
    user text."""
    clauses = [f'"end" >= {int(since)}'] if since is not None else []
    clauses += [f"start < {int(until)}"] if until is not None else []
    if not clauses:
        return
    body = cur.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'flows' AND schema_name = 'main' "
                       "AND NOT temporary").fetchall()[0][0]
    select = body[body.upper().index(" AS SELECT ") + 4:].rstrip().rstrip(";")
    cur.execute(f"CREATE OR REPLACE TEMP VIEW flows AS SELECT * FROM ({select}) WHERE {' AND '.join(clauses)}")


def run(con: duckdb.DuckDBPyConnection, sql: str, *, row_limit: int = ROW_LIMIT, time_limit: float = TIME_LIMIT,
        byte_limit: int = BYTE_LIMIT, since: int | None = None, until: int | None = None) -> QueryResult:
    """Run on a cursor of its own, over `flows` limited to [since, until) when given; the engine is
    interrupted when the time limit passes, and reading stops at the row or the byte limit."""
    check(con, sql)
    cur = con.cursor()
    limit_to_window(cur, since, until)
    timer = threading.Timer(time_limit, cur.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        reader = cur.sql(sql).to_arrow_reader(BATCH_ROWS)
        batches, rows, size, truncated_by = [], 0, 0, None
        for batch in reader:
            if batch.num_rows > row_limit - rows:  # a batch after the limit's last row says there were more
                batch, truncated_by = batch.slice(0, row_limit - rows), "rows"
            if batch.nbytes > byte_limit - size:
                batch, truncated_by = _fit(batch, byte_limit - size), "bytes"
            batches.append(batch)
            rows, size = rows + batch.num_rows, size + batch.nbytes
            if truncated_by:
                break
        table = pa.Table.from_batches(batches, schema=reader.schema)
    except duckdb.InterruptException as exc:
        raise QueryError(f"stopped after the time limit of {time_limit:g} s", location="query",
                         hint="narrow the query: a WHERE on start, fewer columns, or a LIMIT") from exc
    except duckdb.Error as exc:
        raise QueryError.of(exc, location="query") from exc
    finally:
        timer.cancel()
        cur.close()
    return QueryResult(table, truncated_by is not None, time.perf_counter() - started, truncated_by)


def _fit(batch: pa.RecordBatch, room: int) -> pa.RecordBatch:
    """The longest head of the batch within `room` bytes (a slice's nbytes counts only the rows it holds)."""
    low, high = 0, batch.num_rows
    while low < high:
        mid = (low + high + 1) // 2
        if batch.slice(0, mid).nbytes <= room:
            low = mid
        else:
            high = mid - 1
    return batch.slice(0, low)


def to_csv(table: pa.Table) -> str:
    """CSV with a header row; values as text, nulls empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(["" if v is None else v for v in row.values()])
    return out.getvalue()

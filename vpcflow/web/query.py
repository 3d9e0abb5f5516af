"""The query page's SQL: one read-only statement, at most a row limit of rows, stopped after a time limit."""

from __future__ import annotations

import csv
import io
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

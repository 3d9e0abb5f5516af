"""Athena: the transpiled SQL of a named analysis or detection, and running it through boto3.

Athena substitutes parameters into the query text, so values are written in as literals that sqlglot builds
and quotes (vpcflow.engines.sql.transpile(inline=True)), never pasted as raw strings. The table the query
reads is named by the user (`flows` → their table), through sqlglot as well.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pyarrow as pa
import sqlglot
from sqlglot import exp

from ..aws.errors import AwsError, aws_call
from ..engines.queries import get, side_tables, side_tables_read
from ..engines.sql import transpile
from ..errors import VpcFlowError

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
_TYPES = {"tinyint": pa.int8(), "smallint": pa.int16(), "integer": pa.int32(), "int": pa.int32(),
          "bigint": pa.int64(), "double": pa.float64(), "float": pa.float32(), "real": pa.float32(),
          "boolean": pa.bool_()}


class AthenaError(VpcFlowError):
    """Athena refused or failed the query."""


def athena_sql(name: str, params: dict | None = None, *, table: str = "flows", pretty: bool = True) -> str:
    """The query NAME in Athena's dialect, parameters written in, reading `table` instead of `flows`.

    Side tables a detection reads (interface enrichment, threat list) become empty CTEs: on Athena a
    threat-list detection therefore finds nothing (a documented gap).
    """
    q = get(name)
    sql = q.statement()
    sides = side_tables_read(q)
    if sides or table != "flows":
        tree = sqlglot.parse_one(sql, read="duckdb")

        def rename(node):
            if isinstance(node, exp.Table) and node.name == "flows" and not node.args.get("db"):
                parts = table.split(".")
                return exp.table_(parts[-1], db=parts[0] if len(parts) > 1 else None)
            return node

        tree = tree.transform(rename)
        for side in sides:
            cte = sqlglot.parse_one(side_tables()[side].empty_sql(), read="duckdb")
            tree = _prepend(tree, side, cte)
        return transpile(tree.sql(dialect="duckdb"), "athena", q.bind(params), inline=True, pretty=pretty).sql
    return transpile(sql, "athena", q.bind(params), inline=True, pretty=pretty).sql


def _prepend(tree: exp.Expression, name: str, body: exp.Expression) -> exp.Expression:
    cte = exp.CTE(this=body, alias=exp.TableAlias(this=exp.to_identifier(name)))
    existing = tree.args.get("with_")
    if existing is None:
        tree.set("with_", exp.With(expressions=[cte]))
    else:
        existing.set("expressions", [cte, *existing.expressions])
    return tree


def run(client, sql: str, *, database: str = "default", output: str | None = None, workgroup: str | None = None,
        poll: float = 1.0, timeout: float = 600.0, sleep: Callable[[float], None] = time.sleep) -> pa.Table:
    """Start the query, wait for it, and return its rows as Arrow (typed from Athena's result metadata)."""
    request: dict = {"QueryString": sql, "QueryExecutionContext": {"Database": database}}
    if output:
        request["ResultConfiguration"] = {"OutputLocation": output}
    if workgroup:
        request["WorkGroup"] = workgroup
    try:
        with aws_call("athena:StartQueryExecution", f"Athena database {database}"):
            qid = client.start_query_execution(**request)["QueryExecutionId"]
    except AwsError as err:
        raise AthenaError(f"Athena refused the query: {err.message}", location=err.location,
                          hint=err.hint or "check the database, workgroup and --output s3:// location") from err
    waited = 0.0
    while True:
        with aws_call("athena:GetQueryExecution", f"Athena query {qid}"):
            status = client.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        if status["State"] in TERMINAL:
            break
        if waited >= timeout:
            raise AthenaError(f"query {qid} still {status['State']} after {timeout:.0f} s",
                              hint="see it in the Athena console; raise --timeout")
        sleep(poll)
        waited += poll
    if status["State"] != "SUCCEEDED":
        raise AthenaError(f"query {qid} {status['State']}: {status.get('StateChangeReason', 'no reason given')}")
    return results(client, qid)


def results(client, qid: str) -> pa.Table:
    """Every page of a query's results; the first row of the first page is the header, as Athena writes it."""
    names: list[str] = []
    types: list[str] = []
    rows: list[list] = []
    first = True
    with aws_call("athena:GetQueryResults", f"Athena query {qid}"):
        pages = list(client.get_paginator("get_query_results").paginate(QueryExecutionId=qid))
    for page in pages:
        result = page["ResultSet"]
        if not names:
            meta = result.get("ResultSetMetadata", {}).get("ColumnInfo", [])
            names = [c["Name"] for c in meta]
            types = [c.get("Type", "varchar") for c in meta]
        data = result.get("Rows", [])
        if first and data and names and [d.get("VarCharValue") for d in data[0]["Data"]] == names:
            data = data[1:]  # the header row Athena puts first for SELECT results
        first = False
        rows += [[d.get("VarCharValue") for d in r["Data"]] for r in data]
    if not names and rows:
        names = [f"_col{i}" for i in range(len(rows[0]))]
        types = ["varchar"] * len(names)
    columns = {}
    for i, (name, kind) in enumerate(zip(names, types, strict=True)):
        values = [r[i] if i < len(r) else None for r in rows]
        arrow_type = _TYPES.get(kind.lower())
        if arrow_type is None:
            columns[name] = pa.array(values, pa.string())
        else:
            columns[name] = pa.array(values, pa.string()).cast(arrow_type)
    return pa.table(columns)



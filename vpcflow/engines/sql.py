"""One query, every engine: DuckDB SQL with `$name` parameters, transpiled by sqlglot to Spark SQL and Trino/Athena.

Parameters stay parameters wherever the engine can bind them: DuckDB keeps `$name`, Spark gets `:name` markers
(bound by `spark.sql(query, args=...)`). Athena's parameters are positional text substituted into the query,
so for Athena the values are written in (`inline=True`) as literal nodes that sqlglot builds and quotes:
a value is never pasted into SQL as raw text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.dialects.spark import Spark
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from ..errors import VpcFlowError


def _within_group(self, e: exp.WithinGroup) -> str:
    """Spark 3.3+ has the exact ordered-set aggregates; sqlglot would write the approximate one."""
    inner = e.this
    if isinstance(inner, (exp.PercentileCont, exp.PercentileDisc)):
        name = "percentile_cont" if isinstance(inner, exp.PercentileCont) else "percentile_disc"
        return f"{name}({self.sql(inner, 'this')}) WITHIN GROUP ({self.sql(e, 'expression').strip()})"
    return f"{self.sql(e, 'this')} WITHIN GROUP ({self.sql(e, 'expression').strip()})"


class VpcSpark(Spark):
    """sqlglot's Spark dialect, keeping exact percentiles exact."""

    class Generator(Spark.Generator):
        TRANSFORMS = {**Spark.Generator.TRANSFORMS, exp.WithinGroup: _within_group}


# vpcflow's engine names -> sqlglot dialects
DIALECTS = {"duckdb": "duckdb", "spark": VpcSpark, "athena": "athena", "trino": "trino"}


class TranspileError(VpcFlowError):
    """A query sqlglot cannot carry to another engine, or a parameter it was not given."""


@dataclass(frozen=True)
class Transpiled:
    """A query in one engine's dialect, with the parameters that engine binds."""

    sql: str
    dialect: str
    names: tuple[str, ...]  # the parameters the query uses, sorted
    params: dict = field(default_factory=dict)  # name -> value, for engines that bind by name


def parameters(sql: str) -> tuple[str, ...]:
    """The `$name` parameters a DuckDB query uses, sorted."""
    return tuple(sorted({p.name for p in _parse(sql).find_all(exp.Placeholder) if p.name}))


@lru_cache(maxsize=256)
def placeholders(sql: str) -> tuple[str, ...]:
    """The `$name` parameters of a DuckDB statement, sorted, from sqlglot's tokenizer alone (no parse: a named
    query run on DuckDB needs its parameter names, not its tree)."""
    tokens = DuckDB().tokenize(sql)
    return tuple(sorted({b.text for a, b in zip(tokens, tokens[1:], strict=False)
                         if a.token_type == TokenType.PARAMETER and b.start == a.end + 1 and b.token_type == TokenType.VAR}))


def _parse(sql: str) -> exp.Expression:
    try:
        return sqlglot.parse_one(sql, read="duckdb")
    except SqlglotError as exc:
        raise TranspileError(f"sqlglot cannot parse the query: {str(exc).splitlines()[0]}") from exc


def literal(value) -> exp.Expression:
    """A value as a SQL literal node; the generator quotes it (and escapes quotes) for the dialect."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float, str)):
        return exp.convert(value)
    if isinstance(value, (list, tuple)):
        return exp.Array(expressions=[literal(v) for v in value])
    if isinstance(value, dt.datetime):
        return exp.convert(int(value.timestamp()))
    raise TranspileError(f"cannot write a {type(value).__name__} as a SQL literal", hint="pass str, int, float, bool or a list of them")


def _unique_ctes(tree: exp.Expression) -> exp.Expression:
    """Rename a nested CTE whose name an outer one already uses, within the query that defines it.

    sqlglot hoists nested WITHs to the top for Spark and Trino, where two CTEs of one name are an error.
    """
    seen: set[str] = set()
    for with_ in list(tree.find_all(exp.With)):  # breadth first: outer names are kept
        scope = with_.parent
        for cte in with_.expressions:
            name = new = cte.alias
            k = 2
            while new in seen:
                new, k = f"{name}_{k}", k + 1
            seen.add(new)
            if new == name:
                continue
            cte.set("alias", exp.TableAlias(this=exp.to_identifier(new)))
            for node in scope.find_all(exp.Table, exp.Column):
                if isinstance(node, exp.Table) and node.name == name and not node.args.get("db"):
                    node.set("this", exp.to_identifier(new))
                elif isinstance(node, exp.Column) and node.table == name:
                    node.set("table", exp.to_identifier(new))
    return tree


def _arbitrary(node: exp.Expression) -> exp.Expression:
    """Trino's arbitrary() skips NULLs as DuckDB's any_value() does, and takes IGNORE NULLS only over a window."""
    if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue):
        return node.this
    return node


def transpile(sql: str, dialect: str, params: dict | None = None, *, inline: bool = False, pretty: bool = False) -> Transpiled:
    """Carry a DuckDB query to `dialect` (duckdb, spark, athena, trino).

    inline=True writes each parameter's value as a literal (every parameter must then be given); otherwise
    markers stay: `$name` (duckdb), `:name` (spark, athena, trino).
    """
    if dialect not in DIALECTS:
        raise TranspileError(f"unknown engine dialect {dialect!r}", hint=f"use one of {', '.join(DIALECTS)}")
    tree = _parse(sql)
    names = parameters(sql)
    params = dict(params or {})
    if inline:
        missing = [n for n in names if n not in params]
        if missing:
            raise TranspileError(f"no value for parameter ${missing[0]}", hint="give it with --param NAME=VALUE")

    def swap(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Placeholder) or not node.name:
            return node
        return literal(params[node.name]) if inline else node

    tree = tree.transform(swap)
    if dialect in ("athena", "trino"):
        tree = tree.transform(_arbitrary)
    if dialect != "duckdb":
        tree = _unique_ctes(tree)
    try:
        text = tree.sql(dialect=DIALECTS[dialect], pretty=pretty, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except SqlglotError as exc:
        raise TranspileError(f"sqlglot cannot write this query for {dialect}: {str(exc).splitlines()[0]}") from exc
    kept = {} if inline else {n: params[n] for n in names if n in params}
    return Transpiled(text, dialect, names, kept)

"""The detections of vpcflow.detect as self-contained named queries, for every engine.

A detection's SQL reads the shared aggregate `flow_windows`, which vpcflow.detect builds as a temporary table
once per run. Here the aggregate becomes a leading CTE of the detection's own statement (built by sqlglot,
not by string pasting), so one statement runs on DuckDB, Spark and Athena alike. The side tables the
aggregate and some detections read (`enrich_interfaces`, `threat_list`) are the engine's to provide:
`side_tables()` gives their empty shapes.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.tokens import Tokenizer, TokenType

from .queries import NamedQuery

WINDOW = 600  # seconds per row of flow_windows, as vpcflow.detect uses
# Side tables: name -> (column, DuckDB type); empty unless the user has loaded enrichment or a threat list.
SIDE_TABLES = {
    "enrich_interfaces": (("interface_id", "VARCHAR"), ("address", "VARCHAR"), ("resource_type", "VARCHAR"),
                          ("resource_id", "VARCHAR"), ("name", "VARCHAR"), ("subnet_id", "VARCHAR"),
                          ("vpc_id", "VARCHAR"), ("security_groups", "VARCHAR"), ("source", "VARCHAR")),
    "threat_list": (("network", "VARCHAR"), ("low", "BIGINT"), ("high", "BIGINT"), ("list", "VARCHAR")),
}


def with_aggregates(sql: str, aggregates: dict[str, str]) -> str:
    """The detection's statement with each aggregate it reads prepended as a CTE (DuckDB dialect).

    Spliced at the statement's leading WITH token, found by sqlglot's tokenizer: regenerating the SQL from
    sqlglot's tree would rewrite `percentile_cont(q) WITHIN GROUP (...)` into a form it cannot read back.
    """
    tree = sqlglot.parse_one(sql, read="duckdb")
    read = {t.name for t in tree.find_all(exp.Table)}
    ctes = ", ".join(f"{name} AS ({body.strip()})" for name, body in aggregates.items() if name in read)
    if not ctes:
        return sql
    if tree.args.get("with_") is None:
        return f"WITH {ctes}\n{sql.strip()}"
    first = next(t for t in Tokenizer().tokenize(sql) if t.token_type == TokenType.WITH)
    return f"{sql[:first.end + 1]} {ctes},{sql[first.end + 1:]}".strip()


def side_tables_sql(name: str) -> str:
    """An empty relation with a side table's columns (DuckDB dialect)."""
    cols = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in SIDE_TABLES[name])
    return f"SELECT {cols} WHERE 1 = 0"


@lru_cache(maxsize=1)
def load() -> dict[str, NamedQuery]:
    """Every registered detection as a NamedQuery (empty when vpcflow.detect is not there)."""
    try:
        from ..detect import detections
        from ..detect.aggregates import AGGREGATES
    except ImportError:
        return {}
    out: dict[str, NamedQuery] = {}
    for d in detections():
        sql = with_aggregates(d.sql, AGGREGATES)
        defaults = {**d.defaults(), "window": WINDOW, "since": 0, "until": 2**62}
        names = {p.name for p in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Placeholder) if p.name}
        out[d.id] = NamedQuery(d.id, d.title, sql, {k: v for k, v in defaults.items() if k in names},
                               kind="detection")
    return out


def reads_side_table(query: NamedQuery) -> list[str]:
    names = {t.name for t in sqlglot.parse_one(query.sql, read="duckdb").find_all(exp.Table)}
    return [n for n in SIDE_TABLES if n in names]

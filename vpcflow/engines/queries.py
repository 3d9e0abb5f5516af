"""The registry of named queries every engine runs, filled by the analysis packages themselves.

Each analysis, detection or diagnose leg is one DuckDB statement over `flows` with `$name` parameters and
defaults, registered by the package that owns it. The packages are found through the `vpcflow.analyses`
entry-point group: vpcflow's own (analyze, detect, diagnose) are declared in pyproject.toml exactly as a
plugin's would be, and importing one registers its queries.

Besides `flows`, a query may read a side table (data a user loads, such as a threat list: empty unless
loaded) or a shared relation (an aggregate over `flows` that several queries read, such as the detections'
`flow_windows`). Whoever owns one declares it here; the engines provide both generically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sqlglot
from sqlglot import exp

from ..errors import NotFound, VpcFlowError
from ..fields.needs import FieldNeeds, declare, load_analyses

ALL_TIME = {"since": 0, "until": 253402300800}  # [since, until) on the capture window; until = year 10000


@dataclass(frozen=True)
class NamedQuery:
    """One analysis, detection or diagnose leg: its name, what it answers, its SQL and its parameters' defaults.

    `needs` are flow-log columns without which it cannot run, `uses` columns it is better with (degraded
    without); `max_interval` is the coarsest aggregation interval (seconds) that still resolves it.
    """

    name: str
    title: str
    sql: str
    defaults: dict = field(default_factory=dict)
    kind: str = "analysis"  # analysis | detection | diagnose
    needs: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    max_interval: int | None = None
    why_interval: str = ""

    def bind(self, given: dict | None = None) -> dict:
        """Defaults overlaid by given values (converted to the default's type); unknown names are refused."""
        given = dict(given or {})
        unknown = sorted(set(given) - set(self.defaults))
        if unknown:
            raise VpcFlowError(f"{self.name} has no parameter {unknown[0]!r}",
                               hint=f"its parameters: {', '.join(sorted(self.defaults)) or 'none'}")
        out = dict(self.defaults)
        for k, v in given.items():
            out[k] = _as_type(self.name, k, v, self.defaults[k])
        return out

    @cached_property
    def tables(self) -> frozenset[str]:
        """The tables the written SQL reads (flows, side tables, shared relations), CTE names excluded."""
        tree = sqlglot.parse_one(self.sql, read="duckdb")
        ctes = {c.alias for c in tree.find_all(exp.CTE)}
        return frozenset(t.name for t in tree.find_all(exp.Table) if t.name not in ctes)

    def statement(self, materialized: frozenset[str] | set[str] = frozenset()) -> str:
        """The SQL to run: each shared relation it reads and the engine has not materialized, as a leading CTE."""
        inline = {n: RELATIONS[n].sql for n in sorted(self.tables) if n in RELATIONS and n not in materialized}
        return with_ctes(self.sql, inline)


def _as_type(query: str, name: str, value, default):
    if not isinstance(value, str) or isinstance(default, str) or default is None:
        return value
    if isinstance(default, (list, tuple)):  # "22,3389" for a list of ports
        kind = type(default[0]) if default else str
        return [_as_type(query, name, v.strip(), kind()) for v in value.split(",") if v.strip()]
    try:
        return type(default)(value)
    except ValueError as exc:
        raise VpcFlowError(f"{query}: parameter {name} wants a {type(default).__name__}, not {value!r}") from exc


def with_ctes(sql: str, ctes: dict[str, str]) -> str:
    """`sql` with each (name, body) prepended as a CTE, all in DuckDB's dialect.

    Spliced at the statement's leading WITH token, found by sqlglot's tokenizer: regenerating the SQL from
    sqlglot's tree would rewrite `percentile_cont(q) WITHIN GROUP (...)` into a form it cannot read back.
    """
    if not ctes:
        return sql
    from sqlglot.tokens import Tokenizer, TokenType

    text = ", ".join(f"{name} AS ({body.strip()})" for name, body in ctes.items())
    if sqlglot.parse_one(sql, read="duckdb").args.get("with_") is None:
        return f"WITH {text}\n{sql.strip()}"
    first = next(t for t in Tokenizer().tokenize(sql) if t.token_type == TokenType.WITH)
    return f"{sql[:first.end + 1]} {text},{sql[first.end + 1:]}".strip()


@dataclass(frozen=True)
class SideTable:
    """A table queries read beside `flows`, filled by the user (enrichment, a threat list); empty otherwise."""

    name: str
    columns: tuple[tuple[str, str], ...]  # (column, DuckDB type)
    key: tuple[str, ...] = ()

    def create_sql(self) -> str:
        cols = [f"{c} {t}" for c, t in self.columns] + ([f"PRIMARY KEY ({', '.join(self.key)})"] if self.key else [])
        return f"CREATE TABLE IF NOT EXISTS {self.name} ({', '.join(cols)})"

    def empty_sql(self) -> str:
        """An empty relation with the table's columns (DuckDB dialect)."""
        cols = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in self.columns)
        return f"SELECT {cols} WHERE 1 = 0"


@dataclass(frozen=True)
class Relation:
    """An aggregate over `flows` that several queries read by name; the engine inlines or materializes it."""

    name: str
    sql: str

    @cached_property
    def parameters(self) -> tuple[str, ...]:
        from .sql import parameters

        return parameters(self.sql)


QUERIES: dict[str, NamedQuery] = {}
SIDE_TABLES: dict[str, SideTable] = {}
RELATIONS: dict[str, Relation] = {}


def _declare(kind: str, table: dict, item):
    if table.get(item.name, item) != item:
        raise VpcFlowError(f"two {kind} share the name {item.name!r}", hint="give the plugin's another name")
    table[item.name] = item
    return item


def register(query: NamedQuery) -> NamedQuery:
    """Add a named query to the registry every engine, the CLI, the dashboard and Athena read."""
    _declare("named queries", QUERIES, query)
    declare(FieldNeeds(query.name, query.needs, query.uses, query.max_interval, query.why_interval))
    return query


def side_table(table: SideTable) -> SideTable:
    return _declare("side tables", SIDE_TABLES, table)


def relation(rel: Relation) -> Relation:
    return _declare("shared relations", RELATIONS, rel)


load = load_analyses  # every package of the `vpcflow.analyses` entry-point group, imported once


def registry() -> dict[str, NamedQuery]:
    """Every named query, by name."""
    load()
    return dict(QUERIES)


def get(name: str) -> NamedQuery:
    queries = registry()
    if name not in queries:
        raise NotFound(f"no analysis or detection named {name!r}",
                       hint=f"choose one of: {', '.join(sorted(queries))}")
    return queries[name]


def side_tables() -> dict[str, SideTable]:
    load()
    return dict(SIDE_TABLES)


# What an engine cannot run or answers differently, by query: written down so a test expects the failure
# (and fails loudly once it starts working). Spark runs every query today.
GAPS: dict[str, dict[str, str]] = {
    "spark": {},
    "athena": {
        "exfiltration": "Trino has no exact percentile_cont: sqlglot writes approx_percentile, so medians can differ",
        "beaconing": "Trino has no exact percentile_cont: sqlglot writes approx_percentile, so quartiles can differ",
        "known-bad-peer": "reads the threat list, which vpcflow does not upload to Athena: an empty list there",
        "rule-usage": "reads the model's interface addresses, which vpcflow does not upload to Athena: there the "
                      "direction comes from flow-direction only",
    },
}


def side_tables_read(query: NamedQuery) -> list[str]:
    """The side tables a query's whole statement reads, its shared relations' included."""
    tree = sqlglot.parse_one(query.statement(), read="duckdb")
    names = {t.name for t in tree.find_all(exp.Table)}
    return [n for n in side_tables() if n in names]

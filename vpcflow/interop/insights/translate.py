"""Logs Insights commands -> one DuckDB query over `flows`: each command is a CTE over the one before it.

Every literal (strings, numbers, regexes, CIDR bounds, the limit) is a bound named parameter. A name the query
uses must exist at that point of the pipeline; anything vpcflow cannot translate faithfully is an InsightsError
that names the construct and its position, never a guess.
"""

from __future__ import annotations

import difflib
import re

from ...fields import field as flow_field
from ...store.schema import quote
from ..community_id import ip_hex_sql
from . import functions as fn
from .syntax import (
    Binary,
    Call,
    Command,
    Duration,
    Field,
    ListOf,
    Literal,
    Node,
    Regex,
    Star,
    Unary,
    parse_query,
)
from .tokens import InsightsError, position

DEFAULT_LIMIT = 10_000  # Logs Insights returns at most 10,000 rows when a query sets no limit
_OPS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "+": "+", "-": "-", "*": "*", "/": "/",
        "%": "%", "^": "^", "and": "AND", "or": "OR"}


class Translator:
    def __init__(self, text: str):
        self.text = text
        self.params: dict[str, object] = {}
        self.ctes: list[tuple[str, str]] = []
        self.scope: list[str] = [name for name, _ in fn.base_columns()]
        self.display: list[tuple[str, str]] | None = None  # (column, name shown as the query spells it)
        self.order: list[tuple[str, bool]] | None = None
        self.groups: list[str] | None = None
        self.limited = False

    # -- helpers --
    def error(self, message: str, node_or_pos, hint: str | None = None) -> InsightsError:
        pos = node_or_pos if isinstance(node_or_pos, int) else node_or_pos.pos
        return InsightsError(message, location=position(self.text, pos), hint=hint)

    def bind(self, value: object) -> str:
        name = f"p{len(self.params) + 1}"
        self.params[name] = value
        return f"${name}"

    def resolve(self, name: str, pos: int) -> str:
        for known in self.scope:
            if known.lower() == name.lower():
                return known
        close = difflib.get_close_matches(name, self.scope, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "use a discovered field (srcAddr, dstPort, ...) " \
            "or a store column (flow_direction, ...), or create it with parse or fields ... as"
        raise self.error(f"unknown field {name!r}", pos, hint=hint)

    def push(self, sql: str) -> None:
        self.ctes.append((f"q{len(self.ctes)}", sql))

    @property
    def prev(self) -> str:
        return self.ctes[-1][0]

    def order_sql(self) -> str:
        if self.order:
            return ", ".join(f"{sql} {'DESC' if desc else 'ASC'}" for sql, desc in self.order)
        if self.groups is not None:
            return ", ".join(quote(g) for g in self.groups) or "1"
        return '"@timestamp" DESC' if "@timestamp" in self.scope else "1"

    def add_columns(self, named: list[tuple[str, str]]) -> None:
        """Next CTE: the current columns plus (or replacing) the named expressions."""
        replace, extra = [], []
        for name, sql in named:
            existing = next((s for s in self.scope if s.lower() == name.lower()), None)
            (replace if existing else extra).append(f"{sql} AS {quote(existing or name)}")
            if not existing:
                self.scope.append(name)
        star = f"* REPLACE ({', '.join(replace)})" if replace else "*"
        self.push(f"SELECT {', '.join([star] + extra)} FROM {self.prev}")

    # -- expressions --
    def expr(self, node: Node, *, aggregate: bool = False) -> str:
        if isinstance(node, Field):
            return quote(self.resolve(node.name, node.pos))
        if isinstance(node, Literal):
            return self.bind(node.value)
        if isinstance(node, Regex):
            raise self.error("a /regex/ can only follow like or =~", node)
        if isinstance(node, Duration):
            raise self.error(f"a time period ({node.text}) can only be an argument of bin, datefloor or dateceil", node)
        if isinstance(node, Star):
            raise self.error("'*' can only be the argument of count", node)
        if isinstance(node, ListOf):
            raise self.error("a [list] can only follow in", node)
        if isinstance(node, Unary):
            inner = self.expr(node.operand, aggregate=aggregate)
            return f"(NOT {inner})" if node.op == "not" else f"(-{inner})"
        if isinstance(node, Binary):
            return self.binary(node, aggregate)
        if isinstance(node, Call):
            return self.call(node, aggregate)
        raise self.error("unsupported expression", node)

    def binary(self, node: Binary, aggregate: bool) -> str:
        left = self.expr(node.left, aggregate=aggregate)
        if node.op == "in":
            items = ", ".join(self.expr(i, aggregate=aggregate) for i in node.right.items)
            return f"({left} IN ({items}))" if items else "FALSE"
        if node.op in ("like", "=~"):
            if isinstance(node.right, Regex):
                return f"regexp_matches({left}::VARCHAR, {self.bind(self.regex(node.right))})"
            if node.op == "like" and isinstance(node.right, Literal) and isinstance(node.right.value, str):
                return f"contains({left}::VARCHAR, {self.bind(node.right.value)})"  # like "text" = contains
            raise self.error(f"{node.op} needs a \"string\" or a /regex/", node.right)
        right = self.expr(node.right, aggregate=aggregate)
        if node.op == "/":
            return f"({left} / nullif({right}, 0))"
        return f"({left} {_OPS[node.op]} {right})"

    def regex(self, node: Regex) -> str:
        pattern = node.pattern.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise self.error(f"bad regex: {exc}", node) from None
        return pattern

    def call(self, node: Call, aggregate: bool) -> str:
        name = node.name.lower()
        args = node.args
        if name in fn.AGGREGATES:
            if not aggregate:
                raise self.error(f"{node.name}() is an aggregate: use it in stats", node)
            low, high, template = fn.AGGREGATES[name]
            self.arity(node, low, high)
            if name == "count" and (not args or isinstance(args[0], Star)):
                return "count(*)"
            inner = [self.expr(a) for a in args]  # no aggregate inside an aggregate
            return template.format(*inner)
        if name in ("isipv4insubnet", "isipinsubnet"):
            self.arity(node, 2, 2)
            if not (isinstance(args[1], Literal) and isinstance(args[1].value, str)):
                raise self.error(f"{node.name} needs the subnet as a \"CIDR\" string", args[1])
            try:
                low, high, width = fn.subnet_bounds(args[1].value, v4_only=name == "isipv4insubnet")
            except ValueError as exc:
                raise self.error(f"bad subnet {args[1].value!r}: {exc}", args[1]) from None
            hexed = ip_hex_sql(self.expr(args[0], aggregate=aggregate))
            return (f"coalesce(length({hexed}) = {width} AND {hexed} BETWEEN {self.bind(low)} AND "
                    f"{self.bind(high)}, FALSE)")
        if name == "bin" or name in fn.TIME_BUCKETS:
            period = args[-1] if args else None
            self.arity(node, 1 if name == "bin" else 2, 1 if name == "bin" else 2)
            if not isinstance(period, Duration) or period.seconds < 1:
                raise self.error(f"{node.name} needs a period of at least 1s, like 5m or 1h", period or node)
            target = '"@timestamp"' if name == "bin" else self.expr(args[0], aggregate=aggregate)
            if name == "bin":
                self.resolve("@timestamp", node.pos)
            return fn.TIME_BUCKETS.get(name, fn.TIME_BUCKETS["datefloor"]).format(target, n=self.bind(period.seconds))
        if name in fn.SCALARS:
            low, high, template = fn.SCALARS[name]
            self.arity(node, low, high)
            sql = [self.expr(a, aggregate=aggregate) for a in args]
            rest = f", {sql[2]}" if name == "substr" and len(sql) > 2 else ""
            return template.format(*sql, all=", ".join(sql), rest=rest)
        raise self.error(f"unsupported function {node.name}()", node,
                         hint="supported: " + ", ".join(sorted({*fn.SCALARS, *fn.AGGREGATES, "bin", "datefloor",
                                                                "dateceil", "isIpv4InSubnet", "isIpInSubnet"})))

    def arity(self, node: Call, low: int, high: int | None) -> None:
        n = len(node.args)
        if n < low or (high is not None and n > high):
            want = str(low) if low == high else f"{low} to {high if high is not None else 'any'}"
            raise self.error(f"{node.name}() takes {want} argument(s), got {n}", node)

    # -- commands --
    def command(self, cmd: Command) -> None:
        getattr(self, f"cmd_{cmd.name}")(cmd)

    def cmd_filter(self, cmd: Command) -> None:
        self.push(f"SELECT * FROM {self.prev} WHERE {self.expr(cmd.items[0].expr)}")

    def cmd_fields(self, cmd: Command) -> None:
        shown, computed = [], []
        for item in cmd.items:
            if isinstance(item.expr, Field) and item.alias is None:
                shown.append((self.resolve(item.expr.name, item.expr.pos), item.expr.name))
            else:
                computed.append((item.alias or item.text, self.expr(item.expr)))
                shown.append((item.alias or item.text, item.alias or item.text))
        if computed:
            self.add_columns(computed)
        self.display = shown

    def cmd_display(self, cmd: Command) -> None:
        self.display = [(self.resolve(i.expr.name, i.expr.pos), i.expr.name) if isinstance(i.expr, Field) else
                        self._not_a_field(i) for i in cmd.items]

    def _not_a_field(self, item) -> str:
        raise self.error("display and dedup take field names", item.expr)

    def cmd_dedup(self, cmd: Command) -> None:
        keys = ", ".join(quote(self.resolve(i.expr.name, i.expr.pos)) if isinstance(i.expr, Field) else
                         self._not_a_field(i) for i in cmd.items)
        self.push(f"SELECT * FROM {self.prev} QUALIFY row_number() OVER (PARTITION BY {keys} "
                  f"ORDER BY {self.order_sql()}) = 1")

    def cmd_sort(self, cmd: Command) -> None:
        # Logs Insights sorts descending unless told asc
        self.order = [(self.expr(i.expr), i.desc is not False) for i in cmd.items]

    def cmd_limit(self, cmd: Command) -> None:
        self.push(f"SELECT * FROM {self.prev} ORDER BY {self.order_sql()} LIMIT {self.bind(cmd.number)}")
        self.limited = True

    def cmd_stats(self, cmd: Command) -> None:
        by = [(i.alias or i.text, self.expr(i.expr)) for i in cmd.by]
        aggs = [(i.alias or i.text, self.expr(i.expr, aggregate=True)) for i in cmd.items]
        names = [n for n, _ in by + aggs]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise self.error(f"stats names {sorted(dupes)[0]!r} twice: give one of them an alias with 'as'", cmd.pos)
        cols = ", ".join(f"{sql} AS {quote(name)}" for name, sql in by + aggs)
        group = f" GROUP BY {', '.join(str(k + 1) for k in range(len(by)))}" if by else ""
        self.push(f"SELECT {cols} FROM {self.prev}{group}")
        self.scope, self.groups = names, [n for n, _ in by]
        self.display, self.order, self.limited = None, None, False

    def cmd_parse(self, cmd: Command) -> None:
        source = self.expr(cmd.source)
        token = cmd.pattern
        if token.kind == "string":
            if not cmd.items:
                raise self.error("a glob parse needs 'as name, ...' for its '*'s", cmd.pos)
            pieces = token.value.split("*")
            if len(pieces) - 1 != len(cmd.items):
                raise self.error(f"the pattern has {len(pieces) - 1} '*' but {len(cmd.items)} names follow 'as'",
                                 token.pos)
            groups = ["(.*?)"] * (len(pieces) - 2) + ["(.*)"]
            pattern = "^" + "".join(re.escape(p) + (groups[k] if k < len(groups) else "")
                                    for k, p in enumerate(pieces)) + "$"
            names = [i.expr.name for i in cmd.items]
            indexes, total = list(range(1, len(names) + 1)), len(names)
        else:
            if cmd.items:
                raise self.error("a /regex/ parse names its fields with (?<name>...) groups, not 'as'", cmd.pos)
            pattern = self.regex(Regex(token.pos, token.value))
            compiled = re.compile(pattern)
            if not compiled.groupindex:
                raise self.error("the parse regex has no named (?<name>...) group", token.pos)
            names, indexes, total = list(compiled.groupindex), list(compiled.groupindex.values()), compiled.groups
        # one regex match per record into a struct of every group (g1..gN), then one column per name
        groups = ", ".join(f"'g{k}'" for k in range(1, total + 1))
        self.push(f"SELECT *, regexp_extract({source}::VARCHAR, {self.bind(pattern)}, [{groups}]) AS \"__parsed\" "
                  f"FROM {self.prev}")
        named = []
        for name, index in zip(names, indexes, strict=True):
            value = f"nullif(\"__parsed\".g{index}, '')"
            known = flow_field(name)  # a flow-log field name parses to its type, as Insights compares numbers
            if known.known and known.is_integer:
                value = f"TRY_CAST({value} AS BIGINT)"
            named.append((name, value))
        self.add_columns(named)
        self.push(f"SELECT * EXCLUDE (\"__parsed\") FROM {self.prev}")


def translate(query: str, since: int | None = None, until: int | None = None) -> tuple[str, dict]:
    """Logs Insights query text -> (DuckDB SQL over `flows`, named parameters). Raises InsightsError."""
    commands = parse_query(query)
    t = Translator(query)
    where = []
    if since is not None:
        where.append(f"start >= {t.bind(int(since))}")
    if until is not None:
        where.append(f"start < {t.bind(int(until))}")
    base = ", ".join(f"{sql} AS {quote(name)}" for name, sql in fn.base_columns())
    t.push(f"SELECT {base} FROM flows" + (f" WHERE {' AND '.join(where)}" if where else ""))
    for cmd in commands:
        t.command(cmd)
    if t.display is not None:
        cols = ", ".join(quote(c) if c == shown else f"{quote(c)} AS {quote(shown)}" for c, shown in t.display)
    elif t.groups is not None:
        cols = "*"
    else:
        cols = '"@timestamp", "@message"'
    limit = "" if t.limited else f" LIMIT {t.bind(DEFAULT_LIMIT)}"
    ctes = ",\n".join(f"{name} AS (\n  {sql}\n)" for name, sql in t.ctes)
    return f"WITH {ctes}\nSELECT {cols} FROM {t.prev} ORDER BY {t.order_sql()}{limit}", t.params

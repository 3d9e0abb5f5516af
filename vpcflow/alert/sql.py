"""Filter patterns as SQL over the store's `flows` table, every pattern value bound as a parameter.

The N-th name of a space-delimited pattern is the N-th field of the format (names after `...` count from the
end). A field is compared as the text the record carried (`-` for a missing value) or, for a number, as a
number, so the store answers exactly what the line evaluator answers on the same records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import VpcFlowError
from ..fields import LogFormat
from ..fields.table import Field
from ..store.schema import quote
from .pattern import BoolOp, Comparison, Pattern, parse

_NUMERIC_RE = r"-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"


@dataclass(frozen=True)
class SqlFilter:
    """A WHERE clause and its parameters, in order."""

    where: str
    params: tuple

    def select(self, columns: str = "*", table: str = "flows") -> tuple[str, list]:
        return f"SELECT {columns} FROM {table} WHERE {self.where}", list(self.params)


def text_of(f: Field) -> str:
    """The field as the text a record line carries: integers printed, a missing value as '-'."""
    col = quote(f.column)
    if f.is_integer:
        return f"coalesce(CAST({col} AS VARCHAR), '-')"
    return f"coalesce({col}, '-')"


def line_of(fmt: LogFormat) -> str:
    """SQL that rebuilds the record line in a format."""
    return "concat_ws(' ', " + ", ".join(text_of(f) for f in fmt.fields) + ")"


def compile_sql(pattern: Pattern | str, fmt: LogFormat) -> SqlFilter:
    """A filter pattern as a WHERE clause over `flows` for records written in `fmt`."""
    if isinstance(pattern, str):
        pattern = parse(pattern)
    params: list = []
    if pattern.kind == "all":
        return SqlFilter("TRUE", ())
    if pattern.kind == "terms":
        return SqlFilter(_terms_sql(pattern, fmt, params), tuple(params))
    fields = _positions(pattern, fmt)
    conds = [_cond_sql(s.condition, fields, params) for s in pattern.slots if s.condition is not None]
    return SqlFilter(" AND ".join(conds) if conds else "TRUE", tuple(params))


def _positions(pattern: Pattern, fmt: LogFormat) -> dict[str, Field]:
    before, after = pattern.before, pattern.after
    n = len(fmt.fields)
    if pattern.has_ellipsis and len(before) + len(after) > n:
        raise VpcFlowError(f"the pattern names {len(before) + len(after)} fields, the format has only {n}",
                           hint="name fewer fields or pick the records' format with --format")
    if not pattern.has_ellipsis and len(before) != n:
        raise VpcFlowError(f"the pattern names {len(before)} fields, the format has {n} ({fmt.header()})",
                           hint="name every field, or use ... for the ones you skip")
    names = {s.name: fmt.fields[i] for i, s in enumerate(before)}
    names.update({s.name: fmt.fields[n - len(after) + j] for j, s in enumerate(after)})
    return names


def _cond_sql(cond, fields: dict[str, Field], params: list) -> str:
    if isinstance(cond, BoolOp):
        joiner = " AND " if cond.op == "&&" else " OR "
        return "(" + joiner.join(_cond_sql(p, fields, params) for p in cond.parts) + ")"
    return _comparison_sql(cond, fields[cond.name], params)


def _comparison_sql(c: Comparison, f: Field, params: list) -> str:
    v = c.value
    if v.kind == "number":
        params.append(v.number)
        if f.is_integer:
            number = quote(f.column)
        else:
            params.insert(len(params) - 1, _NUMERIC_RE)
            col = quote(f.column)
            number = f"CASE WHEN regexp_full_match({col}, ?) THEN TRY_CAST({col} AS DOUBLE) END"
        return f"({number} {c.op} ?)"
    text = text_of(f)
    if v.kind == "regex":
        params.append(v.text)
        found = f"regexp_matches({text}, ?)"
    elif v.has_wildcard:
        params.append(_like(v.text))
        found = f"({text} LIKE ? ESCAPE '\\')"
    else:
        params.append(v.text)
        found = f"({text} = ?)"
    return found if c.op == "=" else f"(NOT {found})"


def _like(glob: str) -> str:
    """A `*` wildcard as a LIKE pattern, with LIKE's own metacharacters escaped."""
    return re.sub(r"([%_\\])", r"\\\1", glob).replace("*", "%")


def _terms_sql(pattern: Pattern, fmt: LogFormat, params: list) -> str:
    line = line_of(fmt)
    all_, any_ = [], []
    for t in pattern.terms:
        params.append(t.value.text)
        found = f"regexp_matches({line}, ?)" if t.value.kind == "regex" else f"contains({line}, ?)"
        if t.mode == "all":
            all_.append(found)
        elif t.mode == "none":
            all_.append(f"NOT {found}")
        else:
            any_.append(found)
    if any_:
        all_.append("(" + " OR ".join(any_) + ")")
    return " AND ".join(all_)

"""Matching record lines against a parsed filter pattern.

`matches` is the straightforward reference: it walks the tree for every line. `compile_predicate` turns the
same tree into one generated Python function (positions resolved, constants bound, cheapest checks first),
which is what readers use; tests hold the two to the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .pattern import BoolOp, Comparison, Pattern, Value, parse

_NUMERIC = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"-?\d+")
# CloudWatch treats "quoted" and [bracketed] text in a record as one field.
_FIELD = re.compile(r'"([^"]*)"|\[([^\]]*)\]|(\S+)')


def split_fields(line: str) -> list[str]:
    """A record's fields: whitespace-separated, with "..." and [...] each one field."""
    if '"' not in line and "[" not in line:
        return line.split()
    return [a if a is not None else (b if b is not None else c) for a, b, c in _FIELD.findall(line)]


def as_number(token: str) -> int | float | None:
    """A field as a number, or None when it is not one (`-`, names, addresses)."""
    if _INTEGER.fullmatch(token):
        return int(token)
    if _NUMERIC.fullmatch(token):
        return float(token)
    return None


def glob_regex(text: str) -> re.Pattern:
    """A `*` wildcard value as an anchored regex."""
    return re.compile("".join(".*" if c == "*" else re.escape(c) for c in text), re.DOTALL)


_OPS = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


# ---- the reference evaluator ----------------------------------------------------------------------------


def matches(pattern: Pattern | str, line: str) -> bool:
    """Whether one record line matches; the plain, per-line reading of the pattern."""
    if isinstance(pattern, str):
        pattern = parse(pattern)
    if pattern.kind == "all":
        return True
    if pattern.kind == "terms":
        return _terms_match(pattern, line)
    values = bind(pattern, split_fields(line))
    if values is None:
        return False
    return all(_holds(s.condition, values) for s in pattern.slots if s.condition is not None)


def bind(pattern: Pattern, fields: list[str]) -> dict[str, str] | None:
    """Field values by pattern name, or None when the record has the wrong number of fields."""
    before, after = pattern.before, pattern.after
    if pattern.has_ellipsis:
        if len(fields) < len(before) + len(after):
            return None
    elif len(fields) != len(pattern.slots):
        return None
    values = {s.name: fields[i] for i, s in enumerate(before)}
    offset = len(fields) - len(after)
    values.update({s.name: fields[offset + j] for j, s in enumerate(after)})
    return values


def _terms_match(pattern: Pattern, line: str) -> bool:
    any_seen = any_found = False
    for t in pattern.terms:
        found = _term_found(t.value, line)
        if t.mode == "all" and not found:
            return False
        if t.mode == "none" and found:
            return False
        if t.mode == "any":
            any_seen = True
            any_found = any_found or found
    return any_found or not any_seen


def _term_found(value: Value, line: str) -> bool:
    if value.kind == "regex":
        return re.search(value.text, line) is not None
    return value.text in line


def _holds(cond, values: dict[str, str]) -> bool:
    if isinstance(cond, BoolOp):
        results = (_holds(p, values) for p in cond.parts)
        return all(results) if cond.op == "&&" else any(results)
    return compare(cond, values[cond.name])


def compare(c: Comparison, token: str) -> bool:
    """One condition on one field value."""
    v = c.value
    if v.kind == "number":
        n = as_number(token)
        return n is not None and _OPS[c.op](n, v.number)
    if v.kind == "regex":
        found = re.search(v.text, token) is not None
    elif v.has_wildcard:
        found = glob_regex(v.text).fullmatch(token) is not None
    else:
        found = token == v.text
    return found if c.op == "=" else not found


# ---- the compiled predicate -----------------------------------------------------------------------------


def compile_predicate(pattern: Pattern | str) -> Callable[[str], bool]:
    """One generated function `line -> bool` with the same answers as `matches`.

    Pattern values never enter the generated source: they are bound as constants C0, C1, ...
    """
    if isinstance(pattern, str):
        pattern = parse(pattern)
    if pattern.kind == "all":
        return lambda line: True
    if pattern.kind == "terms":
        return lambda line: _terms_match(pattern, line)
    consts: dict[str, object] = {"split_fields": split_fields, "as_number": as_number}

    def const(value: object) -> str:
        name = f"C{len(consts)}"
        consts[name] = value
        return name

    index = {s.name: i for i, s in enumerate(pattern.before)}
    n_after = len(pattern.after)
    index.update({s.name: -(n_after - j) for j, s in enumerate(pattern.after)})

    def expr(cond) -> str:
        if isinstance(cond, BoolOp):
            joiner = " and " if cond.op == "&&" else " or "
            return "(" + joiner.join(expr(p) for p in cond.parts) + ")"
        tok = f"t[{index[cond.name]}]"
        v = cond.value
        if v.kind == "number":
            op = "==" if cond.op == "=" else cond.op
            return f"((n := as_number({tok})) is not None and n {op} {const(v.number)})"
        if v.kind == "regex":
            found = f"{const(re.compile(v.text))}.search({tok}) is not None"
        elif v.has_wildcard:
            found = f"{const(glob_regex(v.text))}.fullmatch({tok}) is not None"
        else:
            found = f"{tok} == {const(v.text)}"
        return f"({found})" if cond.op == "=" else f"(not ({found}))"

    conds = [s.condition for s in pattern.slots if s.condition is not None]
    # A literal that every match must contain lets most lines be rejected before splitting.
    prefilters = [c.value.text for c in conds if isinstance(c, Comparison) and c.op == "="
                  and c.value.kind == "text" and not c.value.has_wildcard and c.value.text]
    count = len(pattern.before) + n_after
    size_check = f"len(t) >= {count}" if pattern.has_ellipsis else f"len(t) == {count}"
    lines = ["def predicate(line):"]
    for text in prefilters:
        lines.append(f"    if {const(text)} not in line: return False")
    lines.append("    t = line.split() if '\"' not in line and '[' not in line else split_fields(line)")
    lines.append(f"    if not ({size_check}): return False")
    lines.append("    return " + (" and ".join(expr(c) for c in conds) or "True"))
    source = "\n".join(lines)
    namespace = dict(consts)
    exec(compile(source, "<filter-pattern>", "exec"), namespace)
    predicate = namespace["predicate"]
    predicate.source = source
    return predicate

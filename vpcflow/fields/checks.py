"""The ingest checks as SQL, derived from the field table: one builder for every engine.

Each field's value is typed (`typed_sql`) and checked (`check_arms`: CASE arms whose THEN names what is
wrong, the quarantine's reason text). The SQL is written once, in DuckDB's dialect, over any raw-text
expression; the store runs it as written and vpcflow.engines.raw runs it transpiled to Spark by sqlglot
(`spark_sql(reason_sql(...))`), so the two paths give the same reason for the same value.
"""

from __future__ import annotations

from .table import Field

MS_THRESHOLD = 10**11  # start/end above this are milliseconds (seen in some CloudWatch records)
# Four numbers 0..255, or hex groups with colons (IPv6, '::' and a dotted tail included); no backslash, so the
# pattern reads the same in DuckDB's and Spark's string literals
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
ADDRESS_PATTERN = f"^({_OCTET}[.]){{3}}{_OCTET}$|^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$"


def lit(text: str) -> str:
    """A DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


def quote(name: str) -> str:
    """A column name as a quoted SQL identifier (names come from the field table or a checked header)."""
    return '"' + name.replace('"', '""') + '"'


def ms_to_s(f: Field, value: str) -> str:
    """start/end given in milliseconds become seconds."""
    if f.name in ("start", "end"):
        return f"(CASE WHEN {value} > {MS_THRESHOLD} THEN {value} // 1000 ELSE {value} END)"
    return value


def typed_sql(f: Field, raw: str) -> str:
    """The field's typed value from its raw text ('-' is NULL; a bad integer is NULL, and checked below)."""
    value = f"NULLIF({raw}, '-')"
    if not f.is_integer:
        return value
    # digits only: DuckDB's cast alone would read 1.5, 0x1f, 1e3 or 1_000 as integers (1.5 as 2)
    return ms_to_s(f, f"TRY_CAST(CASE WHEN regexp_matches({raw}, '^[+-]?[0-9]+$') THEN {value} END AS {f.duckdb_type})")


def value_checks(f: Field, col: str, raw: str) -> list[tuple[str, str]]:
    """(condition, reason) pairs on one field's typed value `col`: its bounds and its allowed words."""
    name = lit(f.name + ": ")
    checks = []
    if f.is_integer and f.low is not None:
        checks.append((f"{col} < {f.low}", f"{name} || 'below {f.low}: ' || {raw}"))
    if f.is_integer and f.high is not None:
        checks.append((f"{col} > {f.high}", f"{name} || 'above {f.high}: ' || {raw}"))
    if f.choices:
        allowed = ", ".join(lit(c) for c in f.choices)
        checks.append((f"{col} NOT IN ({allowed})", f"{name} || 'not one of {'/'.join(f.choices)}: ' || left({raw}, 40)"))
    if f.address:
        checks.append((f"NOT regexp_matches({col}, {lit(ADDRESS_PATTERN)})",
                       f"{name} || 'not an IP address: ' || left({raw}, 40)"))
    return checks


def check_arms(f: Field, col: str, raw: str) -> list[str]:
    """CASE arms that name what is wrong with one field's value (`col` typed, `raw` its text)."""
    arms = []
    if f.is_integer:
        arms.append(f"WHEN {col} IS NULL AND {raw} <> '-' THEN {lit(f.name + ': ')} || 'not an integer: ' || left({raw}, 40)")
    return arms + [f"WHEN {cond} THEN {reason}" for cond, reason in value_checks(f, col, raw)]


def reason_sql(fields: list[Field], cols: list[str], raws: list[str]) -> str:
    """One CASE giving the first failed check's reason over all fields, NULL when every value is good."""
    arms = [arm for f, c, r in zip(fields, cols, raws, strict=True) for arm in check_arms(f, c, r)]
    if not arms:
        return "CAST(NULL AS VARCHAR)"
    return f"CASE {' '.join(arms)} ELSE NULL END"

"""SQL that turns raw lines (or Parquet columns) into typed flow records, derived from the field table.

A batch of lines is staged with one typed column per field and a `reason` that is NULL for a good record,
'blank' or 'header' for lines to pass over, and otherwise says what is wrong. Good rows go to `flows`, the
rest to `quarantine`. Everything is computed in DuckDB, in parallel, without Python loops per line.
"""

from __future__ import annotations

from ..fields import LogFormat
from ..fields.checks import check_arms, lit, ms_to_s, quote, typed_sql, value_checks
from .sniff import CLOCK, ISO

QUARANTINE_TEXT_LIMIT = 4096  # a quarantined line keeps its first 4 KB: enough to see what went wrong


def _tokens_expr() -> str:
    # AWS writes single spaces; anything else (runs of blanks, tabs, padding) takes the slower split.
    clean = "list_filter(string_split(replace(trim(line), chr(9), ' '), ' '), lambda x: x <> '')"
    odd = "contains(line, '  ') OR contains(line, chr(9)) OR starts_with(line, ' ') OR ends_with(line, ' ')"
    return f"CASE WHEN line = '' THEN []::VARCHAR[] WHEN {odd} THEN {clean} ELSE string_split(line, ' ') END"


def stage_lines_sql(fmt: LogFormat, prefix: str | None, header: tuple[str, ...] | None,
                    extra: tuple[str, ...] = ()) -> str:
    """SELECT over relation `batch(n, line, *extra)` giving (n, line, *extra, reason, event_time, <columns>)."""
    carry = "".join(f"{quote(e)}, " for e in extra)
    off = 1 if prefix else 0
    width = len(fmt) + off
    raws = [f"t[{i + 1 + off}]" for i in range(len(fmt))]
    typed = [f"{typed_sql(f, r)} AS c{i}" for i, (f, r) in enumerate(zip(fmt.fields, raws, strict=True))]
    event = "TRY_CAST(t[1] AS TIMESTAMPTZ)" if prefix == ISO else "NULL::TIMESTAMPTZ"
    arms = ["WHEN nt = 0 THEN 'blank'"]
    if header:
        arms.append(f"WHEN t[1:{len(header)}] = [{', '.join(lit(h) for h in header)}] THEN 'header'")
    arms.append(f"WHEN nt <> {width} THEN nt - {off} || ' fields, format has {len(fmt)}'")
    if prefix == ISO:
        arms.append("WHEN event_time IS NULL THEN 'leading timestamp is not ISO-8601: ' || left(t[1], 40)")
    elif prefix == CLOCK:
        arms.append("WHEN NOT regexp_full_match(t[1], '\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?') "
                    "THEN 'leading timestamp is not HH:MM:SS: ' || left(t[1], 40)")
    for i, (f, r) in enumerate(zip(fmt.fields, raws, strict=True)):
        arms += check_arms(f, f"c{i}", r)
    cols = ", ".join(f"c{i}" for i in range(len(fmt)))
    return (
        f"SELECT n, line, {carry}CASE {' '.join(arms)} ELSE NULL END AS reason, event_time, {cols} FROM ("
        f"SELECT n, line, {carry}t, len(t) AS nt, {event} AS event_time, {', '.join(typed)} FROM ("
        f"SELECT n, line, {carry}{_tokens_expr()} AS t FROM batch))"
    )


def parquet_format(con, path: str) -> LogFormat:
    """A Parquet file's format, from its column names (AWS's field names, '-' as '_')."""
    names = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = false)",
                                       [path]).fetchall()]
    return LogFormat.parse(" ".join(names))


def stage_parquet_sql(fmt: LogFormat, path_param: str = "$path") -> str:
    """SELECT over a Parquet file giving the same staged columns; values are re-checked like text."""
    raws = [f"CAST({quote(f.column)} AS VARCHAR)" for f in fmt.fields]
    typed = [f"{typed_sql(f, r)} AS c{i}" for i, (f, r) in enumerate(zip(fmt.fields, raws, strict=True))]
    arms = []
    for i, (f, r) in enumerate(zip(fmt.fields, raws, strict=True)):
        arms += check_arms(f, f"c{i}", f"coalesce({r}, '-')")
    cols = ", ".join(f"c{i}" for i in range(len(fmt)))
    line = "concat_ws(' ', " + ", ".join(f"coalesce({r}, '-')" for r in raws) + ")"
    reason = f"CASE {' '.join(arms)} ELSE NULL END" if arms else "NULL"
    return (
        f"SELECT n, line, {reason} AS reason, NULL::TIMESTAMPTZ AS event_time, {cols} FROM ("
        f"SELECT file_row_number + 1 AS n, {line} AS line, {', '.join(typed)}, {', '.join(quote(f.column) for f in fmt.fields)} "
        f"FROM read_parquet({path_param}, file_row_number = true, hive_partitioning = false))"
    )


def insert_flows_sql(fmt: LogFormat, stage: str) -> str:
    """INSERT of the good rows of a staging SELECT; parameters: log_stream, source_id.

    The staging runs once, MATERIALIZED: a plain subquery lets DuckDB push the `reason` filter below the
    casts and compute them twice.
    """
    target = ", ".join(quote(f.column) for f in fmt.fields)
    cols = ", ".join(f"c{i}" for i in range(len(fmt)))
    return (f"WITH staged AS MATERIALIZED ({stage}) "
            f"INSERT INTO flow_records ({target}, event_time, log_stream, source_id) "
            f"SELECT {cols}, event_time, $log_stream, $source_id FROM staged WHERE reason IS NULL")


def insert_quarantine_sql(stage: str) -> str:
    """INSERT of the bad rows of a staging SELECT; parameters: source_id, source."""
    return (f"WITH staged AS MATERIALIZED ({stage}) "
            f"INSERT INTO quarantine SELECT $source_id, $source, n, reason, left(line, {QUARANTINE_TEXT_LIMIT}) "
            "FROM staged WHERE reason IS NOT NULL AND reason NOT IN ('blank', 'header')")


def typed_check_sql(fmt: LogFormat, stamped: bool = False) -> str:
    """Count of the rows of an already typed `batch` (one column per field, '-' already NULL) that the
    staging SQL would not pass as records: the same bounds and words, and no empty token (from stray blanks).
    `stamped`: the batch also has the lines' leading timestamp as text, which must cast as staging casts it."""
    conds = [f"{_EVENT_TIME} IS NULL"] if stamped else []
    for f in fmt.fields:
        col = quote(f.column)
        conds += [cond for cond, _ in value_checks(f, ms_to_s(f, col), "''")]
        if not f.is_integer:
            conds.append(f"{col} = ''")
    return f"SELECT count(*) FROM batch WHERE {' OR '.join(conds)}"


def event_time_check_sql() -> str:
    """Count of the rows of a typed, stamped `batch` whose leading timestamp the staging SQL would not cast."""
    return f"SELECT count(*) FROM batch WHERE {_EVENT_TIME} IS NULL"


def typed_select_sql(fmt: LogFormat, stamped: bool = False) -> str:
    """SELECT of an already typed and checked `batch` as the store holds it (start and end in seconds, the
    leading timestamp cast), for reading without a store; `stamped` as for typed_check_sql."""
    values = ", ".join(f"{ms_to_s(f, quote(f.column))} AS {quote(f.column)}" for f in fmt.fields)
    return f"SELECT {values}, {_EVENT_TIME if stamped else 'NULL::TIMESTAMPTZ'} AS event_time FROM batch"


def staged_records_sql(fmt: LogFormat, stage: str = "staged") -> str:
    """The good rows of a staging table, in line order, named as the field table's columns."""
    cols = ", ".join(f"c{i} AS {quote(f.column)}" for i, f in enumerate(fmt.fields))
    return f"SELECT {cols}, event_time FROM {stage} WHERE reason IS NULL ORDER BY n"


def staged_quarantine_sql(stage: str = "staged") -> str:
    """The bad rows of a staging table, in line order: (line, reason, text)."""
    return (f"SELECT n, reason, left(line, {QUARANTINE_TEXT_LIMIT}) FROM {stage} "
            "WHERE reason IS NOT NULL AND reason NOT IN ('blank', 'header') ORDER BY n")


def insert_typed_sql(fmt: LogFormat, per_row: bool = False, stamped: bool = False) -> str:
    """INSERT of an already typed and checked `batch`; log_stream and source_id are parameters, or columns
    of the batch when `per_row` (a group of sources in one statement); `stamped` as for typed_check_sql."""
    target = ", ".join(quote(f.column) for f in fmt.fields)
    values = ", ".join(ms_to_s(f, quote(f.column)) for f in fmt.fields)
    meta = "log_stream, source_id" if per_row else "$log_stream, $source_id"
    return (f"INSERT INTO flow_records ({target}, event_time, log_stream, source_id) "
            f"SELECT {values}, {_EVENT_TIME if stamped else 'NULL'}, {meta} FROM batch")


_EVENT_TIME = "TRY_CAST(event_time AS TIMESTAMPTZ)"  # as stage_lines_sql casts an ISO prefix

"""Per-leg sums the store keeps, so that `cost` reads a table about as long as the legs, not every record.

`keep(store)` sums the records of each whole source not summed yet into `kept_cost_legs` (the `cost_legs`
relation's keys and fields per start day) and `kept_cost_interfaces` (per interface and start day), and lists the
sources in the store's `kept_sources`, in one transaction. Deleting a source that was summed (a purge, a file
replaced at its path) clears them (vpcflow.store.ledger); the next keep sums every source again. Rows from each
keep are appended; when they have doubled since the last compaction they are summed again into one row per key.

`kept_relations(engine, extra_key, params)` materializes the cost relations on DuckDB from those sums plus the
records they do not hold (sources not kept yet, records with no source or ending before they start, and any
record starting in a partial day at the window's ends), so the answer equals the records' for any window. Through
the holder (`vpcflow serve`) they are materialized in the session's snapshot. Where the store keeps nothing, on
Spark or for `--by hour` (a day cannot be split into hours), the relations are inlined.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..engines.engine import materialized
from .legs import INTERFACE_FIELDS, LEG_COLUMNS, LEG_FIELDS, LEGS_RELATION, WINDOW, fields_sql, legs_sql

DAY = 86400
_START_DAY = f"CAST(floor(start / {DAY}) AS BIGINT)"
_COLUMNS = ", ".join(LEG_COLUMNS)


def _legs_by_day(where: str, rows: str = "flows", start_day: str = _START_DAY, records: str = "count(*)") -> str:
    """`rows` summed per leg and start day: the records (a keep), or kept rows from several keeps (compaction)."""
    fields = ", ".join(f"max({c}) AS {c}" for c in LEG_FIELDS)
    return f"""SELECT {_COLUMNS}, {start_day} AS start_day, {fields}, CAST(sum(bytes) AS BIGINT) AS bytes,
       CAST({records} AS BIGINT) AS records
FROM {rows} WHERE {where} GROUP BY {_COLUMNS}, {start_day}"""


def _interfaces_by_day(where: str, rows: str = "flows", start_day: str = _START_DAY) -> str:
    picked = ", ".join(f"{how}({c}) AS {c}" for c, how in INTERFACE_FIELDS.items())
    return f"SELECT interface_id, {start_day} AS start_day, {picked} FROM {rows} WHERE {where} " \
           f"GROUP BY interface_id, {start_day}"


_SUMMED_AGAIN = {  # one row per key of a kept table whose rows came from several keeps
    "kept_cost_legs": _legs_by_day("TRUE", "kept_cost_legs", "start_day", "sum(records)"),
    "kept_cost_interfaces": _interfaces_by_day("TRUE", "kept_cost_interfaces", "start_day"),
}


def keep(store_or_con) -> int:
    """Sum the records of every whole source not summed yet into the kept tables, in one transaction (nothing
    half-written on Ctrl-C); the number of sources summed. Needs the store open for writing."""
    con = getattr(store_or_con, "con", store_or_con)
    con.execute("BEGIN TRANSACTION")
    try:
        new = [r[0] for r in con.execute(
            "SELECT source_id FROM sources WHERE status <> 'loading' "
            "AND source_id NOT IN (SELECT source_id FROM kept_sources) ORDER BY source_id").fetchall()]
        if new:
            con.execute(f"CREATE TABLE IF NOT EXISTS kept_cost_legs AS {_legs_by_day('FALSE')}")
            con.execute(f"CREATE TABLE IF NOT EXISTS kept_cost_interfaces AS {_interfaces_by_day('FALSE')}")
            con.execute("CREATE TABLE IF NOT EXISTS kept_cost_compacted (rows BIGINT)")
            # bounds let the scan skip row groups by their min/max (new sources are stored last); the list is
            # read only when other sources lie between them (a semi-join: a quarter more time at 10M records)
            ledger = con.execute("SELECT count(*) FROM sources WHERE source_id BETWEEN ? AND ?",
                                 [new[0], new[-1]]).fetchall()[0][0]
            where = "log_status = 'OK' AND \"end\" >= start AND source_id BETWEEN $low AND $high" + (
                "" if ledger == len(new) else " AND source_id IN (SELECT unnest($new))")
            params = {"low": new[0], "high": new[-1], **({} if ledger == len(new) else {"new": new})}
            for table, sql in (("kept_cost_legs", _legs_by_day(where)),
                               ("kept_cost_interfaces", _interfaces_by_day(where))):
                con.execute(f"INSERT INTO {table} {sql}", params)
            con.execute("INSERT INTO kept_sources SELECT unnest(?)", [new])
            _compact(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(new)


def _compact(con) -> None:
    """Sum the kept rows again once they have doubled since they last were (or the first keep)."""
    rows = con.execute("SELECT count(*) FROM kept_cost_legs").fetchall()[0][0]
    last = con.execute("SELECT max(rows) FROM kept_cost_compacted").fetchall()[0][0]
    if last is not None and rows <= 2 * max(last, 1):
        return
    if last is not None:
        for table, summed in _SUMMED_AGAIN.items():
            con.execute(f"CREATE TEMP TABLE kept_again AS {summed}")
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} SELECT * FROM kept_again")
            con.execute("DROP TABLE kept_again")
        rows = con.execute("SELECT count(*) FROM kept_cost_legs").fetchall()[0][0]
    con.execute("DELETE FROM kept_cost_compacted")
    con.execute("INSERT INTO kept_cost_compacted VALUES (?)", [rows])


def kept_through(con) -> tuple[int, list[int]] | None:
    """The highest source the kept tables sum and the ledger's sources below it they do not (loading, or kept
    before a later keep); None when the store keeps nothing."""
    have = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND schema_name = 'main' AND table_name IN ('kept_sources', 'kept_cost_legs', "
                       "'kept_cost_interfaces')").fetchall()[0][0]
    if have < 3:
        return None
    through = con.execute("SELECT max(source_id) FROM kept_sources").fetchall()[0][0]
    if through is None:
        return None
    missing = con.execute("SELECT source_id FROM sources WHERE source_id <= ? AND source_id NOT IN "
                          "(SELECT source_id FROM kept_sources) ORDER BY source_id", [through]).fetchall()
    return through, [r[0] for r in missing]


def whole_days(since: int, until: int) -> dict:
    """The window's whole UTC days [whole_from, whole_to) in seconds: the kept sums answer for records starting in
    them; the records answer for the rest (whole_from == whole_to when the window holds no whole day)."""
    first, last = -(-since // DAY), until // DAY
    return {"whole_from": first * DAY, "whole_to": max(first, last) * DAY}


def kept_sql(extra_key: str | None) -> tuple[str, str]:
    """The two relations' SQL from the kept sums and the records they do not hold (see the module's doc)."""
    # a record ending before it starts is never summed: the window's test on its end decides it alone
    outside = (f"{WINDOW} AND (start < $whole_from OR start >= $whole_to OR \"end\" < start OR source_id IS NULL "
               "OR source_id > $through OR list_contains($missing, source_id))")
    inside = f"start_day >= $whole_from // {DAY} AND start_day < $whole_to // {DAY}"
    legs = f"""(SELECT * FROM kept_cost_legs WHERE {inside}
   UNION ALL BY NAME
   SELECT {_COLUMNS}, {_START_DAY} AS start_day, {", ".join(LEG_FIELDS)}, bytes, 1 AS records
   FROM flows WHERE {outside}) AS kept"""
    interfaces = f"""(SELECT * FROM kept_cost_interfaces WHERE {inside}
   UNION ALL BY NAME
   SELECT interface_id, {", ".join(INTERFACE_FIELDS)} FROM flows WHERE {outside}) AS kept"""
    return (legs_sql(extra_key, rows=legs, where="TRUE", start=f"start_day * {DAY}", records="sum(records)"),
            fields_sql(rows=interfaces, where="TRUE"))


@contextmanager
def kept_relations(engine, extra_key: str | None, bound: dict) -> Iterator[bool]:
    """Inside: the cost relations for `extra_key` materialized on the engine from the store's kept sums, for
    the named query's `bound` parameters (yields True); nothing done where the sums cannot serve (yields False)."""
    con = getattr(engine, "con", None)
    kept = kept_through(con) if engine.dialect == "duckdb" and extra_key != "hour" and con is not None else None
    if kept is None:
        yield False
        return
    through, missing = kept
    params = {**bound, **whole_days(int(bound["since"]), int(bound["until"])), "through": through,
              "missing": missing}
    names = (LEGS_RELATION[extra_key], "cost_interfaces")
    with materialized(engine, names, params, sql=dict(zip(names, kept_sql(extra_key), strict=True))):
        yield True

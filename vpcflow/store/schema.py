"""The store's tables, derived from the field table.

flows:      a view with one row per record of a whole source; columns are the field table's (AWS names with '-'
            as '_'), explicit types, plus event_time (a timestamp written before the record, when there is one),
            log_stream (the CloudWatch stream) and source_id (the ledger row it came from). It reads flow_records,
            which holds only the columns some ingested format has had.
sources:    the ledger: one row per ingested source, committed in the same transaction as its records.
quarantine: lines that did not fit, with their location and reason.
kept_sources: the sources whose records the `kept_*` tables sum (an analysis keeps its own per-leg sums there,
            vpcflow.cost.kept); deleting any of them clears every kept_* table, which its owner then rebuilds.
"""

from __future__ import annotations

import duckdb

from ..errors import FormatError
from ..fields import DEFAULT, FIELDS
from ..fields.checks import quote
from ..fields.formats import STORE_UNKNOWN_LIMIT
from ..fields.table import RESERVED_COLUMNS
from ..parse.transform import QUARANTINE_TEXT_LIMIT  # noqa: F401  (the store's readers look it up here)

META_COLUMNS = tuple(zip(RESERVED_COLUMNS, ("TIMESTAMPTZ", "VARCHAR", "BIGINT"), strict=True))

def records_ddl() -> str:
    """The physical table starts with the default format's columns; other fields are added when a format
    brings them, because every column costs on insert even when it is all NULL."""
    cols = [f"{quote(f.column)} {f.duckdb_type}" for f in DEFAULT.fields]
    cols += [f"{quote(name)} {kind}" for name, kind in META_COLUMNS]
    return "CREATE TABLE IF NOT EXISTS flow_records (\n  " + ",\n  ".join(cols) + "\n)"


def flows_view_sql(present: dict[str, str], hide_loading: bool = False) -> str:
    """The `flows` view every query reads: every field-table column in table order (NULL where no source has
    had it), then fields vpcflow does not know, then the meta columns; with `hide_loading`, whole sources only."""
    known = {f.column for f in FIELDS}
    meta = {name for name, _ in META_COLUMNS}
    cols = [quote(f.column) if f.column in present else f"NULL::{f.duckdb_type} AS {quote(f.column)}" for f in FIELDS]
    cols += [quote(c) for c in present if c not in known and c not in meta]
    cols += [quote(name) for name, _ in META_COLUMNS]
    where = f" WHERE {whole_sources('flow_records')}" if hide_loading else ""
    return f"CREATE OR REPLACE VIEW flows AS SELECT {', '.join(cols)} FROM flow_records{where}"


def whole_sources(table: str) -> str:
    """A condition keeping the rows of `table` whose source is whole: one committed in steps ('loading' in the
    ledger until its last step) shows all at once, and never in part after a kill -9 left it so."""
    return f"NOT EXISTS (SELECT 1 FROM sources s WHERE s.status = 'loading' AND s.source_id = {table}.source_id)"


def refresh_flows(con, present: dict[str, str] | None = None) -> None:
    """(Re)write `flows` for what the ledger holds now, in the caller's transaction: it hides loading sources
    only while one exists, so a reader pays for the anti-join (10-30% of a full scan) only then. Called
    wherever a 'loading' ledger row comes or goes, and where columns are added."""
    loading = bool(con.execute("SELECT 1 FROM sources WHERE status = 'loading' LIMIT 1").fetchall())
    con.execute(flows_view_sql(present if present is not None else present_columns(con), hide_loading=loading))


def present_columns(con) -> dict[str, str]:
    """The physical table's columns and their types, in table order; {} when there is no such table.
    pragma_table_info, not information_schema: the first catalog view a connection reads costs it 10-30 ms."""
    try:
        rows = con.execute("SELECT name, type FROM pragma_table_info('flow_records')").fetchall()
    except duckdb.CatalogException:
        return {}
    return {name: kind for name, kind in rows}


def ensure_columns(con, fields, present: dict[str, str] | None = None) -> None:
    """Add the columns a format brings (known fields typed, unknown ones as text) and refresh the view.

    `present` is the caller's cache of present_columns(); it is updated in place.
    """
    if present is not None and all(f.column in present for f in fields):
        return
    present = present if present is not None else {}
    present.update(present_columns(con))
    missing = [f for f in fields if f.column not in present]
    _refuse_unbounded(present, [f.name for f in missing if not f.known])
    for f in missing:
        con.execute(f"ALTER TABLE flow_records ADD COLUMN {quote(f.column)} {f.duckdb_type}")
    if missing or not con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = 'flows'").fetchall():
        present.update(present_columns(con))
        refresh_flows(con, present)


def _refuse_unbounded(present: dict[str, str], adding: list[str]) -> None:
    """A FormatError when `adding` these unknown fields would keep more than STORE_UNKNOWN_LIMIT such columns."""
    known = {f.column for f in FIELDS} | set(RESERVED_COLUMNS)
    kept = len([c for c in present if c not in known])
    if adding and kept + len(adding) > STORE_UNKNOWN_LIMIT:
        raise FormatError(
            f"format adds {len(adding)} fields vpcflow does not know ({', '.join(adding[:3])} ...) to the "
            f"{kept} the store keeps already: at most {STORE_UNKNOWN_LIMIT}",
            hint="each becomes a column of every record; check the header line, or use another --db")


DDL = [
    records_ddl(),
    "CREATE SEQUENCE IF NOT EXISTS source_ids START 1",
    """CREATE TABLE IF NOT EXISTS sources (
  source_id BIGINT PRIMARY KEY,
  identity VARCHAR NOT NULL,
  size BIGINT,
  revision VARCHAR,
  checksum VARCHAR,
  format VARCHAR,
  records BIGINT NOT NULL,
  quarantined BIGINT NOT NULL,
  status VARCHAR NOT NULL,
  message VARCHAR,
  ingested_at TIMESTAMPTZ NOT NULL,
  UNIQUE (identity, checksum)
)""",
    """CREATE TABLE IF NOT EXISTS quarantine (
  source_id BIGINT,
  source VARCHAR NOT NULL,
  line BIGINT,
  reason VARCHAR NOT NULL,
  text VARCHAR
)""",
    "CREATE TABLE IF NOT EXISTS kept_sources (source_id BIGINT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS meta (
  key VARCHAR PRIMARY KEY,
  value VARCHAR
)""",
]

SCHEMA_VERSION = "1"


def arrow(con, sql: str, params: list | dict | None = None):
    """Run a query with bound parameters and return Arrow without the DB-API result's extra copy."""
    return con.sql(sql, params=params or None).to_arrow_table()


def insert_arrow(con, sql: str, params: dict | None, batch) -> int:
    """Run an INSERT that reads the Arrow table `batch` (by DuckDB's replacement scan of this frame); the rows
    inserted. DuckDB keeps its thread count for the whole ingest: a batch in whole row groups (rowgroups.py)
    is stored on every core. Changing the count around each insert relaunched DuckDB's workers, and each exit
    trimmed the whole process's free memory (glibc malloc_trim): about a quarter of ingest's page faults."""
    return con.execute(sql, params or {}).fetchall()[0][0]

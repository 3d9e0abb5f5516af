"""The store's tables, derived from the field table.

flows:      one row per record; columns are the field table's (AWS names with '-' as '_'), explicit types,
            plus event_time (a timestamp written before the record, when there is one), log_stream (the
            CloudWatch stream) and source_id (the ledger row it came from).
sources:    the ledger: one row per ingested source, committed in the same transaction as its records.
quarantine: lines that did not fit, with their location and reason.
"""

from __future__ import annotations

from ..fields import FIELDS

META_COLUMNS = (
    ("event_time", "TIMESTAMPTZ"),
    ("log_stream", "VARCHAR"),
    ("source_id", "BIGINT"),
)

QUARANTINE_TEXT_LIMIT = 4096  # a quarantined line keeps its first 4 KB: enough to see what went wrong


def quote(name: str) -> str:
    """A column name as a quoted SQL identifier (names come from the field table or a checked header)."""
    return '"' + name.replace('"', '""') + '"'


def flows_ddl() -> str:
    cols = [f"{quote(f.column)} {f.duckdb_type}" for f in FIELDS]
    cols += [f"{quote(name)} {kind}" for name, kind in META_COLUMNS]
    return "CREATE TABLE IF NOT EXISTS flows (\n  " + ",\n  ".join(cols) + "\n)"


DDL = [
    flows_ddl(),
    "CREATE SEQUENCE IF NOT EXISTS source_ids START 1",
    """CREATE TABLE IF NOT EXISTS sources (
  source_id BIGINT PRIMARY KEY,
  identity VARCHAR NOT NULL,
  size BIGINT,
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
    """CREATE TABLE IF NOT EXISTS meta (
  key VARCHAR PRIMARY KEY,
  value VARCHAR
)""",
]

SCHEMA_VERSION = "1"

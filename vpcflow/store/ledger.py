"""The ledger's side of exactly once: is a source held, and removing what a failed or killed ingest left."""

from __future__ import annotations

import duckdb

from ..sources.base import Source


def in_ledger(con: duckdb.DuckDBPyConnection, identity: str, revision: str | None) -> bool:
    """True when this exact source (identity and revision: ETag, size and mtime, ...) is in the ledger."""
    if revision is None:
        return False
    return bool(con.execute("SELECT 1 FROM sources WHERE identity = ? AND revision = ?", [identity, revision]).fetchall())


def revisions(con, identity: str) -> list[str | None]:
    """The revisions of a source the ledger holds whole (a CloudWatch stream: one per span read)."""
    rows = con.execute("SELECT revision FROM sources WHERE identity = ? AND status <> 'loading'", [identity])
    return [r[0] for r in rows.fetchall()]


def already(con: duckdb.DuckDBPyConnection, src: Source) -> bool:
    """True when the ledger holds this source at its current revision."""
    return in_ledger(con, src.identity, src.version)


def purge(con: duckdb.DuckDBPyConnection, source_ids: list[int]) -> None:
    """Delete everything of these sources (records, quarantined lines, ledger rows) in one transaction."""
    if not source_ids:
        return
    con.execute("BEGIN TRANSACTION")
    for table in ("flow_records", "quarantine", "sources"):
        con.execute(f"DELETE FROM {table} WHERE source_id IN (SELECT unnest(?))", [source_ids])
    con.execute("COMMIT")


def purge_unfinished(con: duckdb.DuckDBPyConnection) -> int:
    """Sources a killed process left in steps ('loading'): delete them so the next ingest reads them whole."""
    ids = [r[0] for r in con.execute("SELECT source_id FROM sources WHERE status = 'loading'").fetchall()]
    purge(con, ids)
    return len(ids)

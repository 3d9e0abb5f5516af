"""The ledger's side of exactly once: is a source held, and removing what a failed or killed ingest left."""

from __future__ import annotations

import hashlib

import duckdb

from ..fields.checks import quote
from ..sources.base import Source
from .schema import refresh_flows


def in_ledger(con: duckdb.DuckDBPyConnection, identity: str, revision: str | None) -> bool:
    """True when this exact source (identity and revision: ETag, size and mtime, ...) is in the ledger."""
    if revision is None:
        return False
    return bool(con.execute("SELECT 1 FROM sources WHERE identity = ? AND revision = ?", [identity, revision]).fetchall())


def held_revisions(con: duckdb.DuckDBPyConnection, sources: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """in_ledger for many (identity, revision) pairs in one query: the pairs the ledger holds."""
    if not sources:
        return set()
    rows = con.execute(
        "SELECT identity, revision FROM sources JOIN (SELECT unnest(?::VARCHAR[]) AS identity, "
        "unnest(?::VARCHAR[]) AS revision) USING (identity, revision)",
        [[i for i, _ in sources], [r for _, r in sources]]).fetchall()
    return {(identity, revision) for identity, revision in rows}


def revisions(con, identity: str) -> list[str | None]:
    """The revisions of a source the ledger holds whole (a CloudWatch stream: one per span read)."""
    rows = con.execute("SELECT revision FROM sources WHERE identity = ? AND status <> 'loading'", [identity])
    return [r[0] for r in rows.fetchall()]


def already(con: duckdb.DuckDBPyConnection, src: Source) -> bool:
    """True when the ledger holds this source at its current revision."""
    return in_ledger(con, src.identity, src.version)


EMPTY = hashlib.sha256(b"").hexdigest()  # no content: every empty file is its own source


def same_content(con: duckdb.DuckDBPyConnection, identity: str, checksum: str | None) -> str | None:
    """Why a source whose content the ledger holds already is skipped: under this identity, or under another
    (a copied or moved file, an object delivered twice); None when the content is new."""
    return held_contents(con, [(identity, checksum)])[0]


def held_contents(con: duckdb.DuckDBPyConnection, sources: list[tuple[str, str | None]]) -> list[str | None]:
    """same_content for many (identity, checksum) pairs in one query."""
    rows = con.execute(
        "SELECT i, first(s.identity ORDER BY s.identity <> w.identity) FROM (SELECT unnest(?) AS identity, "
        "unnest(?) AS checksum, unnest(range(len(?))) AS i) w JOIN sources s ON s.checksum = w.checksum "
        "AND (s.identity = w.identity OR w.checksum <> ?) GROUP BY i",
        [[i for i, _ in sources], [c for _, c in sources], [c for _, c in sources], EMPTY]).fetchall()
    found = dict(rows)
    return [None if i not in found else "already ingested (same content)"
            + ("" if found[i] == identity else f", as {found[i]}") for i, (identity, _) in enumerate(sources)]


def replace_earlier(con: duckdb.DuckDBPyConnection, sources: list[tuple[Source, str | None]]) -> None:
    """Inside the caller's transaction, delete what earlier revisions of these whole sources left (a file
    rewritten at its path, an object under its key): the rows of each identity whose content is not its content
    now. (source, its checksum now) pairs: stored by this transaction, or skipped as held under another identity."""
    whole = [(src.identity, checksum) for src, checksum in sources if src.whole]
    if not whole:
        return
    ids = [r[0] for r in con.execute(
        "SELECT s.source_id FROM sources s JOIN (SELECT unnest(?) AS identity, unnest(?) AS checksum) w "
        "ON s.identity = w.identity AND s.checksum IS DISTINCT FROM w.checksum",
        [[i for i, _ in whole], [c for _, c in whole]]).fetchall()]
    if ids:  # the usual case is none: a DELETE would still scan the records' source_id column
        _delete(con, ids)


def _delete(con: duckdb.DuckDBPyConnection, source_ids: list[int]) -> None:
    """Delete these sources' records, quarantined lines and ledger rows, in the caller's transaction; and
    every kept_* sum when it counted one of them (sums over many sources cannot take one out exactly)."""
    for table in ("flow_records", "quarantine", "sources"):
        con.execute(f"DELETE FROM {table} WHERE source_id IN (SELECT unnest(?))", [source_ids])
    if con.execute("SELECT 1 FROM kept_sources WHERE source_id IN (SELECT unnest(?)) LIMIT 1", [source_ids]).fetchall():
        clear_kept(con)


def clear_kept(con: duckdb.DuckDBPyConnection) -> None:
    """Empty every kept_* table and the list of sources they sum, in the caller's transaction."""
    kept = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND schema_name = 'main' AND starts_with(table_name, 'kept_')").fetchall()
    for (table,) in kept:
        con.execute(f"DELETE FROM {quote(table)}")


def purge(con: duckdb.DuckDBPyConnection, source_ids: list[int]) -> None:
    """Delete everything of these sources (records, quarantined lines, ledger rows) in one transaction."""
    if not source_ids:
        return
    con.execute("BEGIN TRANSACTION")
    _delete(con, source_ids)
    refresh_flows(con)  # no source loading any more: `flows` stops looking for one
    con.execute("COMMIT")


def purge_unfinished(con: duckdb.DuckDBPyConnection) -> int:
    """Sources a killed process left in steps ('loading'): delete them so the next ingest reads them whole."""
    ids = [r[0] for r in con.execute("SELECT source_id FROM sources WHERE status = 'loading'").fetchall()]
    purge(con, ids)
    return len(ids)

"""The store: one DuckDB file holding flows, the ledger of sources, and the quarantine."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ..errors import QueryError, StoreError
from ..fields import DEFAULT, LogFormat
from ..sources.base import Source
from .holder import live_holder, wait_for_holder
from .ingest import BeforeCommit, IngestResult, Progress, SourceResult
from .ledger import held_revisions, in_ledger, purge_unfinished, revisions
from .many import ingest_sources
from .pipeline import ctrl_c
from .remote import RemoteConnection
from .schema import DDL, SCHEMA_VERSION, arrow, ensure_columns, present_columns, refresh_flows, whole_sources
from .targets import resolve_targets

DEFAULT_PATH = "vpcflow.duckdb"
_READ_ONLY_TYPES = {"SELECT", "EXPLAIN", "PRAGMA"}


class Store:
    """A flow-log store in one DuckDB file. Use as a context manager, or call close().

    When another process holds the file (`vpcflow serve`), the store is reached through it: `con` is then a
    RemoteConnection (vpcflow.store.remote) and ingest is handed over, so nothing fails on DuckDB's file lock.
    """

    def __init__(self, path: str | Path = DEFAULT_PATH, *, read_only: bool = False, memory_limit: str = "2GB",
                 ingest_memory_limit: str = "512MB", holder_wait: float = 10.0):
        self.path = str(path)
        self.memory_limit = memory_limit
        self.ingest_memory_limit = ingest_memory_limit  # DuckDB caches written blocks up to its limit
        self.read_only = read_only
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(f"no store at {self.path}", hint="ingest something first: vpcflow ingest PATH")
        holder = live_holder(self.path)
        self.remote = holder is not None
        if holder is not None:
            self.con = RemoteConnection(holder, read_only=read_only)
            return
        try:
            self.con = duckdb.connect(self.path, read_only=read_only, config={"memory_limit": memory_limit})
            try:  # no DuckDB progress bar: it would write to the stdout of whatever embeds the store
                self.con.execute("SET enable_progress_bar = false")
            except duckdb.Error:
                pass  # a locked configuration (the dashboard's) has it off already
        except duckdb.Error as exc:
            holder = wait_for_holder(self.path, holder_wait) if "lock" in str(exc).lower() else None
            if holder is not None:  # a holder was starting as we opened: go through it
                self.remote, self.con = True, RemoteConnection(holder, read_only=read_only)
                return
            raise StoreError(f"cannot open {self.path}: {str(exc).splitlines()[0]}",
                             hint="is another vpcflow process writing to it?") from exc
        if not read_only:
            for stmt in DDL:
                self.con.execute(stmt)
            present = present_columns(self.con)
            ensure_columns(self.con, DEFAULT.fields, present)
            purge_unfinished(self.con)  # a process killed mid-source left it in steps: it will be read whole
            refresh_flows(self.con, present)  # a store an older vpcflow made gets today's view
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])

    @classmethod
    def open(cls, path: str | Path = DEFAULT_PATH, *, read_only: bool = False) -> Store:
        return cls(path, read_only=read_only)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # ---- writing
    def ingest(self, targets: Iterable[str | Path | Source] | str | Path | Source, *, format: str | LogFormat | None = None,
               since: datetime | None = None, until: datetime | None = None, session=None,
               progress: Progress | None = None, fetched: Callable[[int, int], None] | None = None,
               before_commit: BeforeCommit | None = None) -> IngestResult:
        """Ingest files, directories, '-' (stdin), Source objects, and with an AWS `session`
        (vpcflow.aws.session.AwsSession) `s3://BUCKET/PREFIX` and `cwl://LOG_GROUP[/STREAM]`. A source the
        ledger holds is skipped: an S3 object before it is downloaded, a stream's spans already stored.

        `progress(source, records, raw_bytes)` follows the storing, `fetched(objects, bytes)` the downloads;
        `before_commit(con, source, result)` runs inside each source's transaction, just before it commits.
        Ctrl-C stops at once (KeyboardInterrupt, also from inside a DuckDB statement); whole sources stay stored.
        """
        if self.read_only:
            raise StoreError("the store is open read-only")
        if isinstance(targets, (str, Path, Source)):
            targets = [targets]
        fmt = LogFormat.parse(format) if isinstance(format, str) else format
        noted: list[SourceResult] = []  # targets that cannot be read, objects the ledger holds

        def unresolved(location: str, why: str) -> None:
            noted.append(SourceResult(location, status="failed", message=why))

        ledger = self.con if self.remote else self.con.cursor()  # looked up from the thread that lists sources

        asked: set[tuple[str, str]] = set()  # what `seen` looked up: the pipeline does not ask the ledger again

        def seen(listed: list[tuple[str, str]]) -> set[tuple[str, str]]:  # one query per S3 listing answer
            held = held_revisions(ledger, listed)
            asked.update(listed)
            noted.extend(SourceResult(identity, status="skipped", message="already ingested")
                         for identity, revision in listed if (identity, revision) in held)
            return held

        sources = resolve_targets(targets, since, until, session, fmt, unresolved, seen=seen,
                                  held=lambda identity: revisions(ledger, identity), fetched=fetched)
        try:
            with ctrl_c():
                result = self._ingest(sources, fmt, progress, before_commit, asked)
        finally:
            if ledger is not self.con:
                ledger.close()
        for note in noted:
            result.add(note)
        return result

    def _ingest(self, sources: Iterable[Source], fmt: LogFormat | None, progress: Progress | None,
                before_commit: BeforeCommit | None, asked: set[tuple[str, str]]) -> IngestResult:
        if self.remote:
            if before_commit is not None:
                raise StoreError(f"{self.path} is held by another process (pid {self.con.note.pid}): only it can "
                                 "follow sources into it", hint="add --follow SOURCE to that `vpcflow serve`, "
                                 "or stop it and run this again")
            return self.con.ingest(sources, format=fmt, progress=progress)
        self.con.execute("SET memory_limit = ?", [self.ingest_memory_limit])
        try:
            result = ingest_sources(self.con, sources, format=fmt, progress=progress, before_commit=before_commit,
                                    looked_up=asked)
            if result.records:
                self.con.execute("CHECKPOINT")  # now, under the ingest limit: at close it would take the full one
        finally:  # after an interrupt too: the ingest rolled its transaction back
            self.con.execute("SET memory_limit = ?", [self.memory_limit])
        return result

    def has_source(self, identity: str, revision: str | None) -> bool:
        """True when this exact source (identity and revision: ETag, size and mtime, ...) is in the ledger."""
        return in_ledger(self.con, identity, revision)

    # ---- reading
    def query(self, sql: str, params: list | dict | None = None) -> pa.Table:
        """Run one read-only statement (SELECT, EXPLAIN) with bound parameters; the result as Arrow."""
        try:
            statements = self.con.extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryError.of(exc) from exc
        if len(statements) != 1:
            raise QueryError(f"give exactly one statement, not {len(statements)}")
        kind = statements[0].type.name
        if kind not in _READ_ONLY_TYPES:
            raise QueryError(f"only read-only queries are allowed here, not {kind}",
                             hint="use SELECT; the store changes only through ingest")
        try:
            return arrow(self.con, sql, params or [])
        except duckdb.Error as exc:
            raise QueryError.of(exc) from exc

    def stats(self) -> dict:
        """What the store holds: records, sources, quarantine, time range, interfaces."""
        row = self.con.execute("""
            SELECT count(*), min(start), max("end"), count(DISTINCT interface_id), count(DISTINCT account_id),
                   count(*) FILTER (action = 'ACCEPT'), count(*) FILTER (action = 'REJECT'),
                   count(*) FILTER (log_status = 'NODATA'), count(*) FILTER (log_status = 'SKIPDATA'),
                   coalesce(sum(bytes), 0), coalesce(sum(packets), 0)
            FROM flows""").fetchall()[0]
        sources = self.con.execute(
            "SELECT count(*), coalesce(sum(records), 0) FROM sources WHERE status <> 'loading'").fetchall()[0]
        quarantined = self.con.execute(
            f"SELECT count(*) FROM quarantine WHERE {whole_sources('quarantine')}").fetchall()[0][0]
        from ..timeutil import iso
        return {
            "records": row[0], "sources": sources[0], "quarantined": quarantined,
            "first_start": iso(row[1]), "last_end": iso(row[2]), "interfaces": row[3], "accounts": row[4],
            "accepted": row[5], "rejected": row[6], "nodata": row[7], "skipdata": row[8],
            "bytes": row[9], "packets": row[10], "path": self.path,
        }

    def quarantine(self, limit: int | None = None, source: str | None = None) -> pa.Table:
        sql = f"SELECT source, line, reason, text FROM quarantine WHERE {whole_sources('quarantine')}"
        params: list = []
        if source:
            sql += " AND source = ?"
            params.append(source)
        sql += " ORDER BY source, source_id, line"  # a stream read in pieces: piece by piece, then line by line
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        return arrow(self.con, sql, params)

    def sources(self) -> pa.Table:
        return arrow(self.con,
                     "SELECT source_id, identity, size, checksum, format, records, quarantined, status, message, "
                     "ingested_at FROM sources WHERE status <> 'loading' ORDER BY source_id")

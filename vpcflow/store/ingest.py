"""Ingest: parse sources into the store, each source exactly once, in one transaction with its ledger row.

A reader thread decompresses and parses the next blocks while DuckDB checks and stores the previous one, so
the two overlap. A crash mid-source leaves nothing of it behind (the transaction never commits) and the next run
ingests it whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from ..errors import SourceError, VpcFlowError
from ..fields import LogFormat
from ..parse.sniff import Layout
from ..parse.transform import (
    QUARANTINE_TEXT_LIMIT,
    insert_flows_sql,
    insert_quarantine_sql,
    insert_typed_sql,
    parquet_format,
    stage_parquet_sql,
)
from ..sources.base import PARQUET, Source, failure
from .ledger import already, purge, replace_earlier, same_content
from .pipeline import feed
from .prepare import Preread
from .readahead import SourceRead
from .rowgroups import RowGroups
from .schema import ensure_columns, insert_arrow, present_columns, refresh_flows

COMMIT_ROWS = 1_000_000  # a source larger than this commits in steps (see _Ingest.step)
Progress = Callable[[str, int, int], None]  # (source, records so far in it, raw bytes read so far)
# Runs inside a source's transaction just before it commits (a follower's checkpoint commits with the records).
BeforeCommit = Callable[[duckdb.DuckDBPyConnection, "Source", "SourceResult"], None]


@dataclass
class SourceResult:
    source: str
    records: int = 0
    quarantined: int = 0
    status: str = "ingested"  # ingested | skipped | failed
    message: str | None = None
    source_id: int | None = None  # the ledger row, once ingested


@dataclass
class IngestResult:
    records: int = 0
    quarantined: int = 0
    sources: int = 0
    skipped_sources: int = 0
    failed_sources: int = 0
    seconds: float = 0.0
    details: list[SourceResult] = field(default_factory=list)

    def add(self, r: SourceResult) -> None:
        self.details.append(r)
        if r.status == "ingested":
            self.sources += 1
            self.records += r.records
            self.quarantined += r.quarantined
        elif r.status == "skipped":
            self.skipped_sources += 1
        else:
            self.failed_sources += 1

    @property
    def errors(self) -> list[SourceResult]:
        return [d for d in self.details if d.status == "failed"]

    @property
    def warnings(self) -> list[SourceResult]:
        return [d for d in self.details if d.status == "ingested" and d.message]

    def as_dict(self) -> dict:
        return {
            "records": self.records, "quarantined": self.quarantined, "sources": self.sources,
            "skipped_sources": self.skipped_sources, "failed_sources": self.failed_sources,
            "seconds": round(self.seconds, 3),
            "errors": [{"source": e.source, "error": e.message} for e in self.errors],
            "warnings": [{"source": w.source, "warning": w.message} for w in self.warnings],
        }


class _Ingest:
    """One source's ingest inside an open transaction: the store's sink for the block pipeline."""

    def __init__(self, con: duckdb.DuckDBPyConnection, src: Source, source_id: int, given: LogFormat | None,
                 progress: Progress | None, columns: dict[str, str]):
        self.con, self.src, self.source_id, self.given, self.progress = con, src, source_id, given, progress
        self.columns = columns  # the physical table's columns, cached across sources
        self.uncommitted = 0  # records staged since the last intermediate commit
        self.loading = False  # a 'loading' ledger row was committed: this source commits in steps
        self.records = 0
        self.quarantined = 0
        self.message: str | None = None
        self.fmt: LogFormat | None = None
        self.layout: Layout | None = None
        self.checksum: str | None = None
        self.waiting = RowGroups()  # typed records gathered into whole row groups

    def _stage(self, sql: str, params: dict | None = None, expected: int | None = None,
               batch: pa.Table | None = None) -> None:
        """Insert the good rows; look for bad ones only when fewer rows went in than were expected.

        The SQL reads `batch` by DuckDB's replacement scan of this frame's locals: a registered Arrow table
        would be kept alive by the transaction until it commits, holding every batch of a large source.
        """
        assert batch is not None or "FROM batch" not in sql
        params = params or {}
        self._insert(self.waiting.rest())  # typed records before these lines, in the source's order
        good = self.con.execute(insert_flows_sql(self.fmt, sql),
                                {**params, "log_stream": self.src.log_stream, "source_id": self.source_id}
                                ).fetchall()[0][0]
        self.records += good
        self.uncommitted += good
        if expected is None or good < expected:
            bad = self.con.execute(insert_quarantine_sql(sql),
                                   {**params, "source_id": self.source_id, "source": self.src.identity}
                                   ).fetchall()[0][0]
            self.quarantined += bad

    def step(self) -> None:
        """Commit a large source in steps, so memory stays bounded: DuckDB holds a transaction's appended rows
        in memory. The ledger row says 'loading' until the last step, and `flows` hides the source meanwhile;
        Store() deletes such a source's rows when it opens, so a process killed mid-source leaves nothing of it."""
        if self.uncommitted < COMMIT_ROWS:
            return
        if not self.loading:
            self.con.execute("INSERT INTO sources VALUES (?, ?, ?, ?, NULL, NULL, 0, 0, 'loading', NULL, now())",
                             [self.source_id, self.src.identity, self.src.size, self.src.version])
            refresh_flows(self.con)  # readers see `flows` hide it with the step that makes it visible
            self.loading = True
        self.con.execute("COMMIT")
        self.con.execute("BEGIN TRANSACTION")
        self.uncommitted = 0

    def text(self, pre: Preread | None = None, ahead: SourceRead | None = None) -> None:
        """Stream the source (or take the batches a pre-read already holds) into the store, block by block
        through the shared pipeline, which hands this sink each block's records and bad lines."""
        if pre is not None:
            if pre.error is not None:
                raise pre.error
            decoder, items = pre.decoder, pre.batches
        else:
            ahead = ahead or SourceRead(self.src, self.src.format or self.given)
            decoder, items = ahead.decoder, ahead
        try:
            for _ in feed(items, decoder, self, self.src.first_line):
                self._stored(decoder)
            self._insert(self.waiting.rest())
        finally:
            self.waiting.drop()
            if ahead is not None:
                ahead.close()
        self.message = decoder.reader.truncated or self.message
        self.checksum = decoder.reader.checksum

    def _stored(self, decoder) -> None:
        if self.uncommitted + self.waiting.rows >= COMMIT_ROWS:
            self._insert(self.waiting.rest())  # a step commits what was read before it
            self.step()
        if self.progress:
            self.progress(self.src.identity, self.records, decoder.reader.raw_bytes)

    # ---- the pipeline's sink (BlockSink)
    def start(self, layout: Layout) -> None:
        self.fmt, self.layout = layout.format, layout
        if self.fmt is not None:
            ensure_columns(self.con, self.fmt.fields, self.columns)
        else:
            self.message = layout.why_unknown

    def typed(self, fmt: LogFormat, stamped: bool, batch: pa.Table) -> None:
        self._insert(self.waiting.add(batch))

    def _insert(self, batch: pa.Table | None) -> None:
        if batch is None:
            return
        good = insert_arrow(self.con, insert_typed_sql(self.fmt, stamped=self.layout.stamped),
                            {"log_stream": self.src.log_stream, "source_id": self.source_id}, batch=batch)
        self.records += good
        self.uncommitted += good

    def staged(self, fmt: LogFormat, stage_sql: str, batch: pa.Table, expected: int) -> None:
        self._stage(stage_sql, expected=expected, batch=batch)

    def quarantine(self, rows: list[tuple[int, str, str]]) -> None:
        if not rows:
            return
        self.con.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?)",
            [(self.source_id, self.src.identity, n, reason, text[:QUARANTINE_TEXT_LIMIT]) for n, reason, text in rows])
        self.quarantined += len(rows)

    def parquet(self) -> None:
        with self.src.local_file() as path:
            try:
                self.fmt = parquet_format(self.con, path)
                ensure_columns(self.con, self.fmt.fields, self.columns)
                self._stage(stage_parquet_sql(self.fmt), {"path": path})
                with open(path, "rb") as fh:
                    self.checksum = hashlib.file_digest(fh, "sha256").hexdigest()
            except duckdb.InterruptException:
                raise
            except duckdb.Error as exc:
                raise SourceError(f"not a readable Parquet file: {str(exc).splitlines()[0]}",
                                  location=self.src.identity) from exc


def ingest_one(con: duckdb.DuckDBPyConnection, src: Source, *, format: LogFormat | None = None,
               progress: Progress | None = None, before_commit: BeforeCommit | None = None,
               columns: dict[str, str] | None = None, pre: Preread | None = None,
               ahead: SourceRead | None = None) -> SourceResult:
    """Ingest one source in its own transaction; `ahead` is its reading, when already started."""
    if columns is None:
        columns = present_columns(con)
    if pre is None and already(con, src):
        if ahead is not None:
            ahead.close()
        return SourceResult(src.identity, status="skipped", message="already ingested")
    con.execute("BEGIN TRANSACTION")
    job = None
    try:
        source_id = con.execute("SELECT nextval('source_ids')").fetchall()[0][0]
        job = _Ingest(con, src, source_id, format, progress, columns)
        if src.kind == PARQUET:
            job.parquet()
        else:
            job.text(pre, ahead)
        dup = same_content(con, src.identity, job.checksum)
        if dup:
            con.execute("ROLLBACK")
            if job.loading:
                purge(con, [source_id])
            if src.whole:  # held under another identity: what this one held before is in no file any more
                con.execute("BEGIN TRANSACTION")
                replace_earlier(con, [(src, job.checksum)])
                con.execute("COMMIT")
            return SourceResult(src.identity, status="skipped", message=dup)
        if job.loading:
            con.execute("DELETE FROM sources WHERE source_id = ?", [source_id])
            refresh_flows(con)  # whole with this commit: `flows` need not look for loading sources
        replace_earlier(con, [(src, job.checksum)])
        con.execute(
            "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
            [source_id, src.identity, src.size, src.version, job.checksum,
             job.fmt.log_format() if job.fmt else None, job.records, job.quarantined,
             "truncated" if job.message and "truncated" in job.message else "ok", job.message],
        )
        done = SourceResult(src.identity, job.records, job.quarantined, message=job.message, source_id=source_id)
        if before_commit is not None:
            before_commit(con, src, done)
        con.execute("COMMIT")
        return done
    except VpcFlowError as exc:
        _abandon(con, job, columns)
        return SourceResult(src.identity, status="failed", message=str(exc))
    except OSError as exc:
        _abandon(con, job, columns)
        return SourceResult(src.identity, status="failed", message=failure(src.identity, exc))
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _abandon(con: duckdb.DuckDBPyConnection, job: _Ingest | None, columns: dict[str, str]) -> None:
    """Roll back a failed source, and delete the steps it had already committed."""
    con.execute("ROLLBACK")
    columns.clear()  # an ALTER in the rolled-back transaction is gone too
    if job is not None and job.loading:
        purge(con, [job.source_id])



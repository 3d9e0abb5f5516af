"""Ingest: parse sources into the store, each source exactly once, in one transaction with its ledger row.

A reader thread decompresses and cuts lines while DuckDB types and checks the previous batch, so the two
overlap. A crash mid-source leaves nothing of it behind (the transaction never commits) and the next run
ingests it whole.
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from ..errors import SourceError, VpcFlowError
from ..fields import LogFormat
from ..parse.chunks import LineBatch, LineReader
from ..parse.sniff import Layout, sniff
from ..parse.transform import insert_flows_sql, insert_quarantine_sql, stage_lines_sql, stage_parquet_sql
from ..sources.base import PARQUET, Source
from .schema import QUARANTINE_TEXT_LIMIT, ensure_columns, present_columns
from .small import GROUP_LINES, Preread, ingest_group, is_small, preread

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


def in_ledger(con: duckdb.DuckDBPyConnection, identity: str, revision: str | None) -> bool:
    """True when this exact source (identity and revision: ETag, size and mtime, ...) is in the ledger."""
    if revision is None:
        return False
    return bool(con.execute("SELECT 1 FROM sources WHERE identity = ? AND revision = ?", [identity, revision]).fetchall())


def _already(con: duckdb.DuckDBPyConnection, src: Source) -> bool:
    return in_ledger(con, src.identity, src.version)




def _batches(reader: LineReader) -> Iterable[LineBatch]:
    """Iterate the reader in a thread, two batches ahead, passing its errors through."""
    q: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def run() -> None:
        try:
            for b in reader:
                while not stop.is_set():
                    try:
                        q.put(b, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            q.put(exc)

    t = threading.Thread(target=run, name="vpcflow-reader", daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


class _Ingest:
    """One source's ingest inside an open transaction."""

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
        self.checksum: str | None = None

    def _stage(self, sql: str, params: dict | None = None, expected: int | None = None,
               batch: pa.Table | None = None) -> None:
        """Insert the good rows; look for bad ones only when fewer rows went in than were expected.

        The SQL reads `batch` by DuckDB's replacement scan of this frame's locals: a registered Arrow table
        would be kept alive by the transaction until it commits, holding every batch of a large source.
        """
        assert batch is not None or "FROM batch" not in sql
        params = params or {}
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
        in memory. The ledger row says 'loading' until the last step; Store() deletes such a source's rows
        when it opens, so a process killed mid-source still leaves nothing of it behind."""
        if self.uncommitted < COMMIT_ROWS:
            return
        if not self.loading:
            self.con.execute("INSERT INTO sources VALUES (?, ?, ?, ?, NULL, NULL, 0, 0, 'loading', NULL, now())",
                             [self.source_id, self.src.identity, self.src.size, self.src.version])
            self.loading = True
        self.con.execute("COMMIT")
        self.con.execute("BEGIN TRANSACTION")
        self.uncommitted = 0

    def _quarantine(self, rows: list[tuple[int, str, str]]) -> None:
        if rows:
            self.con.executemany(
                "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?)",
                [(self.source_id, self.src.identity, n, reason, text[:QUARANTINE_TEXT_LIMIT]) for n, reason, text in rows],
            )
            self.quarantined += len(rows)

    def text(self, pre: Preread | None = None) -> None:
        """Stream the source (or take the batches a pre-read already holds) through the staging SQL."""
        if pre is not None:
            if pre.error is not None:
                raise pre.error
            batches, reader = pre.batches, None
        else:
            reader = LineReader(self.src.opener(), self.src.identity)
            batches = _batches(reader)
        layout: Layout | None = None
        sql = None
        next_line = 1
        header_line = 0
        for batch in batches:
            next_line = batch.first_line + len(batch.lines)
            if layout is None:
                first = next((s for s in batch.lines.to_pylist() if s.strip()), None)
                if first is None and len(batch.lines) and not batch.problems:
                    pass  # only blank lines so far: look again in the next batch
                else:
                    header_line = batch.first_line + batch.lines.to_pylist().index(first) if first else 0
                    layout = sniff(first, self.src.format or self.given, self.src.identity)
                    self.fmt = layout.format
                    if self.fmt is not None:
                        ensure_columns(self.con, self.fmt.fields, self.columns)
                        sql = stage_lines_sql(self.fmt, layout.prefix, layout.header)
                    else:
                        self.message = layout.why_unknown
            self._quarantine(batch.problems)
            if sql is None:
                self._unknown(batch, layout)
            else:
                table = pa.table({"n": pa.array(range(batch.first_line, batch.first_line + len(batch.lines)), pa.int64()),
                                  "line": batch.lines})
                headers = 1 if layout.header and batch.first_line <= header_line < next_line else 0
                self._stage(sql, expected=len(batch.lines) - batch.empty - headers, batch=table)
                self.step()
            if self.progress:
                self.progress(self.src.identity, self.records, reader.raw_bytes if reader else self.src.size or 0)
        truncated = reader.truncated if reader else pre.truncated
        if truncated:
            self._quarantine([(next_line, truncated, "")])
            self.message = truncated
        self.checksum = reader.checksum if reader else pre.checksum

    def _unknown(self, batch: LineBatch, layout: Layout | None) -> None:
        """No format could be told: every non-blank line is quarantined with the reason, so nothing is lost."""
        reason = (layout.why_unknown if layout else None) or "cannot tell the format; pass --format"
        rows = [(batch.first_line + i, reason, s) for i, s in enumerate(batch.lines.to_pylist()) if s.strip()]
        self._quarantine(rows)

    def parquet(self) -> None:
        path, tmp = self.src.local_path, None
        if path is None:
            tmp = tempfile.NamedTemporaryFile(suffix=".parquet", delete=False)
            with self.src.opener() as raw:
                shutil.copyfileobj(raw, tmp)
            tmp.close()
            path = tmp.name
        try:
            names = [r[0] for r in self.con.execute("DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = false)", [path]).fetchall()]
            self.fmt = LogFormat.parse(" ".join(names))
            ensure_columns(self.con, self.fmt.fields, self.columns)
            self._stage(stage_parquet_sql(self.fmt), {"path": path})
            with open(path, "rb") as fh:
                self.checksum = hashlib.file_digest(fh, "sha256").hexdigest()
        except duckdb.Error as exc:
            raise SourceError(f"not a readable Parquet file: {str(exc).splitlines()[0]}", location=self.src.identity) from exc
        finally:
            if tmp is not None:
                os.unlink(tmp.name)


def ingest_sources(con: duckdb.DuckDBPyConnection, sources: Iterable[Source], *, format: LogFormat | None = None,
                   progress: Progress | None = None, before_commit: BeforeCommit | None = None) -> IngestResult:
    """Ingest each source exactly once; a failing source is reported and rolled back, the others go on."""
    result = IngestResult()
    started = time.perf_counter()
    columns = present_columns(con)
    groups: dict[tuple, list[Preread]] = {}
    group_lines: dict[tuple, int] = {}

    def flush(key: tuple) -> None:
        group = groups.pop(key)
        group_lines.pop(key, None)
        done = ingest_group(con, group, columns, before_commit, SourceResult)
        if done is None:  # retried one by one, so the bad source is named and the others kept
            done = [ingest_one(con, p.src, format=format, progress=progress, before_commit=before_commit,
                               columns=columns, pre=p) for p in group]
        for r in done:
            result.add(r)
            if progress:
                progress(r.source, r.records, 0)

    for src in sources:
        if not is_small(src):
            result.add(ingest_one(con, src, format=format, progress=progress, before_commit=before_commit,
                                  columns=columns))
            continue
        if _already(con, src):
            result.add(SourceResult(src.identity, status="skipped", message="already ingested"))
            continue
        try:
            pre = preread(src, format)
        except VpcFlowError as exc:
            result.add(SourceResult(src.identity, status="failed", message=str(exc)))
            continue
        except OSError as exc:
            result.add(SourceResult(src.identity, status="failed",
                                    message=f"{src.identity}: cannot read: {exc.strerror or exc}"))
            continue
        if not pre.groupable:
            result.add(ingest_one(con, src, format=format, progress=progress, before_commit=before_commit,
                                  columns=columns, pre=pre))
            continue
        key = pre.key()
        groups.setdefault(key, []).append(pre)
        group_lines[key] = group_lines.get(key, 0) + pre.lines
        if group_lines[key] >= GROUP_LINES:
            flush(key)
    for key in list(groups):
        flush(key)
    result.seconds = time.perf_counter() - started
    return result


def ingest_one(con: duckdb.DuckDBPyConnection, src: Source, *, format: LogFormat | None = None,
               progress: Progress | None = None, before_commit: BeforeCommit | None = None,
               columns: dict[str, str] | None = None, pre: Preread | None = None) -> SourceResult:
    if columns is None:
        columns = present_columns(con)
    if pre is None and _already(con, src):
        return SourceResult(src.identity, status="skipped", message="already ingested")
    con.execute("BEGIN TRANSACTION")
    job = None
    try:
        source_id = con.execute("SELECT nextval('source_ids')").fetchall()[0][0]
        job = _Ingest(con, src, source_id, format, progress, columns)
        if src.kind == PARQUET:
            job.parquet()
        else:
            job.text(pre)
        dup = con.execute("SELECT 1 FROM sources WHERE identity = ? AND checksum = ?",
                          [src.identity, job.checksum]).fetchall()
        if dup:
            con.execute("ROLLBACK")
            if job.loading:
                purge(con, [source_id])
            return SourceResult(src.identity, status="skipped", message="already ingested (same content)")
        if job.loading:
            con.execute("DELETE FROM sources WHERE source_id = ?", [source_id])
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
        return SourceResult(src.identity, status="failed", message=f"{src.identity}: cannot read: {exc.strerror or exc}")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _abandon(con: duckdb.DuckDBPyConnection, job: _Ingest | None, columns: dict[str, str]) -> None:
    """Roll back a failed source, and delete the steps it had already committed."""
    con.execute("ROLLBACK")
    columns.clear()  # an ALTER in the rolled-back transaction is gone too
    if job is not None and job.loading:
        purge(con, [job.source_id])


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

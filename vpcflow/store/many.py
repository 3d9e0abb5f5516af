"""Ingest of many sources: the block pipeline's steps taken by the store. Small sources of one layout are
stored in one transaction (small.py), the others each in its own (ingest.py); small sources are read in a
thread while DuckDB stores a group's records as they come, and the next large source's reading starts while
the current one is stored."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator

import duckdb

from ..fields import LogFormat
from ..sources.base import Source, failure
from .ingest import BeforeCommit, IngestResult, Progress, SourceResult, ingest_one
from .pipeline import ALONE, CLOSE, FAILED, HELD, JOIN, Step, steps
from .prepare import GROUP_LINES, Preread, read_ahead
from .schema import present_columns
from .small import OpenGroup


def ingest_sources(con: duckdb.DuckDBPyConnection, sources: Iterable[Source], *, format: LogFormat | None = None,
                   progress: Progress | None = None, before_commit: BeforeCommit | None = None,
                   looked_up: Collection[tuple[str, str]] = ()) -> IngestResult:
    """Ingest each source exactly once; a failing source is reported and rolled back, the others go on.
    `looked_up`: (identity, revision) pairs the ledger was asked about already (read_ahead)."""
    result = IngestResult()
    started = time.perf_counter()
    columns = present_columns(con)
    group: OpenGroup | None = None  # small sources of one layout, in one open transaction

    def one(src: Source, **how) -> SourceResult:
        return ingest_one(con, src, format=format, progress=progress, before_commit=before_commit,
                          columns=columns, **how)

    def held(step: Step) -> None:
        result.add(SourceResult(step.src.identity, status="skipped", message="already ingested"))

    ahead = read_ahead(sources, format, ledger=con, looked_up=looked_up)
    try:
        pending = steps(ahead, format, GROUP_LINES)
        for step in pending:
            if step.kind == HELD:
                held(step)
            elif step.kind == FAILED:
                result.add(SourceResult(step.src.identity, status="failed", message=failure(step.src.identity, step.error)))
            elif step.kind == JOIN:
                group = OpenGroup(con, columns, before_commit, SourceResult)
                group.take(step.pre, _joins(pending, held))
                members, done = group.members, group.close()
                group = None
                if done is None:  # retried one by one, so the bad source is named and the others kept
                    done = [one(p.src, pre=None if p.released else p) for p in members]
                for r in done:
                    result.add(r)
                    if progress:
                        progress(r.source, r.records, 0)
            elif step.kind == ALONE:
                result.add(one(step.src, pre=step.pre, ahead=step.ahead))
    except BaseException:  # an interrupt: the open group's transaction commits nothing
        if group is not None:
            group.abandon()
        raise
    finally:
        ahead.close()
    result.seconds = time.perf_counter() - started
    return result


def _joins(pending: Iterator[Step], held: Callable[[Step], None]) -> Iterator[Preread]:
    """The sources that join the open group, up to the step that closes it; sources the ledger holds on the
    way are reported by `held`. Nothing else comes before the group closes (steps closes it first)."""
    for step in pending:
        if step.kind == CLOSE:
            return
        if step.kind == HELD:
            held(step)
        else:
            assert step.kind == JOIN, step.kind
            yield step.pre

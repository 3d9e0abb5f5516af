"""Ingest of many sources: the ledger looked up in batches and small sources pre-read in a thread, while the
main thread stores; the next large source's reading starts while the current one is stored."""

from __future__ import annotations

import time
from collections.abc import Iterable

import duckdb

from ..errors import VpcFlowError
from ..fields import LogFormat
from ..sources.base import TEXT, Source, failure
from .ingest import BeforeCommit, IngestResult, Progress, SourceResult, ingest_one
from .readahead import ReadAhead, SourceRead
from .schema import present_columns
from .small import GROUP_LINES, OpenGroup, Preread, is_small, parse_prereads, preread


def ingest_sources(con: duckdb.DuckDBPyConnection, sources: Iterable[Source], *, format: LogFormat | None = None,
                   progress: Progress | None = None, before_commit: BeforeCommit | None = None) -> IngestResult:
    """Ingest each source exactly once; a failing source is reported and rolled back, the others go on."""
    result = IngestResult()
    started = time.perf_counter()
    columns = present_columns(con)
    group: OpenGroup | None = None  # small sources of one layout, in one open transaction

    def flush() -> None:
        nonlocal group
        if group is None:
            return
        members, done = group.members, group.close()
        group = None
        if done is None:  # retried one by one, so the bad source is named and the others kept
            done = [ingest_one(con, p.src, format=format, progress=progress, before_commit=before_commit,
                               columns=columns, pre=p) for p in members]
        for r in done:
            result.add(r)
            if progress:
                progress(r.source, r.records, 0)

    reading: dict[int, SourceRead] = {}  # large text sources whose reading started while the one before was stored
    ahead = ReadAhead(_prepared(con, sources, format), depth=PREREAD_DEPTH, name="vpcflow-preread",
                      weight=_text_bytes, budget=PREREAD_BYTES)
    for (src, pre), following in _with_next(ahead):
        if following is not None and following[1] is None and _streams(following[0]):
            reading[id(following[0])] = SourceRead(following[0], following[0].format or format)
        if pre is _KNOWN:
            result.add(SourceResult(src.identity, status="skipped", message="already ingested"))
            continue
        if pre is None:
            flush()  # its own transaction
            result.add(ingest_one(con, src, format=format, progress=progress, before_commit=before_commit,
                                  columns=columns, ahead=reading.pop(id(src), None)))
            continue
        if isinstance(pre, BaseException):
            result.add(SourceResult(src.identity, status="failed", message=failure(src.identity, pre)))
            continue
        if not pre.groupable:
            flush()
            result.add(ingest_one(con, src, format=format, progress=progress, before_commit=before_commit,
                                  columns=columns, pre=pre))
            continue
        if group is not None and group.key != pre.key():
            flush()
        if group is None:
            group = OpenGroup(con, columns, before_commit, SourceResult)
        group.add(pre)
        if group.lines >= GROUP_LINES:
            flush()
    flush()
    result.seconds = time.perf_counter() - started
    return result


_KNOWN = object()  # a source the ledger already holds
LEDGER_LOOKUP = 64  # sources looked up in the ledger in one query
# Small sources read ahead while a group is stored: enough to keep reading through an insert or a commit
# (hundreds of thousands of lines), bounded by their decompressed text
PREREAD_DEPTH, PREREAD_BYTES = 512, 64 << 20
PARSE_TOGETHER = 8 << 20  # text of small sources parsed in one call: a few blocks for each core


def _text_bytes(item: tuple) -> int:
    pre = item[1]
    return pre.decoder.reader.out_bytes if isinstance(pre, Preread) else 0


def _prepared(con: duckdb.DuckDBPyConnection | None, sources: Iterable[Source], format: LogFormat | None):
    """Runs in a thread: each source with _KNOWN when the ledger holds it, its Preread when it is small (or
    the error reading it), None when it streams on its own. Small sources are parsed together, a run of up
    to PARSE_TOGETHER bytes at a time. Its own cursor sees only committed sources; a source ingested since is
    caught again by its checksum. Without a store (`con` None: reading only) no source is _KNOWN."""
    cur = con.cursor() if con is not None else None
    run: list[tuple[Source, object]] = []
    text, together = 0, PARSE_TOGETHER >> 3  # the first runs are small, so storing starts early
    # sources that arrive one by one (downloads) are looked up as they come, not once 64 have arrived
    arriving = ReadAhead(sources, depth=LEDGER_LOOKUP, name="vpcflow-sources")
    try:
        for chunk in arriving.batches(LEDGER_LOOKUP):
            keys = [s for s in chunk if s.version is not None]
            held = set()
            if keys and cur is not None:
                held = set(cur.execute(
                    "SELECT identity, revision FROM sources JOIN (SELECT unnest(?) AS identity, unnest(?) AS revision) "
                    "USING (identity, revision)", [[s.identity for s in keys], [s.version for s in keys]]).fetchall())
            for src in chunk:
                if (src.identity, src.version) in held:
                    run.append((src, _KNOWN))
                elif not is_small(src):
                    yield from _parsed(run)
                    run, text = [], 0
                    yield src, None
                else:
                    try:
                        pre = preread(src, format, defer=True)
                        text += pre.decoder.reader.out_bytes
                    except (VpcFlowError, OSError) as exc:
                        pre = exc
                    run.append((src, pre))
                    if text >= together:
                        yield from _parsed(run)
                        run, text, together = [], 0, min(2 * together, PARSE_TOGETHER)
        yield from _parsed(run)
    finally:
        arriving.close()
        if cur is not None:
            cur.close()


def _parsed(run: list[tuple[Source, object]]) -> list[tuple[Source, object]]:
    parse_prereads([pre for _, pre in run if isinstance(pre, Preread)])
    return run


def _with_next(items: Iterable) -> Iterable[tuple]:
    """Each item with the one after it (None for the last)."""
    it = iter(items)
    current = next(it, None)
    while current is not None:
        following = next(it, None)
        yield current, following
        current = following


def _streams(src: Source) -> bool:
    """A source read as a stream on its own (not pre-read with small ones, not Parquet)."""
    return src.kind == TEXT and not is_small(src)

"""The block pipeline ingest and vpcflow.read share: what is done with each source and with each block.

Sources come ready from the read-ahead thread (prepare.py); `steps` says what to do with each: skip it (the
ledger holds it), report it (it could not be read), add it to the open group of small sources of its layout,
close that group, or take it alone. `feed` then decides each block of a source the same way for every sink:
a typed block whose values pass the checks goes as it is, anything else line by line through the staging
SQL, which names every bad line. Where the records go is the sink's business: the store inserts them under
its ledger, vpcflow.read hands them to the caller as Arrow.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import duckdb
import pyarrow as pa

from ..fields import LogFormat
from ..parse.chunks import LineBatch
from ..parse.sniff import Layout
from ..parse.transform import stage_lines_sql
from ..parse.typed import BlockDecoder, TypedBatch
from ..sources.base import Source
from .checks import passes_checks
from .prepare import KNOWN, Preread, streams
from .readahead import SourceRead

UNKNOWN_FORMAT = "cannot tell the format; pass --format"

# what to do with a source (Step.kind)
HELD, FAILED, JOIN, CLOSE, ALONE = "held", "failed", "join", "close", "alone"


@dataclass
class Step:
    kind: str
    src: Source | None = None
    pre: Preread | None = None  # JOIN: the source read whole; ALONE: when it was read whole
    error: BaseException | None = None  # FAILED: why it could not be read
    ahead: SourceRead | None = None  # ALONE: its reading, already started while the one before was taken


def steps(ready: Iterable[tuple[Source, object]], format: LogFormat | None, group_weight: int,
          threads: bool = False) -> Iterator[Step]:
    """What to do with each source, in source order. A group holds groupable small sources of one layout and
    closes before a source that cannot join it, or once it weighs `group_weight`. The next large source's
    reading starts (on every core with `threads`) while the one before is taken; an ALONE step's `ahead`
    belongs to its taker, who closes it."""
    group_key, weight = None, 0
    reading: dict[int, SourceRead] = {}
    try:
        for (src, pre), following in _with_next(ready):
            if following is not None and following[1] is None and streams(following[0]):
                reading[id(following[0])] = SourceRead(following[0], following[0].format or format, threads=threads)
            if pre is KNOWN:
                yield Step(HELD, src)
                continue
            joins = isinstance(pre, Preread) and pre.groupable
            if group_key is not None and not (joins and pre.key() == group_key):
                group_key, weight = None, 0
                yield Step(CLOSE)
            if isinstance(pre, BaseException):
                yield Step(FAILED, src, error=pre)
            elif joins:
                group_key, weight = pre.key(), weight + pre.weight
                yield Step(JOIN, src, pre)
                if weight >= group_weight:
                    group_key, weight = None, 0
                    yield Step(CLOSE)
            else:
                yield Step(ALONE, src, pre, ahead=reading.pop(id(src), None))
        if group_key is not None:
            yield Step(CLOSE)
    finally:  # stopped early: readings started for sources never reached end here
        for ahead in reading.values():
            ahead.close()


@contextlib.contextmanager
def ctrl_c() -> Iterator[None]:
    """Ctrl-C inside a DuckDB statement raised as KeyboardInterrupt, as it is everywhere else: DuckDB 2.0
    turns it into RuntimeError('Query interrupted') (InterruptException in other versions)."""
    try:
        yield
    except (duckdb.InterruptException, RuntimeError) as exc:
        if isinstance(exc, RuntimeError) and str(exc) != "Query interrupted":
            raise
        raise KeyboardInterrupt from exc


def _with_next(items: Iterable) -> Iterator[tuple]:
    """Each item with the one after it (None for the last)."""
    it = iter(items)
    current = next(it, None)
    while current is not None:
        following = next(it, None)
        yield current, following
        current = following


class BlockSink(Protocol):
    """Where one source's blocks go. `con` runs the checks (the store's connection, or one in memory)."""

    con: duckdb.DuckDBPyConnection

    def start(self, layout: Layout) -> None:
        """The source's layout is known (its format may be None: then every line comes to quarantine)."""

    def typed(self, fmt: LogFormat, stamped: bool, batch: pa.Table) -> None:
        """A typed block whose every value passed the checks."""

    def staged(self, fmt: LogFormat, stage_sql: str, batch: pa.Table, expected: int) -> None:
        """Lines to stage: `stage_sql` reads `batch(n, line)`; `expected` records, unless some are bad."""

    def quarantine(self, rows: list[tuple[int, str, str]]) -> None:
        """(line, reason, text) of lines that are not records."""


def feed(items: Iterable[TypedBatch | LineBatch], decoder: BlockDecoder, sink: BlockSink,
         first_line: int = 1) -> Iterator[None]:
    """Hand one source's blocks to `sink`, yielding after each; a stream cut short is quarantined at the
    line after the last one read."""
    layout: Layout | None = None
    stage_sql = None
    next_line = first_line
    for item in items:
        if layout is None and decoder.layout is not None:
            layout = decoder.layout
            sink.start(layout)
            if layout.format is not None:
                stage_sql = stage_lines_sql(layout.format, layout.prefix, layout.header)
        if isinstance(item, TypedBatch):
            next_line = item.block.first_line + item.block.lines
            if item.checked or passes_checks(sink.con, layout.format, layout.stamped, item.records):
                sink.typed(layout.format, layout.stamped, item.records)
                yield
                continue
            item = decoder.reader.lines(item.block)  # a value out of bounds: the staging SQL says which
        next_line = item.first_line + len(item.lines)
        if item.problems:
            sink.quarantine(item.problems)
        if stage_sql is None:
            reason = (layout.why_unknown if layout else None) or UNKNOWN_FORMAT
            sink.quarantine([(item.first_line + i, reason, s) for i, s in enumerate(item.lines.to_pylist())
                             if s.strip()])
        else:
            batch = pa.table({"n": pa.array(range(item.first_line, next_line), pa.int64()), "line": item.lines})
            headers = 1 if layout.header and item.first_line <= decoder.header_line < next_line else 0
            sink.staged(layout.format, stage_sql, batch, len(item.lines) - item.empty - headers)
        yield
    cut = decoder.reader.truncated if decoder.reader is not None else None
    if cut:
        sink.quarantine([(next_line, cut, "")])

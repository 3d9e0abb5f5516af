"""Sources made ready in a thread ahead of whatever takes their blocks (the store, or vpcflow.read).

Planning a statement costs about as much as running it on a few thousand lines, so small sources (S3 objects
of a few KB, CloudWatch streams) are read whole and parsed together, a run at a time, and taken in groups of
one layout; a large source streams on its own. With a store, the ledger is looked up in batches first, so a
source it holds is neither downloaded nor read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ..errors import FormatError, VpcFlowError
from ..fields import LogFormat
from ..parse.chunks import LineBatch, LineReader
from ..parse.sniff import Layout
from ..parse.typed import BlockDecoder, Check, TypedBatch, parse_together
from ..sources.base import TEXT, Source
from .checks import Checker
from .readahead import ReadAhead

SMALL_BYTES = 4 << 20  # raw bytes; larger sources stream on their own
# Text a small source may expand to and still be read whole (flow logs compress about 10x); one that grows past
# it (repetitive lines compress 1000x) is read again as a stream, so memory is bounded by blocks, not expansion.
PREREAD_TEXT = 64 << 20
# Lines taken in one group: fewer commits leave fewer partial row groups to merge. Lines staged by SQL weigh
# STAGED_WEIGHT typed ones: the staging holds every token as a string, which bounds memory.
GROUP_LINES = 1_000_000
STAGED_WEIGHT = 4
STORE_ROWS = 122_880  # typed rows a group takes at a time: a whole DuckDB row group
LEDGER_LOOKUP = 64  # sources looked up in the ledger in one query
# Small sources read ahead while a group is taken, bounded by their decompressed text: about two row groups, the
# next insert's worth, so the reader need not stop while one runs (with 16 MiB it did, and the insert after it
# waited for the rest). Storing is the slower side, so more only holds parsed records (page faults)
PREREAD_DEPTH, PREREAD_BYTES = 512, 32 << 20
# Text of small sources parsed in one call: a few blocks for each core. A run's text is held three times while
# it parses (as read, after the header, joined), so 4 MiB rather than 8: the same CPU, a fifth fewer page faults
PARSE_TOGETHER = 4 << 20
KNOWN = object()  # in place of a Preread: a source the ledger already holds


@dataclass
class Preread:
    """A small source read whole: its blocks (typed where they parsed whole, else lines), checksum, layout."""

    src: Source
    batches: list[TypedBatch | LineBatch]
    decoder: BlockDecoder  # holds the layout, the header's line and the reader (checksum, truncation)
    error: Exception | None = None  # raised again when the source is taken alone, inside its transaction
    released: bool = False  # its records went to the store: a retry alone reads the source again

    @property
    def layout(self) -> Layout | None:
        return self.decoder.layout

    @property
    def checksum(self) -> str:
        return self.decoder.reader.checksum

    @property
    def truncated(self) -> str | None:
        return self.decoder.reader.truncated

    @property
    def lines(self) -> int:
        return sum(b.block.lines if isinstance(b, TypedBatch) else len(b.lines) for b in self.batches)

    @property
    def weight(self) -> int:
        """What the source counts toward a group's limit."""
        return self.lines if self.typed else self.lines * STAGED_WEIGHT

    @property
    def typed(self) -> bool:
        return bool(self.batches) and all(isinstance(b, TypedBatch) for b in self.batches)

    @property
    def rows(self) -> int:
        """Typed records it holds (0 unless every block parsed whole)."""
        return sum(b.records.num_rows for b in self.batches) if self.typed else 0

    def release(self) -> None:
        """Drop its records once the store holds them (a group of a million lines held them all until its
        commit); should the group be retried one source at a time, the source is read again."""
        self.batches, self.released = [], True

    def line_batches(self) -> list[LineBatch]:
        return [self.decoder.reader.lines(b.block) if isinstance(b, TypedBatch) else b for b in self.batches]

    @property
    def groupable(self) -> bool:
        return (self.error is None and self.truncated is None and self.layout is not None
                and self.layout.format is not None
                and not any(isinstance(b, LineBatch) and b.problems for b in self.batches))

    def key(self) -> tuple:
        lay = self.layout
        return (tuple(lay.format.columns), lay.prefix, lay.header)


def is_small(src: Source) -> bool:
    return src.kind == TEXT and src.size is not None and src.size <= SMALL_BYTES


def streams(src: Source) -> bool:
    """A source read as a stream on its own (not read whole with small ones, not Parquet)."""
    return src.kind == TEXT and not is_small(src)


def preread(src: Source, given: LogFormat | None, defer: bool = False) -> Preread | None:
    """The source read whole; with `defer`, its blocks are left unparsed for parse_prereads. None when its
    text grows past PREREAD_TEXT: it is to be streamed instead."""
    reader = LineReader(src.opener(), src.identity, first_line=src.first_line)
    decoder = BlockDecoder(reader, src.format or given, src.identity, defer=defer)
    batches: list[TypedBatch | LineBatch] = []
    try:
        for batch in decoder:
            batches.append(batch)
            if reader.out_bytes > PREREAD_TEXT:
                return None
        return Preread(src, batches, decoder)
    except FormatError as exc:  # a header that disagrees: reported when the source is taken alone
        return Preread(src, [], decoder, error=exc)


def parse_prereads(pres: list[Preread], check: Check | None = None) -> None:
    """Parse the deferred blocks of these sources, one call per format for all of them; a block that does not
    parse whole becomes lines, as it would have alone. With `check`, the values are checked here too, in one
    query per format while they pass: a source with one that fails comes as lines, for the staging SQL."""
    by_format: dict[tuple, list[tuple[Preread, int]]] = {}
    for pre in pres:
        for i, b in enumerate(pre.batches):
            if isinstance(b, TypedBatch) and b.records is None:
                by_format.setdefault(tuple(pre.decoder.parser.columns), []).append((pre, i))
    for pending in by_format.values():
        parsers = [pre.decoder.parser for pre, _ in pending]
        tables = parse_together(parsers, [pre.batches[i].text for pre, i in pending],
                                [pre.batches[i].rows for pre, i in pending])
        for (pre, i), table in zip(pending, tables, strict=True):
            block = pre.batches[i].block
            pre.batches[i] = TypedBatch(block, table) if table is not None else pre.decoder.reader.lines(block)
        if check is not None:
            _check(list({id(pre): pre for pre, _ in pending}.values()), check)


def _check(pres: list[Preread], check: Check) -> None:
    """Mark the typed blocks of these sources (one format) checked: all in one query, else source by source;
    a source with a value that fails comes as lines instead."""
    typed = [pre for pre in pres if pre.typed]
    if not typed:
        return
    layout = typed[0].layout
    if check(layout.format, layout.stamped, pa.concat_tables([b.records for pre in typed for b in pre.batches])):
        for pre in typed:  # their text is not needed any more: not kept while a group of a million lines fills
            pre.batches = [dataclasses.replace(b, checked=True, block=dataclasses.replace(b.block, data=b""))
                           for b in pre.batches]
    elif len(typed) == 1:
        typed[0].batches = typed[0].line_batches()
    else:
        for pre in typed:
            _check([pre], check)


def read_ahead(sources: Iterable[Source], format: LogFormat | None,
               ledger: duckdb.DuckDBPyConnection | None = None,
               looked_up: Collection[tuple[str, str]] = ()) -> ReadAhead:
    """(source, what is known of it) in a thread, in source order: KNOWN when the `ledger` holds it, its
    Preread when it is small (or the error reading it), None when it streams on its own. The (identity,
    revision) pairs in `looked_up` were looked up in the ledger already (an S3 listing's): not asked again."""
    return ReadAhead(_prepared(ledger, sources, format, looked_up), depth=PREREAD_DEPTH, name="vpcflow-preread",
                     weight=_text_bytes, budget=PREREAD_BYTES)


def _text_bytes(item: tuple) -> int:
    pre = item[1]
    return pre.decoder.reader.out_bytes if isinstance(pre, Preread) else 0


def _prepared(con: duckdb.DuckDBPyConnection | None, sources: Iterable[Source],
              format: LogFormat | None, looked_up: Collection[tuple[str, str]] = ()) -> Iterator[tuple[Source, object]]:
    """Runs in a thread. Small sources are parsed together, a run of up to PARSE_TOGETHER bytes at a time, while
    the next ones are read whole in a thread of their own (decompressing takes about as long as parsing)."""
    check = Checker()
    run: list[tuple[Source, object]] = []
    text, together = 0, PARSE_TOGETHER >> 3  # the first runs are small, so storing starts early
    # one run read ahead: decompressing is faster than parsing and checking, so more would only hold text
    whole = ReadAhead(_read_whole(con, sources, format, looked_up), depth=PREREAD_DEPTH, name="vpcflow-inflate",
                      weight=_text_bytes, budget=PARSE_TOGETHER)
    try:
        for src, pre in whole:
            if pre is None:  # large, or small but expanding past PREREAD_TEXT: streamed on its own
                yield from _parsed(run, check)
                run, text = [], 0
                yield src, None
                continue
            text += pre.decoder.reader.out_bytes if isinstance(pre, Preread) else 0
            run.append((src, pre))
            if text >= together:
                yield from _parsed(run, check)
                run, text, together = [], 0, min(2 * together, PARSE_TOGETHER)
        yield from _parsed(run, check)
    finally:
        whole.close()
        check.close()


def _read_whole(con: duckdb.DuckDBPyConnection | None, sources: Iterable[Source],
                format: LogFormat | None, looked_up: Collection[tuple[str, str]] = ()) -> Iterator[tuple[Source, object]]:
    """Runs in a thread: (source, KNOWN) when the ledger holds it, (source, its Preread, unparsed, or the error
    reading it) when it is small, (source, None) when it streams. Its own cursor sees only committed sources;
    a source ingested since is caught again by its checksum."""
    cur = con.cursor() if con is not None else None
    # sources that arrive one by one (downloads) are looked up as they come, not once 64 have arrived
    arriving = ReadAhead(sources, depth=LEDGER_LOOKUP, name="vpcflow-sources")
    try:
        for chunk in arriving.batches(LEDGER_LOOKUP):
            # a downloaded object was looked up with its listing: asking again per arrival cost 30-50 queries
            keys = [s for s in chunk if s.version is not None and (s.identity, s.version) not in looked_up]
            held = set()
            if keys and cur is not None:
                held = set(cur.execute(
                    "SELECT identity, revision FROM sources JOIN (SELECT unnest(?) AS identity, unnest(?) AS revision) "
                    "USING (identity, revision)", [[s.identity for s in keys], [s.version for s in keys]]).fetchall())
            for src in chunk:
                if (src.identity, src.version) in held:
                    yield src, KNOWN
                    continue
                pre = None
                if is_small(src):
                    try:
                        pre = preread(src, format, defer=True)
                    except (VpcFlowError, OSError) as exc:
                        pre = exc
                yield src, pre
    finally:
        arriving.close()
        if cur is not None:
            cur.close()


def _parsed(run: list[tuple[Source, object]], check: Check) -> list[tuple[Source, object]]:
    parse_prereads([pre for _, pre in run if isinstance(pre, Preread)], check)
    return run

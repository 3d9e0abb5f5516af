"""The fast path: blocks of well-formed lines parsed straight to typed Arrow columns, in C++.

Most flow logs are exactly what AWS wrote: one space between tokens, no stray bytes. pyarrow's CSV reader
types such a block in parallel without a Python object or a DuckDB string per token. Whatever it cannot
take whole (odd spacing, tabs, a repeated header, a non-integer, bytes that are not UTF-8, an over-long line)
makes it give the block back, and the block takes the line-by-line staging SQL, which names every problem
with its line. So the fast path decides nothing: it only accepts what the staging SQL would accept alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.csv as pacsv

from ..fields import LogFormat
from ..fields.table import INT_32, INT_64, Field
from .chunks import LineBatch, LineReader, TextBlock
from .sniff import Layout, sniff

_ARROW = {INT_32: pa.int32(), INT_64: pa.int64()}
# a field of a few words (action, log-status) parses to a dictionary: cheaper to build, check and store
_WORDS = pa.dictionary(pa.int32(), pa.string())
EVENT_TIME = "event_time"
Check = Callable[[LogFormat, bool, pa.Table], bool]  # (format, stamped, records): every value passes


def _parse_pool() -> pa.MemoryPool:
    """Where parsed columns are allocated: jemalloc where pyarrow has it. Its default, mimalloc, asks for
    transparent huge pages and gives freed ones back, so each block's columns faulted in fresh 2 MiB pages
    that the kernel zeroed: 6% to 14% of an ingest's CPU (perf: clear_page_erms), about 1% with jemalloc."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow build without jemalloc (not Linux's wheels)
        return pa.default_memory_pool()


PARSE_POOL = _parse_pool()
_PARSE = pacsv.ParseOptions(delimiter=" ", quote_char=False, double_quote=False, escape_char=False,
                            newlines_in_values=False, ignore_empty_lines=True)


@dataclass
class TypedBatch:
    """A block that parsed whole: its records, typed, and its raw text in case the value checks fail."""

    block: TextBlock
    records: pa.Table | None  # one column per field, named as the field table's columns; None while deferred
    text: bytes | None = None  # a deferred block's record lines (after any header), for parse_together
    rows: int | None = None  # how many lines `text` holds, known from the block without counting again
    checked: bool = False  # its values passed the checks already, in the thread that parsed it


class TypedParser:
    """Parses blocks of one format to typed tables, or declines a block that needs the staging SQL."""

    def __init__(self, fmt: LogFormat, header: tuple[str, ...] | None, max_line: int, stamped: bool = False):
        self.fmt = fmt
        # a repeated header cannot parse as a record where the format has an integer: pyarrow declines it
        self.header = " ".join(header).encode() if header and not any(f.is_integer for f in fmt.fields) else None
        self.max_line = max_line
        # a line led by an ISO-8601 timestamp (CloudWatch) gives it as text, cast by the insert as staging does
        self.columns = ([EVENT_TIME] if stamped else []) + list(fmt.columns)
        # one thread: the other core is DuckDB's, storing the block before
        self.read = pacsv.ReadOptions(column_names=self.columns, use_threads=False)
        self.read_threaded = pacsv.ReadOptions(column_names=self.columns, use_threads=True)
        self.convert = pacsv.ConvertOptions(
            column_types={EVENT_TIME: pa.string()} | {f.column: _arrow_type(f) for f in fmt.fields},
            null_values=["-"], strings_can_be_null=True, quoted_strings_can_be_null=False)

    def parse(self, data: bytes, threads: bool = False) -> pa.Table | None:
        if not data.lstrip(b"\n") or not self.plain(data):  # blank lines only, or odd bytes
            return None
        return self._read(data, threads)

    def _read(self, data: bytes, threads: bool) -> pa.Table | None:
        try:
            return pacsv.read_csv(pa.py_buffer(data), read_options=self.read_threaded if threads else self.read,
                                  parse_options=_PARSE, convert_options=self.convert, memory_pool=PARSE_POOL)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None  # a bad token or a wrong field count somewhere: the staging SQL says where

    def plain(self, data: bytes) -> bool:
        """No byte the two paths would read differently: tabs and CR (separators to one, not the other),
        NUL, a repeated header, a line over the limit."""
        if b"\t" in data or b"\r" in data or b"\x00" in data:
            return False
        if self.header is not None and self.header in data:
            return False
        # a line over max_line would cover a whole aligned window of half that size
        half = self.max_line // 2
        return all(data.find(b"\n", i, i + half) >= 0 for i in range(0, len(data) - half, half))


# Parsers by (format, header, line limit, stamped): it holds options only, no state of a source, so the
# objects of one delivery share one
_PARSERS: dict[tuple, TypedParser] = {}
PARSERS_KEPT = 64  # distinct layouts remembered; past it the cache starts again


def typed_parser(fmt: LogFormat, header: tuple[str, ...] | None, max_line: int, stamped: bool = False) -> TypedParser:
    """A TypedParser for this layout, the one made before when there was one."""
    key = (fmt, header, max_line, stamped)
    parser = _PARSERS.get(key)
    if parser is None:
        if len(_PARSERS) >= PARSERS_KEPT:
            _PARSERS.clear()
        parser = _PARSERS[key] = TypedParser(fmt, header, max_line, stamped=stamped)
    return parser


def _arrow_type(f: Field) -> pa.DataType:
    return _WORDS if f.choices else _ARROW.get(f.kind, pa.string())


class BlockDecoder:
    """Runs in the reader thread: tells the source's layout from its first line, then turns each block
    into a TypedBatch when it can and into lines (a LineBatch) when it cannot."""

    def __init__(self, reader: LineReader | None, given: LogFormat | None, location: str, defer: bool = False,
                 threads: bool = False, check: Check | None = None):
        self.reader, self.given, self.location = reader, given, location  # reader: set before iterating
        self.defer = defer  # hand blocks over unparsed (TypedBatch.text), for parse_together
        self.threads = threads  # parse a block on every core: nothing else (no store) wants the other one
        self.check = check  # the value checks, run here so a block that fails them comes as lines
        self.layout: Layout | None = None  # set before the first batch that needs it is handed over
        self.header_line = 0  # line number of the header, when the source has one
        self.parser: TypedParser | None = None
        self.blocks: Iterable[TextBlock | LineBatch] | None = None  # the reader's blocks, when read elsewhere

    def __iter__(self) -> Iterator[TypedBatch | LineBatch]:
        for block in self.reader.blocks() if self.blocks is None else self.blocks:
            if isinstance(block, LineBatch):
                yield self._sniffed(block)
                continue
            if self.layout is None:
                self._sniff_block(block)
            if self.parser is not None:
                data, rows = block.data, block.lines
                if block.first_line <= self.header_line:  # the header opens this block: parse what follows
                    data = _after_line(data, self.header_line - block.first_line)
                    rows -= self.header_line - block.first_line + 1
                if self.defer:
                    yield TypedBatch(block, None, data, rows)
                    continue
                records = self.parser.parse(data, self.threads)
                if records is not None and self.check is None:
                    yield TypedBatch(block, records)
                    continue
                if records is not None and self.check(self.layout.format, self.layout.stamped, records):
                    # its text is not needed any more: not kept while the block waits to be stored
                    yield TypedBatch(TextBlock(block.first_line, b"", block.lines), records, checked=True)
                    continue
            yield self._sniffed(self.reader.lines(block))

    def _sniff_block(self, block: TextBlock) -> None:
        """The layout from the block's first non-blank line, read straight from its bytes."""
        data, start = block.data, 0
        for i in range(64):
            end = data.find(b"\n", start)
            raw = data[start:] if end < 0 else data[start:end]
            if raw.strip():
                try:
                    first = raw.decode("utf-8")
                except UnicodeDecodeError:
                    return  # the line-by-line path quarantines it and looks further
                self._decide(first, block.first_line + i)
                return
            if end < 0:
                return
            start = end + 1

    def _sniffed(self, batch: LineBatch) -> LineBatch:
        """A batch of lines, after telling the layout from it if that is still to do."""
        if self.layout is None:
            lines = batch.lines.to_pylist()
            first = next((s for s in lines if s.strip()), None)
            if first is not None or not len(batch.lines) or batch.problems:
                self._decide(first, batch.first_line + lines.index(first) if first else 0)
        return batch

    def _decide(self, first: str | None, line: int) -> None:
        self.layout = sniff(first, self.given, self.location)
        self.header_line = line if self.layout.header else 0
        fmt = self.layout.format
        if fmt is not None and (self.layout.prefix is None or self.layout.stamped):
            self.parser = typed_parser(fmt, self.layout.header, self.reader.max_line, stamped=self.layout.stamped)


def _after_line(data: bytes, index: int) -> bytes:
    """The block's text after its line number `index` (0-based)."""
    pos = -1
    for _ in range(index + 1):
        pos = data.find(b"\n", pos + 1)
        if pos < 0:
            return b""
    return data[pos + 1:]


def parse_together(parsers: list[TypedParser], texts: list[bytes], rows: list[int] | None = None) -> list[pa.Table | None]:
    """What `parsers[i].parse(texts[i])` gives for each text (parsers of one layout), from one call on every
    core for the texts that allow it: a call costs about as much as parsing a few thousand lines.
    `rows[i]`, when the caller knows it, is the number of lines of texts[i] (a final newline ends a blank line)."""
    out: list[pa.Table | None] = [None] * len(texts)
    joint: list[int] = []
    for i, (parser, text) in enumerate(zip(parsers, texts, strict=True)):
        if text and parser.plain(text):
            joint.append(i)
        else:
            out[i] = parser.parse(text)
    lines = rows or [t.count(b"\n") + 1 for t in texts]
    if joint and not _together(parsers, texts, lines, joint, out):
        # a blank line would shift the records between texts: texts with one are parsed alone, the rest again
        blank = {i for i in joint if texts[i][:1] == b"\n" or texts[i][-1:] == b"\n" or b"\n\n" in texts[i]}
        rest = [i for i in joint if i not in blank]
        for i in blank:
            out[i] = parsers[i].parse(texts[i])
        if not (blank and rest and _together(parsers, texts, lines, rest, out)):
            for i in rest:
                out[i] = parsers[i].parse(texts[i])
    return out


def _together(parsers: list[TypedParser], texts: list[bytes], lines: list[int], joint: list[int],
              out: list[pa.Table | None]) -> bool:
    """Parse texts[joint] in one call and slice each its records; False when one is bad or holds a blank line
    (pyarrow skips blank lines, so the rows no longer match the lines)."""
    table = parsers[joint[0]]._read(b"\n".join(texts[i] for i in joint), threads=True)
    if table is None or table.num_rows != sum(lines[i] for i in joint):
        return False
    offset = 0
    for i in joint:
        out[i] = table.slice(offset, lines[i])
        offset += lines[i]
    return True

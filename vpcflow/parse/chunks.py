"""Turn a byte stream into batches of numbered lines, safely.

Decompresses gzip (isal: several times faster than zlib), and Firehose's ZIP, Snappy and Hadoop-Snappy
(compressed.py), with a guard against decompression bombs, cuts lines on
'\n', replaces lines that are not UTF-8 or too long by blanks (reported as problems with their line number),
and keeps going after a truncated compressed stream with everything read before it.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
from isal import isal_zlib

from ..errors import SourceError
from . import compressed

CHUNK = 16 << 20  # 16 MiB of text per block: large enough to amortise a statement, small enough to bound memory
FIRST_CHUNK = 2 << 20  # the first blocks are small, so storing starts while the rest is still read
MAX_LINE = 1 << 20  # no flow-log record comes near 1 MiB; longer lines are junk
BOMB_RATIO = 400  # flow logs compress about 10x; deflate tops out near 1030x on zeros
BOMB_FLOOR = 64 << 20  # ratios are only judged past this much output


@dataclass
class LineBatch:
    first_line: int  # number of lines[0] in the source, counted from LineReader's first_line
    lines: pa.Array  # strings; a line that could not be read is '' here and listed in problems
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, reason, text)
    empty: int = 0  # how many lines are empty (counted here, in the reader thread, where it is free)


@dataclass
class TextBlock:
    """Whole lines, newline-separated (CRLF already made LF), without the last line's newline."""

    first_line: int  # number of its first line in the source, counted from LineReader's first_line
    data: bytes
    lines: int


def _block(data: bytes, first: int) -> TextBlock:
    if b"\r" in data:  # CRLF line ends; the block's last line lost its LF to the cut, not its CR
        data = data.replace(b"\r\n", b"\n")
        if data.endswith(b"\r"):
            data = data[:-1]
    return TextBlock(first, data, data.count(b"\n") + 1)


class _Counting(io.RawIOBase):
    """Counts and hashes the raw bytes as they are read, for the ledger's checksum and the bomb guard."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.count = 0
        self.digest = hashlib.sha256()

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        self.digest.update(data)
        return n

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.raw.close()
        super().close()


class LineReader:
    """Iterate LineBatches over one raw source; `checksum` and `raw_bytes` are final once iteration ends."""

    def __init__(self, raw: BinaryIO, location: str, *, first_line: int = 1, chunk: int = CHUNK,
                 max_line: int = MAX_LINE, bomb_ratio: int = BOMB_RATIO):
        self.location = location
        self.first_line = first_line  # a piece of a stream numbers its lines on from the pieces before it
        self.counting = _Counting(raw)
        self.chunk = chunk
        self.max_line = max_line
        self.bomb_ratio = bomb_ratio
        self.truncated: str | None = None  # why the stream ended early, when it did
        self.out_bytes = 0
        self.compression: str | None = None  # gzip, zip, snappy or hadoop-snappy, told from the first bytes

    @property
    def checksum(self) -> str:
        return self.counting.digest.hexdigest()

    @property
    def raw_bytes(self) -> int:
        return self.counting.count

    @property
    def gzip(self) -> bool:
        return self.compression == "gzip"

    def _stream(self):
        buffered = io.BufferedReader(self.counting, buffer_size=1 << 20)
        head = buffered.peek(32)[:32]
        if head[:2] == b"\x1f\x8b":
            self.compression = "gzip"
            return _Gunzip(buffered)
        self.compression = compressed.sniff(head)
        if self.compression is not None:
            return compressed.open_stream(self.compression, buffered, self.location)
        return buffered

    def _read(self, stream, n: int) -> bytes:
        return b"".join(self._pieces(stream, n))

    def _pieces(self, stream, n: int) -> list[bytes]:
        """Up to `n` bytes of text, in the pieces the stream decompressed them in (joined once, by the caller)."""
        try:
            pieces = stream.read_pieces(n) if isinstance(stream, _Gunzip) else [stream.read(n)]
        except (EOFError, zlib.error, isal_zlib.error, OSError) as exc:  # isal's error is not zlib's
            self.truncated = f"compressed stream is truncated or corrupt after {self.out_bytes:,} bytes ({exc})"
            return []
        except compressed.Unsupported as exc:
            raise SourceError(f"cannot read this {self.compression} object: {exc}", location=self.location,
                              hint="deliver it uncompressed, gzip, zip (deflate), snappy or hadoop-snappy") from None
        self.out_bytes += sum(len(p) for p in pieces)
        if self.compression and self.out_bytes > BOMB_FLOOR and self.out_bytes > self.bomb_ratio * max(self.raw_bytes, 1):
            raise SourceError(
                f"refused: decompresses to over {self.bomb_ratio}x its compressed size "
                f"({self.out_bytes:,} bytes from {self.raw_bytes:,}); a {self.compression} bomb or not a flow log",
                location=self.location,
            )
        return [p for p in pieces if p]

    def __iter__(self) -> Iterator[LineBatch]:
        for block in self.blocks():
            yield block if isinstance(block, LineBatch) else self.lines(block)

    def blocks(self) -> Iterator[TextBlock | LineBatch]:
        """Whole lines in blocks of about `chunk` bytes, not yet split; an over-long line that never ends
        within a block comes as a LineBatch holding its problem."""
        stream = self._stream()
        line_no = self.first_line
        carry = b""
        skipping = False  # inside an over-long line, dropping bytes until its end
        size = min(self.chunk, FIRST_CHUNK)
        first = True
        while True:
            pieces = self._pieces(stream, size)
            size = min(size * 2, self.chunk)
            if first:
                first = False
                stream, data = self._text_start(stream, b"".join(pieces), size)
                pieces = [data] if data else []
            if not pieces:
                break
            if skipping:
                data = b"".join(pieces)
                cut = data.find(b"\n")
                if cut < 0:
                    continue
                pieces, skipping = [data[cut + 1:]], False
            whole, carry = _cut(carry, pieces)
            if whole is None:  # no line ends in the new text: it all joins the carry
                if len(carry) > self.max_line:
                    batch = LineBatch(line_no, pa.array([""]), [(line_no, self._too_long(), carry[:4096].decode("utf-8", "replace"))])
                    skipping, carry = True, b""
                    line_no += 1
                    yield batch
                continue
            block = _block(whole, line_no)
            line_no += block.lines
            yield block
        if carry and not skipping:
            yield _block(carry, line_no)

    def _text_start(self, stream, data: bytes, size: int) -> tuple[object, bytes]:
        """The text's first bytes looked at once: a UTF-8 byte-order mark dropped (it would hide a header), a
        gzip inside the gzip decompressed too, UTF-16 refused by name (every line would be junk)."""
        if data[:2] == b"\x1f\x8b" and self.compression == "gzip":
            self.compression = "gzip in gzip"
            stream = _Gunzip(_Ahead(data, stream))
            data = self._read(stream, size)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise SourceError("UTF-16 text: convert to UTF-8 (iconv -f UTF-16 -t UTF-8)", location=self.location)
        elif wide := _utf16_without_bom(data[:512]):
            raise SourceError(f"{wide} text without a byte-order mark: convert to UTF-8 (iconv -f {wide} -t UTF-8)",
                              location=f"{self.location}:1")
        return stream, data

    def lines(self, block: TextBlock) -> LineBatch:
        """The block cut into lines; a line that is not UTF-8, holds a NUL byte or is too long is a problem."""
        return self._batch(block.data, block.first_line)

    def _too_long(self) -> str:
        return f"line is over {self.max_line:,} bytes: not a flow-log record"

    def _batch(self, block: bytes, first: int) -> LineBatch:
        if b"\x00" not in block:
            lines = _split(block)
            if lines is not None and (len(block) <= self.max_line or pc.max(pc.utf8_length(lines)).as_py() <= self.max_line):
                return LineBatch(first, lines, [], pc.sum(pc.equal(lines, "")).as_py() or 0)
        return self._batch_slow(block, first)

    def _batch_slow(self, block: bytes, first: int) -> LineBatch:
        """Line by line, for a block with bytes that are not UTF-8, NUL bytes or over-long lines."""
        problems: list[tuple[int, str, str]] = []
        lines: list[str] = []
        for i, raw in enumerate(block.split(b"\n")):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                problems.append((first + i, f"not UTF-8 text (byte {exc.start + 1})",
                                 raw[:4096].decode("utf-8", "replace")))
                text = ""
            if len(text) > self.max_line:
                problems.append((first + i, self._too_long(), text[:4096]))
                text = ""
            elif "\x00" in text:
                problems.append((first + i, "binary data (NUL byte) in a text line", text[:4096].replace("\x00", "\\0")))
                text = ""
            lines.append(text)
        return LineBatch(first, pa.array(lines, pa.string()), problems, lines.count(""))


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16LE or UTF-16BE when the text's first bytes are ASCII in UTF-16 (a NUL in every other byte), else None."""
    head = head[:len(head) - len(head) % 2]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) == len(odd) and 0 not in even:
        return "UTF-16LE"
    if even.count(0) == len(even) and 0 not in odd:
        return "UTF-16BE"
    return None


def _split(block: bytes) -> pa.Array | None:
    """The block's lines as an Arrow string array, split in C++ without a Python object per line;
    None when the block is not valid UTF-8."""
    offsets = pa.array([0, len(block)], pa.int64()).buffers()[1]
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(block)])
    parts = pc.split_pattern(whole, b"\n").flatten()
    try:
        return parts.cast(pa.large_string()).cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _cut(carry: bytes, pieces: list[bytes]) -> tuple[bytes | None, bytes]:
    """(the whole lines of carry + pieces, the unfinished last line), copying the text once: the pieces are
    joined straight into the block (joining them first, then cutting, copied a 16 MiB block twice, and each
    copy's fresh pages fault). None when no line ends in the pieces."""
    for i in range(len(pieces) - 1, -1, -1):
        cut = pieces[i].rfind(b"\n")
        if cut >= 0:
            last = memoryview(pieces[i])
            whole = b"".join((carry, *pieces[:i], last[:cut])) if carry or i else pieces[i][:cut]
            return whole, b"".join((last[cut + 1:], *pieces[i + 1:]))
    return None, b"".join((carry, *pieces))


class _Ahead:
    """A stream with bytes already read from it put back in front."""

    def __init__(self, data: bytes, stream):
        self.data, self.stream = data, stream

    def read(self, n: int) -> bytes:
        if self.data:
            data, self.data = self.data[:n], self.data[n:]
            return data
        return self.stream.read(n)


class _Gunzip:
    """Streaming gunzip (multi-member) that hands over every byte decompressed before a truncation or
    corruption, and reports the problem on the next read."""

    def __init__(self, raw):
        self.raw = raw
        self.inflate = isal_zlib.decompressobj(31)
        self.pending = b""  # compressed bytes read but not yet consumed
        self.started = False  # the current member has begun
        self.error: Exception | None = None

    def read(self, n: int) -> bytes:
        return b"".join(self.read_pieces(n))

    def read_pieces(self, n: int) -> list[bytes]:
        """Up to `n` bytes, as decompressed piece by piece (not joined: the caller joins them into lines once)."""
        if self.error is not None:
            raise self.error
        out: list[bytes] = []
        size = 0
        while size < n:
            data, self.pending = self.pending or self.raw.read(1 << 20), b""
            if not data:
                if self.started and not self.inflate.eof:
                    self.error = EOFError("compressed file ended before the end-of-stream marker was reached")
                break
            try:
                piece = self.inflate.decompress(data, n - size)
            except isal_zlib.error as exc:
                self.error = exc
                break
            self.started = True
            out.append(piece)
            size += len(piece)
            if self.inflate.eof:
                self.pending = self.inflate.unused_data
                self.inflate, self.started = isal_zlib.decompressobj(31), False
            else:
                self.pending = self.inflate.unconsumed_tail
        if self.error is not None and not out:
            raise self.error
        return out

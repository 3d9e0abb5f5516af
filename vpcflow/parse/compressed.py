"""Decompressing the streams other than gzip that Amazon Data Firehose writes: ZIP, Snappy and Hadoop-Snappy.

`sniff` tells the format from an object's first bytes; `open_stream` wraps a binary reader in a decoder whose
`read(n)` hands over every byte decoded before a truncation or corruption and raises the problem (EOFError or
CorruptStream, saying at which compressed byte) on the next read, as the gzip reader does. An archive that
cannot be read at all (an encrypted ZIP entry, an unsupported method) raises Unsupported at once.

Snappy framing chunks' masked CRC-32C (google-crc32c, in C) and ZIP entries' CRC-32 are verified.
"""

from __future__ import annotations

import struct

import google_crc32c
import pyarrow as pa
from isal import isal_zlib

ZIP, SNAPPY, HADOOP_SNAPPY = "zip", "snappy", "hadoop-snappy"
SNAPPY_MAGIC = b"\xff\x06\x00\x00sNaPpY"
ZIP_MAGIC = b"PK\x03\x04"
_ZIP_END = (b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07")  # central directory: the entries are over
_FRAME_MAX = 65536  # a framing chunk holds at most 64 KiB of data
_HADOOP_MAX = 1 << 30  # Hadoop's blocks are 256 KiB by default; text starts above 0x30000000 and never passes this
_SNAPPY_RATIO = 64  # a snappy copy element of 2-3 bytes makes at most 64: a larger claim is corrupt, not data
_PIECE = 1 << 20
_CODEC = pa.Codec("snappy")
_ZIP_METHODS = {0: "stored", 8: "deflate", 9: "deflate64", 12: "bzip2", 14: "LZMA", 93: "zstd", 95: "xz", 99: "AES"}


class CorruptStream(OSError):
    """Compressed bytes that do not decode; the message says at which byte."""


class Unsupported(Exception):
    """A compressed object that is valid but cannot be read here (encrypted, or an unsupported method)."""


def _varint(data: bytes, at: int = 0) -> tuple[int, int] | None:
    """Snappy's little-endian base-128 length preamble: (value, bytes used), or None when malformed."""
    value = 0
    for i in range(5):
        if at + i >= len(data):
            return None
        byte = data[at + i]
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            return value, i + 1
    return None


def _hadoop_header_ok(head: bytes) -> bool:
    """Whether the bytes start a Hadoop-Snappy block: lengths that agree with the raw block's own preamble."""
    if len(head) < 9:
        return False
    block, size = struct.unpack_from(">II", head)
    pre = _varint(head, 8)
    if pre is None or not 0 < block <= _HADOOP_MAX or size == 0:
        return False
    length, used = pre
    return 0 < length <= block and used < size <= 32 + length + length // 6 and length <= _SNAPPY_RATIO * size


def sniff(head: bytes) -> str | None:
    """The compression of a stream from its first bytes (at least 16 for Hadoop-Snappy), or None."""
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return ZIP
    if head.startswith(SNAPPY_MAGIC):
        return SNAPPY
    if _hadoop_header_ok(head):
        return HADOOP_SNAPPY
    return None


def masked_crc32c(data: bytes) -> int:
    """The framing format's checksum of a chunk's data: CRC-32C, rotated right by 15 bits and offset."""
    crc = google_crc32c.value(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def snappy_block(data: bytes, where: str, limit: int) -> bytes:
    """One raw snappy block, its size checked against its preamble and `limit` before anything is allocated."""
    pre = _varint(data)
    if pre is None:
        raise CorruptStream(f"snappy block with a malformed length {where}")
    length = pre[0]
    if length > limit or length > _SNAPPY_RATIO * len(data) + 64:
        raise CorruptStream(f"snappy block claims {length:,} bytes from {len(data):,} {where}")
    try:
        return _CODEC.decompress(data, decompressed_size=length, asbytes=True)
    except (OSError, pa.ArrowException) as exc:
        raise CorruptStream(f"snappy block does not decode {where} ({exc})") from None


class _Input:
    """The compressed bytes, with their offset (for error locations) and room to push back over-read bytes."""

    def __init__(self, raw):
        self.raw = raw
        self.offset = 0
        self.back = b""

    def read(self, n: int) -> bytes:
        """Up to n bytes; fewer only at the end."""
        if self.back:
            data, self.back = self.back[:n], self.back[n:]
            if len(data) < n:
                data += self.raw.read(n - len(data))
        else:
            data = self.raw.read(n)
        self.offset += len(data)
        return data

    def exactly(self, n: int, what: str) -> bytes:
        at = self.offset
        data = self.read(n)
        if len(data) < n:
            raise EOFError(f"stream ends inside {what} at byte {at:,}")
        return data

    def unread(self, data: bytes) -> None:
        self.back = data + self.back
        self.offset -= len(data)


class _Decoder:
    """read(n) over pieces from `_next()`; an error ends the stream after what came before it is handed over."""

    def __init__(self, raw):
        self.input = _Input(raw)
        self.error: Exception | None = None
        self.left = b""  # decoded bytes not yet handed over
        self.done = False

    def _next(self) -> bytes | None:
        """The next decoded piece (may be empty), or None at the end of the stream."""
        raise NotImplementedError

    def read(self, n: int) -> bytes:
        if self.error is not None and not self.left:
            raise self.error
        out = [self.left] if self.left else []
        size = len(self.left)
        self.left = b""
        while size < n and not self.done and self.error is None:
            try:
                piece = self._next()
            except (EOFError, CorruptStream) as exc:
                self.error = exc
                break
            if piece is None:
                self.done = True
                break
            out.append(piece)
            size += len(piece)
        data = b"".join(out)
        if size > n:
            data, self.left = data[:n], data[n:]
        if self.error is not None and not data:
            raise self.error
        return data


class SnappyFraming(_Decoder):
    """The Snappy framing format: a stream identifier, then typed chunks of at most 64 KiB of data each."""

    def _next(self) -> bytes | None:
        at = self.input.offset
        header = self.input.read(4)
        if not header:
            return None
        if len(header) < 4:
            raise EOFError(f"snappy stream ends inside a chunk header at byte {at:,}")
        kind, length = header[0], int.from_bytes(header[1:], "little")
        body = self.input.exactly(length, f"a {length:,}-byte chunk (type 0x{kind:02x}) that starts")
        where = f"in the chunk at byte {at:,}"
        if kind == 0xFF:
            if body != SNAPPY_MAGIC[4:]:
                raise CorruptStream(f"bad snappy stream identifier at byte {at:,}")
            return b""
        if kind in (0x00, 0x01):
            if length < 4:
                raise CorruptStream(f"snappy data chunk shorter than its checksum at byte {at:,}")
            if kind == 0x01:
                if length - 4 > _FRAME_MAX:
                    raise CorruptStream(f"uncompressed snappy chunk over 64 KiB {where}")
                data = body[4:]
            else:
                data = snappy_block(body[4:], where, _FRAME_MAX)
            if masked_crc32c(data) != int.from_bytes(body[:4], "little"):
                raise CorruptStream(f"snappy chunk at byte {at:,} fails its CRC-32C check")
            return data
        if kind >= 0x80:  # padding (0xfe) and the skippable range 0x80-0xfd
            return b""
        raise CorruptStream(f"reserved unskippable snappy chunk type 0x{kind:02x} at byte {at:,}")


class HadoopSnappy(_Decoder):
    """Hadoop's block format: [uncompressed length] then [compressed length][raw snappy] until it is filled."""

    def __init__(self, raw):
        super().__init__(raw)
        self.block_left = 0  # bytes the current block still has to produce

    def _next(self) -> bytes | None:
        at = self.input.offset
        if self.block_left == 0:
            header = self.input.read(4)
            if not header:
                return None
            if len(header) < 4:
                raise EOFError(f"hadoop-snappy stream ends inside a block header at byte {at:,}")
            self.block_left = int.from_bytes(header, "big")
            if self.block_left > _HADOOP_MAX:
                raise CorruptStream(f"hadoop-snappy block at byte {at:,} claims {self.block_left:,} bytes")
            return b""
        size = int.from_bytes(self.input.exactly(4, "a hadoop-snappy chunk header"), "big")
        data = self.input.exactly(size, f"a {size:,}-byte hadoop-snappy chunk that starts")
        piece = snappy_block(data, f"in the hadoop-snappy chunk at byte {at:,}", self.block_left)
        self.block_left -= len(piece)
        return piece


class ZipEntries(_Decoder):
    """A ZIP archive's entries in order, read from their local headers (the central directory at the end is not
    needed, so a truncated archive still gives what came before the cut); each entry's CRC-32 is checked."""

    def __init__(self, raw, location: str = ""):
        super().__init__(raw)
        self.location = location
        self.entry: _Entry | None = None

    def _next(self) -> bytes | None:
        if self.entry is None:
            at = self.input.offset
            magic = self.input.read(4)
            if not magic or magic in _ZIP_END:
                return None
            if magic != ZIP_MAGIC:
                if len(magic) < 4:
                    raise EOFError(f"ZIP archive ends inside a header at byte {at:,}")
                raise CorruptStream(f"no ZIP entry header at byte {at:,}")
            self.entry = _Entry(self.input, at)
            return b""
        piece = self.entry.next_piece()
        if piece is None:
            self.entry = None
            return b""
        return piece


class _Entry:
    """One ZIP entry being decompressed: stored or deflate, sizes in its header or in a data descriptor."""

    def __init__(self, src: _Input, at: int):
        self.src, self.at = src, at
        (_, flags, method, _, _, self.crc, self.csize, self.usize, name_len, extra_len) = struct.unpack(
            "<HHHHHIIIHH", src.exactly(26, "a ZIP entry header"))
        self.name = src.exactly(name_len, "a ZIP entry name").decode("utf-8", "replace")
        extra = src.exactly(extra_len, "a ZIP entry's extra field")
        if flags & 0x41:
            raise Unsupported(f"ZIP entry {self.name!r} is encrypted")
        if method not in (0, 8):
            raise Unsupported(f"ZIP entry {self.name!r} uses compression method {method} "
                              f"({_ZIP_METHODS.get(method, 'unknown')}); only stored and deflate are read")
        self.zip64 = self._zip64(extra)
        self.descriptor = bool(flags & 0x08)
        if self.descriptor and method == 0:
            raise Unsupported(f"ZIP entry {self.name!r} is stored with its size after the data")
        self.inflate = isal_zlib.decompressobj(-15) if method == 8 else None
        self.left = None if self.descriptor else self.csize  # compressed bytes still to read, when known
        self.running_crc = 0
        self.out = 0
        self.finished = False

    def _zip64(self, extra: bytes) -> bool:
        """Whether the sizes are 64-bit (ZIP64 extra field); reads them from there when the header's are full."""
        i = 0
        while i + 4 <= len(extra):
            tag, size = struct.unpack_from("<HH", extra, i)
            if tag == 0x0001:
                fields = extra[i + 4:i + 4 + size]
                values = [v[0] for v in struct.iter_unpack("<Q", fields[:len(fields) // 8 * 8])]
                if self.usize == 0xFFFFFFFF and values:
                    self.usize = values.pop(0)
                if self.csize == 0xFFFFFFFF and values:
                    self.csize = values.pop(0)
                return True
            i += 4 + size
        return False

    def next_piece(self) -> bytes | None:
        """The next decoded piece; None once the entry is over and checked (a failed check comes after the data)."""
        if self.finished:
            self._check()
            return None
        want = _PIECE if self.left is None else min(_PIECE, self.left)
        if not want and self.inflate is not None:
            raise CorruptStream(f"ZIP entry {self.name!r} (header at byte {self.at:,}) ends before its deflate "
                                "stream does")
        data = self.src.read(want) if want else b""
        if self.left is not None:
            self.left -= len(data)
        if want and not data:
            raise EOFError(f"ZIP entry {self.name!r} (header at byte {self.at:,}) ends early at byte "
                           f"{self.src.offset:,}")
        if self.inflate is None:
            piece = data
        else:
            try:
                piece = self.inflate.decompress(data, _PIECE)
            except isal_zlib.error as exc:
                raise CorruptStream(f"ZIP entry {self.name!r} does not inflate near byte {self.src.offset:,} "
                                    f"({exc})") from None
            tail = self.inflate.unconsumed_tail
            if self.inflate.eof:
                tail = self.inflate.unused_data
            if tail:  # give back what the inflater did not take: it is read again next time (or is the next entry)
                self.src.unread(tail)
                if self.left is not None:
                    self.left += len(tail)
        self.running_crc = isal_zlib.crc32(piece, self.running_crc)
        self.out += len(piece)
        if (self.inflate is not None and self.inflate.eof) or (self.inflate is None and self.left == 0):
            self.finished = True
        return piece

    def _check(self) -> None:
        if self.descriptor:
            sig = self.src.exactly(4, "a ZIP data descriptor")
            rest = self.src.exactly(20 if self.zip64 else 12, "a ZIP data descriptor") if sig == b"PK\x07\x08" \
                else sig + self.src.exactly(16 if self.zip64 else 8, "a ZIP data descriptor")
            self.crc = struct.unpack_from("<I", rest)[0]
        if self.crc != self.running_crc:
            raise CorruptStream(f"ZIP entry {self.name!r} (header at byte {self.at:,}) fails its CRC-32 check")


def open_stream(kind: str, raw, location: str = ""):
    """A decoder for `kind` (one of ZIP, SNAPPY, HADOOP_SNAPPY) over the binary reader `raw`."""
    if kind == ZIP:
        return ZipEntries(raw, location)
    if kind == SNAPPY:
        return SnappyFraming(raw)
    return HadoopSnappy(raw)

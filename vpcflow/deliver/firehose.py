"""Firehose: plain record lines (no header), as a Direct PUT stream's default S3 delivery names them.

    OUT/firehose/<stream>/YYYY/MM/DD/HH/<stream>-1-YYYY-MM-DD-HH-MM-SS-<id>[.gz|.zip|.snappy|.hsnappy]

compressed as the delivery stream's CompressionFormat says (UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY),
with the file extension Firehose appends for it.
"""

from __future__ import annotations

import gzip
import io
import struct
import time
import zipfile

import pyarrow as pa

from ..parse.compressed import masked_crc32c
from .base import FIREHOSE, BatchWriter, digest, register

EXTENSIONS = {"none": "", "gzip": ".gz", "zip": ".zip", "snappy": ".snappy", "hadoop-snappy": ".hsnappy"}
_FRAME = 65536  # the most data one snappy framing chunk holds
_HADOOP_BLOCK = 256 << 10  # Hadoop's default snappy buffer


def snappy_framed(data: bytes) -> bytes:
    """The Snappy framing format: stream identifier, then a chunk per 64 KiB (stored when it does not shrink)."""
    codec = pa.Codec("snappy")
    out = [b"\xff\x06\x00\x00sNaPpY"]
    for i in range(0, len(data), _FRAME):
        piece = data[i:i + _FRAME]
        packed = codec.compress(piece, asbytes=True)
        kind, body = (0x00, packed) if len(packed) < len(piece) else (0x01, piece)
        out.append(bytes([kind]) + (len(body) + 4).to_bytes(3, "little") + struct.pack("<I", masked_crc32c(piece)))
        out.append(body)
    return b"".join(out)


def hadoop_snappy(data: bytes) -> bytes:
    """Hadoop's block format: [uncompressed length][compressed length][raw snappy] per 256 KiB, big-endian."""
    codec = pa.Codec("snappy")
    out = []
    for i in range(0, len(data), _HADOOP_BLOCK):
        piece = data[i:i + _HADOOP_BLOCK]
        packed = codec.compress(piece, asbytes=True)
        out.append(struct.pack(">II", len(piece), len(packed)) + packed)
    return b"".join(out)


def zipped(data: bytes, name: str, when: time.struct_time) -> bytes:
    """One deflated entry, dated `when`, so the same run gives the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name, date_time=tuple(when)[:6]), data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def compress(data: bytes, compression: str, name: str = "data", when: time.struct_time | None = None) -> bytes:
    """`data` as a Firehose stream with that CompressionFormat would write it."""
    if compression == "gzip":
        return gzip.compress(data, mtime=0)
    if compression == "zip":
        return zipped(data, name, when or time.gmtime(315532800))  # 1980-01-01: ZIP dates start there
    if compression == "snappy":
        return snappy_framed(data)
    if compression == "hadoop-snappy":
        return hadoop_snappy(data)
    return data


@register(FIREHOSE)
class FirehoseWriter(BatchWriter):
    def write_batch(self, label: int, records: list[tuple]) -> None:
        stream = self.flow_log.stream
        t = time.gmtime(label)
        name = "{}-1-{}-{}-{}-{}-{}-{}".format(stream, time.strftime("%Y-%m-%d-%H-%M-%S", t), digest(stream, label),
                                               digest(stream, label, 1, width=4), digest(stream, label, 2, width=4),
                                               digest(stream, label, 3, width=4), digest(stream, label, 4, width=12))
        compression = self.flow_log.compression
        path = self.out / "firehose" / stream / time.strftime("%Y/%m/%d/%H", t) / (name + EXTENSIONS[compression])
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(line + "\n" for line in self.renderer.lines(records)).encode()
        path.write_bytes(compress(text, compression, name, t))
        self.files.append(path)

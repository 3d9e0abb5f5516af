"""Firehose's other compressions (ZIP, Snappy framing, Hadoop-Snappy) read through LineReader as gzip does:
told from the bytes, every line decoded before damage kept, damage located, bombs refused."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import pyarrow as pa
import pytest

import vpcflow.emulate  # noqa: F401  (deliver imports the emulator first)
from vpcflow.deliver.firehose import compress, hadoop_snappy, snappy_framed
from vpcflow.errors import SourceError
from vpcflow.parse import compressed
from vpcflow.parse.chunks import LineReader
from vpcflow.parse.compressed import masked_crc32c

FORMATS = ["zip", "snappy", "hadoop-snappy"]
LINE = "2 123456789012 eni-0a1b2c3d4e5f60001 10.0.{} 10.0.1.5 {} 443 6 10 8400 1773100800 1773100860 ACCEPT OK"
LINES = [LINE.format(f"{i % 250}.{i % 200 + 1}", 1024 + i) for i in range(20000)]
TEXT = ("\n".join(LINES) + "\n").encode()
CODEC = pa.Codec("snappy")


def read(data: bytes, location: str = "s3://fh-bucket/vpc/x") -> tuple[list[str], LineReader]:
    reader = LineReader(io.BytesIO(data), location, chunk=1 << 16)
    return [line for batch in reader for line in batch.lines.to_pylist()], reader


def frame(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + len(body).to_bytes(3, "little") + body


def data_chunk(piece: bytes) -> bytes:
    return frame(0x00, struct.pack("<I", masked_crc32c(piece)) + CODEC.compress(piece, asbytes=True))


@pytest.mark.parametrize("kind", FORMATS)
def test_each_format_is_told_from_its_bytes_and_reads_back_every_line(kind):
    lines, reader = read(compress(TEXT, kind, "x"), location="s3://fh-bucket/vpc/custom.ext")
    assert reader.compression == kind and reader.truncated is None
    assert lines == LINES


def test_plain_and_gzip_text_are_not_taken_for_another_format():
    assert compressed.sniff(TEXT[:32]) is None
    assert compressed.sniff(b"version account-id interface-id") is None
    assert compressed.sniff(compress(TEXT, "gzip")[:32]) is None
    assert read(TEXT)[1].compression is None


@pytest.mark.parametrize("kind", FORMATS)
def test_a_truncated_object_keeps_the_lines_before_the_cut_and_says_where(kind):
    data = compress(TEXT, kind, "x")
    lines, reader = read(data[: len(data) // 2])
    assert 0 < len(lines) < len(LINES)
    assert lines[:-1] == LINES[: len(lines) - 1]  # the last one may be cut short
    assert "truncated or corrupt" in reader.truncated and "byte" in reader.truncated


def test_a_corrupt_snappy_block_keeps_the_chunks_before_it_and_names_its_offset():
    first, second = TEXT[:65536], TEXT[65536:131072]
    bad = frame(0x00, b"\0\0\0\0" + b"\x80\x80\x04" + b"\xff" * 40)  # claims 64 KiB, holds junk
    data = compressed.SNAPPY_MAGIC + data_chunk(first) + bad + data_chunk(second)
    lines, reader = read(data)
    at = len(compressed.SNAPPY_MAGIC) + len(data_chunk(first))
    assert "\n".join(lines).encode() == first.rstrip(b"\n")
    assert f"at byte {at:,}" in reader.truncated


def test_the_masked_crc32c_is_the_framing_formats_checksum():
    # CRC-32C of "123456789" is 0xE3069283 (its check value); the framing format masks it
    assert masked_crc32c(b"123456789") == ((((0xE3069283 >> 15) | (0xE3069283 << 17)) + 0xA282EAD8) & 0xFFFFFFFF)


@pytest.mark.parametrize("kind", [0x00, 0x01])
def test_a_snappy_chunk_that_fails_its_crc32c_keeps_the_chunks_before_it_and_names_its_offset(kind):
    first, second = TEXT[:65536], TEXT[65536:131072]
    body = CODEC.compress(second, asbytes=True) if kind == 0x00 else second
    bad = frame(kind, struct.pack("<I", masked_crc32c(second) ^ 1) + body)
    lines, reader = read(compressed.SNAPPY_MAGIC + data_chunk(first) + bad)
    at = len(compressed.SNAPPY_MAGIC) + len(data_chunk(first))
    assert "\n".join(lines).encode() == first.rstrip(b"\n")
    assert f"snappy chunk at byte {at:,} fails its CRC-32C check" in reader.truncated


def test_a_reserved_snappy_chunk_type_is_an_error_with_its_location():
    data = compressed.SNAPPY_MAGIC + data_chunk(TEXT[:65536]) + frame(0x02, b"xyz")
    lines, reader = read(data)
    assert len(lines) > 0
    at = len(compressed.SNAPPY_MAGIC) + len(data_chunk(TEXT[:65536]))
    assert f"reserved unskippable snappy chunk type 0x02 at byte {at:,}" in reader.truncated


def test_padding_and_skippable_snappy_chunks_are_skipped():
    half = TEXT.index(b"\n", 30000) + 1
    data = (compressed.SNAPPY_MAGIC + frame(0xFE, b"\0" * 10) + data_chunk(TEXT[:half]) + frame(0x80, b"meta")
            + frame(0x01, struct.pack("<I", masked_crc32c(TEXT[half:65536])) + TEXT[half:65536]))
    lines, reader = read(data)
    assert reader.truncated is None
    assert "\n".join(lines).encode() == TEXT[:65536].rstrip(b"\n")


def test_a_hadoop_block_of_several_snappy_chunks_is_read_whole():
    parts = [TEXT[:40000], TEXT[40000:100000]]
    packed = [CODEC.compress(p, asbytes=True) for p in parts]
    data = struct.pack(">I", 100000) + b"".join(struct.pack(">I", len(c)) + c for c in packed)
    data += hadoop_snappy(TEXT[100000:])
    lines, reader = read(data)
    assert reader.compression == "hadoop-snappy" and lines == LINES


def test_several_zip_entries_are_read_in_order():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a", "\n".join(LINES[:100]) + "\n")
        archive.writestr("b", "\n".join(LINES[100:300]) + "\n", compress_type=zipfile.ZIP_STORED)
        archive.writestr("c", "\n".join(LINES[300:]) + "\n")
    lines, reader = read(buf.getvalue())
    assert reader.truncated is None and lines == LINES


class _Unseekable(io.RawIOBase):
    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.parts.append(bytes(b))
        return len(b)


def test_a_zip_written_as_a_stream_with_data_descriptors_reads_back():
    out = _Unseekable()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("records", "w") as entry:
        entry.write(TEXT)
    data = b"".join(out.parts)
    assert struct.unpack_from("<H", data, 6)[0] & 0x08  # sizes come after the data
    assert read(data)[0] == LINES


def test_a_zip_entry_that_fails_its_crc_is_reported():
    data = bytearray(compress(TEXT, "zip", "x"))
    data[14] ^= 0xFF  # the local header's CRC-32
    lines, reader = read(bytes(data))
    assert lines == LINES  # every byte decoded before the check is kept
    assert "fails its CRC-32 check" in reader.truncated


def test_an_encrypted_zip_entry_is_a_clear_error_naming_the_object():
    data = bytearray(compress(TEXT, "zip", "records"))
    data[6] |= 0x01  # the encryption flag
    with pytest.raises(SourceError) as info:
        read(bytes(data), location="s3://fh-bucket/vpc/enc.zip")
    assert "encrypted" in str(info.value) and "s3://fh-bucket/vpc/enc.zip" in str(info.value)


def test_an_unsupported_zip_method_is_a_clear_error_naming_it():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("records", TEXT)
    with pytest.raises(SourceError) as info:
        read(buf.getvalue(), location="/copy/bz.zip")
    assert "method 12 (bzip2)" in str(info.value) and "/copy/bz.zip" in str(info.value)


def _bombs() -> dict[str, bytes]:
    zeros = b"\0" * 65536
    chunk = data_chunk(zeros)
    block = hadoop_snappy(zeros)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb", b"\0" * (70 << 20))
    return {"zip": buf.getvalue(), "snappy": compressed.SNAPPY_MAGIC + chunk * 1120, "hadoop-snappy": block * 1120}


@pytest.mark.parametrize("kind", FORMATS)
def test_a_decompression_bomb_is_refused(kind):
    reader = LineReader(io.BytesIO(_bombs()[kind]), "bomb", bomb_ratio=10)
    with pytest.raises(SourceError) as info:
        for _ in reader.blocks():
            pass
    assert f"a {kind} bomb" in str(info.value)


def test_snappy_framing_writes_a_stored_chunk_when_compression_does_not_shrink():
    noise = random.Random(1).randbytes(2000)
    data = snappy_framed(noise)
    assert data[len(compressed.SNAPPY_MAGIC)] == 0x01
    assert read(data)[1].truncated is None

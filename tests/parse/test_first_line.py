"""A source cut from a longer one (a piece of a CloudWatch stream) numbers its lines on from `first_line`."""

from __future__ import annotations

import io

from vpcflow.parse.chunks import LineReader
from vpcflow.parse.typed import BlockDecoder, TypedBatch

RECORD = "2 123456789012 eni-0a1b2c3d4e5f60001 10.0.0.{} 10.0.1.5 {} 443 6 10 8400 1773100800 1773100860 ACCEPT OK"
HEADER = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"


def _text(lines: list[str]) -> io.BytesIO:
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def test_line_reader_numbers_lines_from_first_line():
    reader = LineReader(_text([RECORD.format(i, 1024 + i) for i in range(1, 201)]), "piece", first_line=25, chunk=4096)
    batches = list(reader)
    numbered = [(n, text) for b in batches for n, text in enumerate(b.lines.to_pylist(), b.first_line)]
    assert len(batches) > 1  # numbering carries on across blocks, not only within the first
    assert [n for n, _ in numbered] == list(range(25, 225))
    assert numbered[-1][1] == RECORD.format(200, 1224)


def test_a_line_that_is_not_utf8_is_reported_at_its_number_from_first_line():
    data = RECORD.format(1, 1025).encode() + b"\n\xff\xfe\n" + RECORD.format(3, 1027).encode() + b"\n"
    problems = [p for batch in LineReader(io.BytesIO(data), "piece", first_line=40) for p in batch.problems]
    assert [(line, reason) for line, reason, _ in problems] == [(41, "not UTF-8 text (byte 1)")]


def test_a_header_is_found_and_skipped_where_numbering_does_not_start_at_1():
    reader = LineReader(_text([HEADER] + [RECORD.format(i, 1024 + i) for i in range(1, 4)]), "piece", first_line=10)
    decoder = BlockDecoder(reader, None, "piece")
    items = list(decoder)
    assert decoder.header_line == 10
    assert [type(i) for i in items] == [TypedBatch] and items[0].records.num_rows == 3

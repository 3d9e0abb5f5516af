"""Sources with the same header line share one layout and one parser, and still keep their own line numbers,
locations and records."""

from __future__ import annotations

import io

import pytest

from vpcflow.errors import FormatError
from vpcflow.fields import LogFormat
from vpcflow.parse.chunks import LineReader
from vpcflow.parse.typed import BlockDecoder, TypedBatch

RECORD = "2 123456789012 eni-0a1b2c3d4e5f60001 10.0.0.{} 10.0.1.5 {} 443 6 10 8400 1773100800 1773100860 ACCEPT OK"
HEADER = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"


def _decoder(name: str, records: range, first_line: int = 1, given: LogFormat | None = None) -> BlockDecoder:
    text = "\n".join([HEADER] + [RECORD.format(i, 1000 + i) for i in records]) + "\n"
    return BlockDecoder(LineReader(io.BytesIO(text.encode()), name, first_line=first_line), given, name)


def test_objects_with_one_header_share_the_layout_and_parser_but_not_their_lines():
    first, second = _decoder("s3://b/one.log.gz", range(1, 4)), _decoder("s3://b/two.log.gz", range(7, 9), first_line=20)
    one, two = list(first), list(second)
    assert first.layout is second.layout and first.parser is second.parser
    assert (first.header_line, second.header_line) == (1, 20)
    assert [type(i) for i in one + two] == [TypedBatch, TypedBatch]
    assert one[0].records.column("srcport").to_pylist() == [1001, 1002, 1003]
    assert two[0].records.column("srcport").to_pylist() == [1007, 1008]


def test_a_header_that_disagrees_is_located_in_each_source_after_it_was_seen_agreeing():
    list(_decoder("s3://b/plain.log.gz", range(1, 2)))
    given = LogFormat.parse("${srcaddr} ${dstaddr}")
    for name in ("s3://b/a.log.gz", "s3://b/b.log.gz"):
        with pytest.raises(FormatError) as caught:
            list(_decoder(name, range(1, 2), given=given))
        assert caught.value.location == f"{name}:1"

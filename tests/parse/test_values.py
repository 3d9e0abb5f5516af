"""The value checks in Arrow's kernels answer as the SQL checks do: every row passes, or not."""

from __future__ import annotations

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from vpcflow.fields import DEFAULT, LogFormat
from vpcflow.parse.transform import typed_check_sql
from vpcflow.parse.typed import TypedParser
from vpcflow.parse.values import values_pass

ADDRESSES = ["10.0.0.1", "255.255.255.255", "0.0.0.0", "256.0.0.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1..2.3",
             "2001:db8::1", "::", ":", "::ffff:1.2.3.4", "g::1", "1.2.3.4:80", "abc", "\u00e9::1", "-"]
# values per field, good and bad; a field the table does not list here takes its own name as its value
POOLS = {
    "version": ["2", "5", "1", "100", "-"],
    "srcaddr": ADDRESSES, "dstaddr": ADDRESSES, "pkt-srcaddr": ADDRESSES,
    "srcport": ["0", "443", "65535", "65536", "-1", "-"], "dstport": ["22", "70000", "-"],
    "protocol": ["6", "255", "256", "-"],
    "packets": ["0", "7", "-1", "-"], "bytes": ["0", "4249", "-3", "-"],
    "start": ["1418530010", "1418530010123", "0", "-5", "-", "99999999999999999"],
    "end": ["1418530070", "1418530070456", "-100000000000000", "-"],
    "action": ["ACCEPT", "REJECT", "accept", "-", "DROP"],
    "log-status": ["OK", "NODATA", "SKIPDATA", "ok", "-"],
}
FORMATS = [DEFAULT, LogFormat.parse("${srcaddr} ${start} ${action} ${pkt-srcaddr} ${vpc-id}")]


def _sql_passes(fmt: LogFormat, batch: pa.Table) -> bool:
    con = duckdb.connect()
    try:
        return not con.execute(typed_check_sql(fmt)).fetchall()[0][0]  # reads `batch` from this frame
    finally:
        con.close()


def _parsed(fmt: LogFormat, rows: list[list[int]]) -> pa.Table | None:
    pools = [POOLS.get(f.name, [f.name]) for f in fmt.fields]
    text = "".join(" ".join(pool[i % len(pool)] for pool, i in zip(pools, row, strict=False)) + "\n" for row in rows)
    return TypedParser(fmt, None, 1 << 20).parse(text.encode())


@settings(max_examples=300, deadline=None)
@given(fmt=st.sampled_from(FORMATS), blocks=st.lists(
    st.lists(st.lists(st.integers(0, 40), min_size=14, max_size=14), min_size=1, max_size=6), min_size=1, max_size=3),
    good=st.integers(0, 100))
def test_arrow_checks_pass_a_block_exactly_when_the_sql_checks_do(fmt, blocks, good):
    # mostly good rows, so that a block that passes is common, and one bad value is the usual failure
    rows = [[0] * 14 if (good + i) % 3 else row for block in blocks for i, row in enumerate(block)]
    tables = [_parsed(fmt, rows[:len(blocks[0])]), _parsed(fmt, rows[len(blocks[0]):] or [[0] * 14])]
    batch = pa.concat_tables(tables)  # one chunk per block, as a group of sources holds them
    assert values_pass(fmt, batch) == _sql_passes(fmt, batch)


def test_every_address_that_the_pattern_takes_passes_and_any_other_fails():
    for address in ADDRESSES:
        batch = _parsed(FORMATS[1], [[0, 0, 0, ADDRESSES.index(address), 0]] * 3)
        assert values_pass(FORMATS[1], batch) == _sql_passes(FORMATS[1], batch), address


def test_a_column_typed_otherwise_is_left_to_the_sql():
    batch = _parsed(DEFAULT, [[0] * 14]).set_column(5, "srcport", pa.array(["443"]))
    assert values_pass(DEFAULT, batch) is None

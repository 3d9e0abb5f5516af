"""The typed fast path takes a block whole only when the line-by-line staging SQL would take it alike.

Each source is stored twice: once through the fast path (streamed in small blocks, so a file spans many),
once through the staging SQL alone (every block declined), and the two stores must hold the same records
and the same quarantined lines with the same line numbers and reasons.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from unittest.mock import patch

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vpcflow.fields import DEFAULT, LogFormat
from vpcflow.parse.chunks import LineReader
from vpcflow.parse.typed import BlockDecoder, TypedBatch, TypedParser
from vpcflow.sources.local import file_source
from vpcflow.store import Store
from vpcflow.store.ingest import ingest_one
from vpcflow.store.readahead import SourceRead

GOOD = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"

# lines the two paths must agree on: AWS's own, and each way a line can go wrong
VARIANTS = [
    GOOD,
    "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
    "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
    "2 007 eni-1 2001:db8::1 2001:db8::2 443 50000 6 3 180 1418530010123 1418530070456 ACCEPT OK",
    "",
    "   ",
    GOOD.replace(" 22 ", "  22 "),
    GOOD.replace(" 22 ", "\t22 "),
    " " + GOOD,
    GOOD + " ",
    GOOD.replace("20641", "70000"),
    GOOD.replace("20641", "-1"),
    GOOD.replace("20641", "http"),
    GOOD.replace("20641", "+5"),
    GOOD.replace(" 6 ", " 999 "),
    GOOD.replace("ACCEPT", "accept"),
    GOOD.replace("ACCEPT", "-"),
    GOOD.replace(" OK", " WEIRD"),
    GOOD.replace("4249", "99999999999999999999"),
    GOOD.replace("1418530010", "-5"),
    GOOD + " extra",
    GOOD.rsplit(" ", 1)[0],
    DEFAULT.header(),
    GOOD.replace("eni-1235b8ca123456789", "eni-\u00e9t\u00e9"),
    '2 123456789010 "eni-1" 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
    GOOD.replace("172.31.16.139", "999.999.999.999"),
    GOOD.replace("172.31.16.21", "not-an-ip"),
]


def _write(path: Path, lines: list[str], header: bool) -> Path:
    text = ((DEFAULT.header() + "\n") if header else "") + "\n".join(lines) + "\n"
    with gzip.open(path, "wb") as fh:
        fh.write(text.replace("\n", "\r\n").encode() if "crlf" in path.name else text.encode())
    return path


def _contents(db: Path) -> tuple[list, list]:
    con = duckdb.connect(str(db), read_only=True)
    flows = sorted(con.execute("SELECT * EXCLUDE (source_id) REPLACE (CAST(event_time AS VARCHAR) AS event_time) "
                               "FROM flows").fetchall(), key=repr)
    bad = sorted(con.execute("SELECT line, reason, text FROM quarantine").fetchall())
    con.close()
    return flows, bad


def _both(tmp: Path, path: Path, fmt: LogFormat | None = None) -> tuple[tuple, tuple]:
    staged = tmp / "staged.duckdb"
    with Store(staged) as store, patch.object(TypedParser, "_read", return_value=None):  # every block declined
        store.ingest([path], format=fmt.log_format() if fmt else None)
    fast = tmp / "fast.duckdb"
    with Store(fast) as store:
        src = file_source(path)
        ingest_one(store.con, src, format=fmt, ahead=SourceRead(src, fmt, chunk=300))
    return _contents(staged), _contents(fast)


def test_clean_blocks_parse_whole_to_typed_records(tmp_path):
    path = _write(tmp_path / "clean.log.gz", [GOOD] * 2000, header=True)
    items = list(BlockDecoder(LineReader(open(path, "rb"), str(path), chunk=4096), None, str(path)))
    assert items and all(isinstance(i, TypedBatch) for i in items)
    assert sum(i.records.num_rows for i in items) == 2000


def test_a_block_with_one_bad_value_goes_line_by_line_and_keeps_the_good_lines(tmp_path):
    lines = [GOOD] * 50 + [GOOD.replace("20641", "70000")] + [GOOD] * 50
    path = _write(tmp_path / "one_bad.log.gz", lines, header=False)
    staged, fast = _both(tmp_path, path)
    assert fast == staged
    flows, bad = fast
    assert len(flows) == 100 and bad == [(51, "srcport: above 65535: 70000", lines[50])]


def test_crlf_lines_store_like_lf_lines(tmp_path):
    path = _write(tmp_path / "crlf.log.gz", [GOOD, "", GOOD.replace(" 22 ", " 23 ")] * 30, header=True)
    staged, fast = _both(tmp_path, path)
    assert fast == staged and len(fast[0]) == 60


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.sampled_from(range(len(VARIANTS))), min_size=1, max_size=60), header=st.booleans())
def test_fast_path_and_staging_sql_store_the_same_records_and_quarantine(tmp_path_factory, picks, header):
    tmp = tmp_path_factory.mktemp("same")
    lines = [VARIANTS[i] for i in picks]
    path = _write(tmp / "mixed.log.gz", lines, header=header)
    staged, fast = _both(tmp, path)
    assert fast == staged


def test_addresses_that_are_not_ip_addresses_are_quarantined_by_the_fast_path_as_by_staging(tmp_path):
    path = _write(tmp_path / "addresses.log.gz", [GOOD, VARIANTS[-2], VARIANTS[-1]] * 50, header=False)
    staged, fast = _both(tmp_path, path)
    assert fast == staged
    assert len(fast[0]) == 50 and {reason for _, reason, _ in fast[1]} == {
        "srcaddr: not an IP address: 999.999.999.999", "dstaddr: not an IP address: not-an-ip"}


def test_a_custom_format_takes_the_fast_path_with_the_same_result(tmp_path):
    fmt = LogFormat.parse("${srcaddr} ${dstaddr} ${action} ${vpc-id}")
    lines = ["10.0.0.1 10.0.0.2 ACCEPT vpc-1", "10.0.0.1 - REJECT -", "10.0.0.1 10.0.0.2 ACCEPT"] * 20
    path = _write(tmp_path / "custom.log.gz", lines, header=False)
    staged, fast = _both(tmp_path, path, fmt)
    assert fast == staged


STAMPS = ["2026-03-10T00:00:01.000Z", "2026-03-10T00:00:02Z", "2026-03-10T00:00:03.5+01:00", "-", "2026-13-40T99:00:00Z"]


def test_timestamped_lines_take_the_fast_path(tmp_path):
    path = _write(tmp_path / "stamped.log.gz", [f"{STAMPS[0]} {GOOD}"] * 500, header=False)
    items = list(BlockDecoder(LineReader(open(path, "rb"), str(path), chunk=4096), None, str(path)))
    assert items and all(isinstance(i, TypedBatch) for i in items)
    assert items[0].records.column("event_time")[0].as_py() == STAMPS[0]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.tuples(st.sampled_from(STAMPS), st.sampled_from(VARIANTS[:4] + VARIANTS[10:12])),
                      min_size=1, max_size=40))
def test_timestamped_lines_store_the_same_event_times_and_quarantine_both_ways(tmp_path_factory, picks):
    tmp = tmp_path_factory.mktemp("stamped")
    lines = [f"{STAMPS[0]} {GOOD}"] + [f"{stamp} {line}" for stamp, line in picks]  # the first line sets the layout
    path = _write(tmp / "stamped.log.gz", lines, header=False)
    staged, fast = _both(tmp, path)
    assert fast == staged
    assert any(row[-2] is not None for row in fast[0])  # event_time (before log_stream) is stored

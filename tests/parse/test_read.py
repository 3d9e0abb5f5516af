"""vpcflow.read gives, without a store, exactly the records ingest stores and the lines it quarantines."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vpcflow
from tests.store.test_fast_path import GOOD, STAMPS, VARIANTS, _write
from vpcflow.errors import SourceError
from vpcflow.fields import DEFAULT
from vpcflow.reader import BadLine, read, records_schema
from vpcflow.sources.base import Source
from vpcflow.store.prepare import PREREAD_TEXT, SMALL_BYTES


def _read_rows(path: Path, **kw) -> tuple[list, list]:
    parts = list(read(path, **kw))
    assert all(p.error is None for p in parts)
    # noqa below: read by DuckDB by name; an empty source has no format, so no field columns, to concatenate
    records = pa.concat_tables([p.records for p in parts if p.records.num_rows] or [parts[0].records])  # noqa: F841
    rows = duckdb.sql("SELECT * REPLACE (CAST(event_time AS VARCHAR) AS event_time) FROM records").fetchall()
    bad = [(b.line, b.reason, b.text) for p in parts for b in p.quarantined]
    return sorted(rows, key=repr), sorted(bad)


def _stored_rows(tmp: Path, path: Path, columns: list[str], **kw) -> tuple[list, list]:
    with vpcflow.Store(tmp / f"{path.name}.duckdb") as store:
        store.ingest([path], **kw)
        cols = ", ".join("CAST(event_time AS VARCHAR)" if c == "event_time" else f'"{c}"' for c in columns)
        rows = store.con.execute(f"SELECT {cols} FROM flows").fetchall()
        bad = store.con.execute("SELECT line, reason, text FROM quarantine").fetchall()
    return sorted(rows, key=repr), sorted(bad)


def test_a_file_reads_as_typed_records_in_the_field_tables_columns(tmp_path):
    path = _write(tmp_path / "good.log.gz", [GOOD] * 10, header=True)
    [part] = list(read(path))
    assert part.source == str(path) and part.format == DEFAULT and part.quarantined == []
    assert part.records.schema == records_schema(DEFAULT)
    assert part.records.num_rows == 10 and part.records["dstport"].to_pylist() == [22] * 10


def test_a_bad_line_is_listed_with_its_number_and_reason_and_the_good_ones_are_kept(tmp_path):
    lines = [GOOD] * 50 + [GOOD.replace("20641", "70000")] + [GOOD] * 50
    path = _write(tmp_path / "one_bad.log.gz", lines, header=False)
    [part] = list(read(path))
    assert part.records.num_rows == 100
    assert part.quarantined == [BadLine(51, "srcport: above 65535: 70000", lines[50])]


def test_on_error_raise_stops_at_the_first_bad_line_with_its_location(tmp_path):
    path = _write(tmp_path / "one_bad.log.gz", [GOOD, GOOD.replace(" 6 ", " 999 ")], header=True)
    with pytest.raises(SourceError) as caught:
        list(read(path, on_error="raise"))
    assert str(caught.value) == f"{path}:3: protocol: above 255: 999 (on_error='report', or vpcflow read without --strict, keeps the good records)"


def test_a_missing_path_is_an_error_and_the_other_targets_are_still_read(tmp_path):
    good = _write(tmp_path / "good.log.gz", [GOOD] * 3, header=True)
    parts = list(read([tmp_path / "nowhere.log", good]))
    assert [p.records.num_rows for p in parts if p.error is None] == [3]
    [failed] = [p for p in parts if p.error]
    assert failed.error.startswith(f"{tmp_path / 'nowhere.log'}: no such file or directory")


def test_a_truncated_gzip_keeps_the_records_before_the_cut_and_says_where_it_ended(tmp_path):
    whole = gzip.compress(("\n".join([GOOD] * 3000) + "\n").encode())
    path = tmp_path / "cut.log.gz"
    path.write_bytes(whole[: len(whole) // 2])
    parts = list(read(path))
    records = sum(p.records.num_rows for p in parts)
    assert 0 < records < 3000
    half, cut = [b for p in parts for b in p.quarantined]  # the line cut in two, then where the stream ended
    assert half.line == records + 1 and half.reason.endswith("fields, format has 14")
    assert cut.line == records + 2 and "truncated" in cut.reason
    assert any(p.message and "truncated" in p.message for p in parts)
    assert _read_rows(path)[1] == _stored_rows(tmp_path, path, list(records_schema(DEFAULT).names))[1]


def test_milliseconds_in_start_and_end_read_as_seconds_as_the_store_keeps_them(tmp_path):
    path = _write(tmp_path / "ms.log.gz", [VARIANTS[3]], header=False)
    [part] = list(read(path))
    assert part.records.select(["start", "end"]).to_pylist() == [{"start": 1418530010, "end": 1418530070}]


def test_a_large_source_is_read_block_by_block(tmp_path):
    path = tmp_path / "large.log"
    lines = [GOOD] * (SMALL_BYTES // len(GOOD) + 1000)
    path.write_text("\n".join(lines) + "\n")
    parts = list(read(path))
    assert len(parts) > 1 and {p.source for p in parts} == {str(path)}
    assert sum(p.records.num_rows for p in parts) == len(lines)


def test_a_small_gzip_that_expands_past_the_preread_limit_is_read_block_by_block(tmp_path):
    """Memory is bounded by the block size, not by how far a small object expands (issue 24 item 5)."""
    lines = PREREAD_TEXT // len(GOOD) + 10_000
    path = tmp_path / "repetitive.log.gz"
    path.write_bytes(gzip.compress(((GOOD + "\n") * lines).encode()))
    assert path.stat().st_size < SMALL_BYTES
    parts = list(read(path))
    assert len(parts) > 1 and all(p.error is None and not p.quarantined for p in parts)
    assert sum(p.records.num_rows for p in parts) == lines
    with vpcflow.Store(tmp_path / "s.duckdb") as store:
        assert store.ingest(path).records == lines


class _Lines(io.RawIOBase):
    """A large source made on the fly, counting the bytes read from it."""

    def __init__(self, line: bytes, size: int):
        self.line, self.size, self.given = line, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.given) // len(self.line) * len(self.line)
        buffer[:n] = self.line * (n // len(self.line))
        self.given += n
        return n


def test_a_large_source_is_handed_over_block_by_block_before_it_is_read_whole():
    raw = _Lines((GOOD + "\n").encode(), 200 << 20)
    parts = read(Source("big.log", opener=lambda: raw, size=raw.size))
    first = next(parts)
    assert first.records.num_rows > 0 and raw.given < raw.size // 2
    parts.close()


def test_a_parquet_source_reads_its_columns_and_quarantines_a_bad_row_by_number(tmp_path):
    path = tmp_path / "flows.parquet"
    row = dict(zip(DEFAULT.columns, GOOD.split(), strict=True))
    rows = [row, {**row, "dstport": "70000"}]
    pq.write_table(pa.table({c: [r[c] for r in rows] for c in DEFAULT.columns}), path)
    [part] = list(read(path))
    assert part.records.num_rows == 1 and part.records["srcaddr"].to_pylist() == ["172.31.16.139"]
    assert [(b.line, b.reason) for b in part.quarantined] == [(2, "dstport: above 65535: 70000")]


def test_lines_of_no_known_format_are_all_listed_nothing_is_dropped(tmp_path):
    path = tmp_path / "junk.log"
    path.write_text("hello world\nnot a flow log\n")
    [part] = list(read(path))
    assert part.records.num_rows == 0 and [b.line for b in part.quarantined] == [1, 2]


def test_an_unknown_on_error_word_is_refused():
    with pytest.raises(vpcflow.VpcFlowError, match="on_error must be one of report, raise"):
        list(read([], on_error="ignore"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.sampled_from(range(len(VARIANTS))), min_size=1, max_size=60), header=st.booleans(),
       copies=st.integers(1, 3))
def test_read_gives_exactly_what_ingest_stores_and_quarantines(tmp_path_factory, picks, header, copies):
    tmp = tmp_path_factory.mktemp("same")
    lines = [VARIANTS[i] for i in picks]
    folder = tmp / "logs"
    folder.mkdir()
    for k in range(copies):  # several small sources: read and checked as a group
        _write(folder / f"mixed-{k}.log.gz", lines[k:], header=header)
    mine = _read_rows(folder)
    columns = list(records_schema(DEFAULT).names)
    assert mine == _stored_rows(tmp, folder, columns)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.tuples(st.sampled_from(STAMPS), st.sampled_from(VARIANTS[:4] + VARIANTS[10:12])),
                      min_size=1, max_size=40))
def test_timestamped_lines_read_with_the_event_times_ingest_stores(tmp_path_factory, picks):
    tmp = tmp_path_factory.mktemp("stamped")
    lines = [f"{STAMPS[0]} {GOOD}"] + [f"{stamp} {line}" for stamp, line in picks]
    path = _write(tmp / "stamped.log.gz", lines, header=False)
    mine = _read_rows(path)
    assert mine == _stored_rows(tmp, path, list(records_schema(DEFAULT).names))
    assert any(row[-2] is not None for row in mine[0])

"""Ingest hands DuckDB typed records in whole row groups, several to an insert, so DuckDB's threads compress and
write them in parallel; it never changes DuckDB's thread count (relaunching DuckDB's workers around each insert
trimmed the process's free memory)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa

from vpcflow.store import Store
from vpcflow.store.rowgroups import ROW_GROUP, RowGroups

GOOD = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"


def _threads(store: Store) -> str:
    return store.con.execute("SELECT current_setting('threads')").fetchall()[0][0]


def _write(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt", compresslevel=1) as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def test_an_ingest_of_typed_blocks_leaves_duckdb_on_every_thread(tmp_path):
    source = _write(tmp_path / "clean.log.gz", [GOOD] * 1000)
    with Store(tmp_path / "flows.duckdb") as store:
        before = _threads(store)
        result = store.ingest(source)
        assert result.records == 1000
        assert _threads(store) == before


def test_a_large_clean_source_is_stored_in_whole_row_groups_but_the_last(tmp_path):
    n = 3 * ROW_GROUP + 1000
    source = _write(tmp_path / "large.log.gz", [GOOD.replace("20641", str(i % 65536)) for i in range(n)])
    with Store(tmp_path / "flows.duckdb") as store:
        assert store.ingest(source).records == n
        sizes = [r[0] for r in store.con.execute(
            "SELECT count FROM pragma_storage_info('flow_records') "
            "WHERE column_id = 0 AND segment_type <> 'VALIDITY' ORDER BY row_group_id").fetchall()]
        ports = store.con.execute("SELECT count(DISTINCT srcport) FROM flows").fetchall()[0][0]
    assert sizes == [ROW_GROUP] * 3 + [1000]
    assert ports == 65536


def test_row_groups_come_back_whole_in_order_and_the_rest_at_the_end():
    waiting = RowGroups(groups=2)
    taken = []
    for size in (50_000, 100_000, 90_000, 130_000, 7):
        batch = waiting.add(pa.table({"n": pa.array(range(sum(t.num_rows for t in taken) + waiting.rows,
                                                          sum(t.num_rows for t in taken) + waiting.rows + size))}))
        if batch is not None:
            assert all(b.num_rows == ROW_GROUP for b in batch.to_batches())
            taken.append(batch)
    taken.append(waiting.rest())
    assert [t.num_rows for t in taken] == [ROW_GROUP, 2 * ROW_GROUP, 370_007 - 3 * ROW_GROUP]
    assert pa.concat_tables(taken)["n"].to_pylist() == list(range(370_007))
    assert waiting.rest() is None


def test_rows_left_waiting_after_a_take_are_not_copied():
    waiting = RowGroups(groups=1)
    first = pa.table({"n": pa.array(range(100_000), pa.int64())})
    second = pa.table({"n": pa.array(range(100_000, ROW_GROUP + 500), pa.int64())})
    assert waiting.add(first) is None
    assert waiting.add(second)["n"].to_pylist() == list(range(ROW_GROUP))
    left = waiting.rest()
    assert left["n"].to_pylist() == list(range(ROW_GROUP, ROW_GROUP + 500))
    assert left["n"].chunk(0).buffers()[1].address == second["n"].chunk(0).buffers()[1].address

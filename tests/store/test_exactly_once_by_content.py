"""Exactly once is by content (issue 24 item 7): the same bytes under another path are not stored twice, and a
file rewritten at its path replaces its own rows, in one transaction. Small files go in groups and large ones
alone: both ways are tried."""

from __future__ import annotations

import os
import shutil

import pytest

from vpcflow.store.ingest import COMMIT_ROWS

SSH = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 {port} 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
SIZES = {"small": 3, "large": 60_000}  # 60,000 lines are about 6 MB: over the 4 MiB read whole in groups


def _lines(n: int, first_port: int = 1024) -> str:
    return "".join(SSH.format(port=first_port + i % 60_000) + "\n" for i in range(n))


@pytest.mark.parametrize("size", SIZES)
def test_a_copied_folder_is_not_ingested_again(store, tmp_path, size):
    first = tmp_path / "first"
    first.mkdir()
    (first / "a.log").write_text(_lines(SIZES[size]))
    (first / "b.log").write_text(_lines(2, first_port=40_000))
    store.ingest(first)
    shutil.copytree(first, tmp_path / "copy")
    result = store.ingest(tmp_path / "copy")
    assert (result.records, result.skipped_sources) == (0, 2)
    assert all(f"same content), as {first}" in d.message for d in result.details)
    assert store.stats()["records"] == SIZES[size] + 2


@pytest.mark.parametrize("size", SIZES)
def test_a_file_rewritten_at_its_path_replaces_its_rows(store, tmp_path, size):
    path = tmp_path / "a.log"
    path.write_text(_lines(SIZES[size]))
    store.ingest(path)
    path.write_text(_lines(5, first_port=30_000))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    result = store.ingest(path)
    assert result.records == 5
    assert store.stats()["records"] == 5
    ports = store.query("SELECT min(srcport) AS lo, max(srcport) AS hi FROM flows").to_pylist()[0]
    assert (ports["lo"], ports["hi"]) == (30_000, 30_004)
    assert [s["records"] for s in store.sources().to_pylist()] == [5]


def test_empty_files_at_two_paths_are_two_sources(store, tmp_path):
    (tmp_path / "a.log").write_text("")
    (tmp_path / "b.log").write_text("")
    assert store.ingest(tmp_path).sources == 2


def test_a_large_file_rewritten_at_its_path_never_shows_old_and_new_rows_together(store, tmp_path):
    """Over COMMIT_ROWS the new revision commits in steps: a reader between two steps sees the old rows only,
    and the commit that makes the new revision whole removes the old one."""
    path = tmp_path / "large.log"
    big = COMMIT_ROWS + 100_000
    path.write_text(_lines(big))
    store.ingest(path)
    path.write_text(_lines(big, first_port=2_000))  # the same size: only the content and mtime tell it apart
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    between: list[tuple] = []

    def read_between_steps(source, records, raw_bytes):
        if records >= COMMIT_ROWS and not between:  # a step has just committed
            reader = store.con.cursor()  # a connection of its own: it sees what is committed
            between.append(reader.execute("SELECT count(*), min(srcport) FROM flows").fetchall()[0])
            reader.close()

    store.ingest(path, progress=read_between_steps)
    (stored,), = store.con.execute("SELECT count(*) FROM flow_records").fetchall()
    assert between == [(big, 1024)]
    assert store.query("SELECT count(*) AS n, min(srcport) AS lo FROM flows").to_pylist() == [{"n": big, "lo": 2_000}]
    assert stored == big


@pytest.mark.parametrize("size", SIZES)
def test_a_file_rewritten_to_content_held_under_another_path_drops_its_own_old_rows(store, tmp_path, size):
    (tmp_path / "a.log").write_text(_lines(SIZES[size]))
    b = tmp_path / "b.log"
    b.write_text(_lines(2, first_port=40_000))
    store.ingest(tmp_path)
    b.write_text((tmp_path / "a.log").read_text())  # now a copy of a.log: its two records are in no file any more
    os.utime(b, ns=(b.stat().st_atime_ns, b.stat().st_mtime_ns + 10**9))
    result = store.ingest(b)
    assert (result.records, result.skipped_sources) == (0, 1)
    assert f"same content), as {tmp_path / 'a.log'}" in result.details[0].message
    assert store.stats()["records"] == SIZES[size]
    assert [s["identity"] for s in store.sources().to_pylist()] == [str(tmp_path / "a.log")]

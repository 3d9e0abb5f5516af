"""A reader beside a long ingest sees each source whole or not at all, even when the ingest commits in steps."""

from __future__ import annotations

import threading

from tests.alert.watching import land, minute_file
from vpcflow.live import HolderServer
from vpcflow.store import Store
from vpcflow.store.holder import read_note
from vpcflow.store.ingest import COMMIT_ROWS
from vpcflow.store.remote import RemoteConnection
from vpcflow.web.query import run

LINE = "2 123456789010 eni-0a1b2c3d4e5f60718 10.0.0.{} 10.0.2.15 {} 443 6 10 4000 1700000000 1700000060 ACCEPT OK\n"


def large_source(path, records: int) -> None:
    block = "".join(LINE.format(k % 250, 1024 + k) for k in range(10_000))
    with open(path, "w") as out:
        for _ in range(records // 10_000):
            out.write(block)


def _read(db) -> tuple[tuple[int, int], int]:
    """What a plain reader and the query page see through the holder: (flows, flow_records) and the page's count."""
    reader = RemoteConnection(read_note(db), read_only=True)
    try:
        counts = reader.execute("SELECT (SELECT count(*) FROM flows), (SELECT count(*) FROM flow_records)").fetchall()[0]
        return counts, run(reader, "SELECT count(*) AS n FROM flows").table.to_pylist()[0]["n"]
    finally:
        reader.close()


def test_a_reader_during_a_long_ingest_sees_whole_sources_only(tmp_path):
    db = tmp_path / "flows.duckdb"
    small = len(minute_file(1).splitlines())
    big = COMMIT_ROWS + 200_000  # larger than one step: the ingest commits part of it before the end
    large_source(tmp_path / "large.log", big)
    committed, read = threading.Event(), threading.Event()

    def pause_after_a_step(source, records, raw_bytes):
        # The ingest has committed a step once more than COMMIT_ROWS are stored: hold it there for one reader.
        if records >= COMMIT_ROWS and not committed.is_set():
            committed.set()
            read.wait(120)

    with Store(db) as store:
        store.ingest(land(tmp_path, 1))
        server = HolderServer(store)
        try:
            def ingest():
                with server.write_lock:
                    store.ingest(tmp_path / "large.log", progress=pause_after_a_step)

            writer = threading.Thread(target=ingest)
            writer.start()
            assert committed.wait(300), "the ingest never committed a step"
            try:
                during, page = _read(db)
            finally:
                read.set()
            writer.join()
            after, page_after = _read(db)
        finally:
            server.close()
        assert store.stats()["records"] == small + big
    shown, stored = during
    assert stored > small, "the step was not committed: nothing tested"
    assert (shown, page) == (small, small)
    assert (after[0], page_after) == (small + big, small + big)

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


def test_a_reader_during_a_long_ingest_sees_whole_sources_only(tmp_path):
    db = tmp_path / "flows.duckdb"
    small = len(minute_file(1).splitlines())
    big = COMMIT_ROWS + 200_000  # larger than one step: the ingest commits part of it before the end
    large_source(tmp_path / "large.log", big)
    with Store(db) as store:
        store.ingest(land(tmp_path, 1))
        server = HolderServer(store)
        try:
            def ingest():
                with server.write_lock:
                    store.ingest(tmp_path / "large.log")

            writer = threading.Thread(target=ingest)
            writer.start()
            seen, page = [], set()
            while writer.is_alive():
                reader = RemoteConnection(read_note(db), read_only=True)
                seen.append(reader.execute("SELECT (SELECT count(*) FROM flows), (SELECT count(*) FROM flow_records)"
                                           ).fetchall()[0])
                page.add(run(reader, "SELECT count(*) AS n FROM flows").table.to_pylist()[0]["n"])  # the query page
                reader.close()
            writer.join()
        finally:
            server.close()
        assert store.stats()["records"] == small + big
    assert {shown for shown, _ in seen} <= {small, small + big}, seen
    assert page <= {small, small + big}, page
    assert any(stored > shown for shown, stored in seen), "no reader came while a part was committed: nothing tested"

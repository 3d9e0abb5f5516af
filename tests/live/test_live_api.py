"""GET /api/live: what the pages poll to update by themselves, on a plain store and in the holder."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from tests.alert.watching import land, minute_file
from vpcflow.alert.follow import DirectoryFollower
from vpcflow.live import Live
from vpcflow.store import Store
from vpcflow.web.app import create_app


def test_a_store_nobody_holds_has_no_followed_sources(tmp_path):
    with Store(tmp_path / "flows.duckdb") as store:
        store.ingest(land(tmp_path, 1))
    with TestClient(create_app(tmp_path / "flows.duckdb"), base_url="http://127.0.0.1") as client:
        body = client.get("/api/live").json()
    assert (body["holder"], body["sources"], body["records"]) == (False, [], len(minute_file(1).splitlines()))


def test_in_the_holder_a_landed_file_moves_the_version_and_its_source_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    live = Live(tmp_path / "flows.duckdb", [DirectoryFollower(folder)], poll=0.1, detect_every=0.1)
    try:
        app = create_app(tmp_path / "flows.duckdb", reader=live.server.reader, live=live)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            before = client.get("/api/live").json()
            land(folder, 1)
            deadline = time.monotonic() + 30
            while not (after := client.get("/api/live").json())["sources"][0]["sources"] and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        live.close()
    assert before["holder"] and before["records"] == 0
    assert after["version"] != before["version"]
    source = after["sources"][0]
    assert (source["source"], source["sources"], source["records"], source["pending"], source["error"]) == (
        str(folder.resolve()), 1, len(minute_file(1).splitlines()), 0, None)

"""What `vpcflow serve --follow` takes in: whole files only from a folder, and new objects from S3 (moto)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from tests.alert.watching import land, minute_file
from vpcflow.cost.attribute import cost_rows
from vpcflow.cost.kept import kept_relations
from vpcflow.engines import DuckDBEngine, run_query
from vpcflow.engines.queries import get
from vpcflow.store import Store

from .conftest import ENV, free_port, live, serve, stop, wait_for_records


def records_after_polls(port: int, proc, polls: int = 10, poll: float = 0.2) -> int:
    """/api/live's record count once the followers have looked `polls` more times."""
    time.sleep(polls * poll)
    return live(port, proc)["records"]


def test_a_file_being_written_is_left_until_whole(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    settled = land(folder, 1)
    os.utime(settled, (time.time() - 120, time.time() - 120))  # written two minutes ago: whole
    (folder / ".flows-0002.log.part").write_text(minute_file(2))  # not yet renamed into place
    growing = folder / "flows-0003.log"
    growing.write_text(minute_file(3)[:200])  # written in place, still being written
    port = free_port()
    proc = serve(tmp_path / "flows.duckdb", port, "--follow", str(folder), "--poll", "0.2", "--settle", "30")
    try:
        first = len(minute_file(1).splitlines())
        assert wait_for_records(port, proc, first) == first
        assert records_after_polls(port, proc) == first
        growing.write_text(minute_file(3))
        os.utime(growing, (time.time() - 60, time.time() - 60))  # the writer finished a minute ago
        os.replace(folder / ".flows-0002.log.part", folder / "flows-0002.log")
        os.utime(folder / "flows-0002.log", (time.time() - 60, time.time() - 60))
        expected = first + len(minute_file(2).splitlines()) + len(minute_file(3).splitlines())
        wait_for_records(port, proc, expected)
        assert records_after_polls(port, proc) == expected
        assert live(port, proc)["sources"][0]["sources"] == 3
    finally:
        stop(proc)


def test_new_s3_objects_are_taken_in_once(aws_env, tmp_path):
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="flow-logs")
    s3.put_object(Bucket="flow-logs", Key="flows/0001.log", Body=minute_file(1).encode())
    port = free_port()
    proc = serve(tmp_path / "flows.duckdb", port, "--follow", "s3://flow-logs/flows/", "--poll", "0.2",
                 env=aws_env.environ)
    try:
        first = len(minute_file(1).splitlines())
        assert wait_for_records(port, proc, first) == first
        s3.put_object(Bucket="flow-logs", Key="flows/0002.log", Body=minute_file(2).encode())
        expected = first + len(minute_file(2).splitlines())
        wait_for_records(port, proc, expected)
        assert records_after_polls(port, proc) == expected
        assert live(port, proc)["sources"][0] | {"lag_seconds": None, "last_poll_seconds_ago": None} == {
            "source": "s3://flow-logs/flows/", "sources": 2, "records": expected, "pending": 0,
            "newest_record_end": 1_700_000_000 - 1_700_000_000 % 3600 + 3 * 60, "lag_seconds": None,
            "last_poll_seconds_ago": None, "notified": 0, "error": None, "alarms": {}}
    finally:
        stop(proc)


def test_what_arrives_is_summed_for_cost_and_read_through_the_holder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in (1, 2):
        os.utime(land(folder, i), (time.time() - 120, time.time() - 120))
    db = tmp_path / "flows.duckdb"
    port = free_port()
    proc = serve(db, port, "--follow", str(folder), "--poll", "0.2", "--detect-every", "0.2")
    try:
        expected = len(minute_file(1).splitlines()) + len(minute_file(2).splitlines())
        assert wait_for_records(port, proc, expected) == expected
        deadline, kept = time.monotonic() + 60, 0
        while kept < 2 and time.monotonic() < deadline:
            with Store(db, read_only=True) as store:  # through the holder
                assert store.remote
                kept = store.con.execute("SELECT count(*) FROM kept_sources").fetchall()[0][0]
            time.sleep(0.2)
        assert kept == 2
        with Store(db, read_only=True) as store:  # a session of the holder reads the sums, and they answer exactly
            bound = get("cost-interface").bind({"monthly": False})
            with kept_relations(DuckDBEngine(store), None, bound) as used:
                assert used
            assert cost_rows(store, "interface") == run_query(DuckDBEngine(store), "cost-interface", bound).to_pylist()
        done = subprocess.run([sys.executable, "-m", "vpcflow.cli.main", "cost", "--db", str(db), "--by", "interface",
                               "-o", "json"], capture_output=True, text=True, timeout=120, env=ENV)
        assert done.returncode == 0, done.stderr
        assert sum(r["records"] for r in json.loads(done.stdout)) > 0
    finally:
        stop(proc)

"""A store held by `vpcflow serve`: every other command and vpcflow.Store read and ingest through it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import duckdb
import pytest

from tests.alert.watching import land, minute_file
from vpcflow.store import Store, holder

from .conftest import cli, free_port, live, serve, stop

RECORDS_PER_FILE = len(minute_file(1).splitlines())  # 1 SSH reject and 20 web records


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A store of 4 minute files, held by `vpcflow serve` on 127.0.0.1."""
    root = tmp_path_factory.mktemp("served")
    first = root / "first"
    first.mkdir()
    for i in range(1, 5):  # minutes 1, 2, 4, 5: 21 records each (every third minute has 25)
        land(first, i if i < 3 else i + 1)
    db = root / "flows.duckdb"
    with Store(db) as store:
        store.ingest(first)
    port = free_port()
    proc = serve(db, port)
    live(port, proc)
    yield db, port, root
    stop(proc)


def count(db) -> int:
    done = cli("query", "SELECT count(*) AS n FROM flows", "--db", str(db), "-o", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)[0]["n"]


def test_a_query_beside_the_holder_reads_through_it(served):
    db, _, _ = served
    done = cli("stats", "--db", str(db), "-o", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sources"] >= 4
    assert "lock" not in done.stderr.lower()


def test_an_ingest_beside_the_holder_is_handed_to_it_and_stored_once(served):
    db, port, root = served
    more = root / "more"
    more.mkdir()
    land(more, 7)
    land(more, 8)
    before = count(db)
    done = cli("ingest", str(more), "--db", str(db), "-o", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["records"] == 2 * RECORDS_PER_FILE
    again = cli("ingest", str(more), "--db", str(db), "-o", "json")
    assert json.loads(again.stdout)["skipped_sources"] == 2
    assert count(db) == before + 2 * RECORDS_PER_FILE
    assert live(port)["records"] == before + 2 * RECORDS_PER_FILE  # the dashboard sees it too


def test_a_query_and_an_ingest_at_the_same_time_both_succeed(served):
    db, _, root = served
    third = root / "third"
    third.mkdir()
    land(third, 10)
    base = [sys.executable, "-m", "vpcflow.cli.main"]
    ingest = subprocess.Popen([*base, "ingest", str(third), "--db", str(db), "-o", "json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    query = subprocess.Popen([*base, "top", "--db", str(db), "-o", "json"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    (i_out, i_err), (q_out, q_err) = ingest.communicate(120), query.communicate(120)
    assert ingest.returncode == 0, i_err
    assert query.returncode == 0, q_err
    assert json.loads(i_out)["records"] == RECORDS_PER_FILE
    assert json.loads(q_out)


def test_library_store_goes_through_the_holder(served):
    db, _, root = served
    with Store(db) as store:
        assert store.remote
        held = store.stats()["records"]
        land(root, 20)
        result = store.ingest(root / "flows-0020.log")
        assert (result.sources, result.records) == (1, RECORDS_PER_FILE)
        assert store.stats()["records"] == held + RECORDS_PER_FILE
        assert store.query("SELECT count(*) AS n FROM flows WHERE dstport = $p", {"p": 22}).to_pylist()[0]["n"] > 0


def test_a_read_only_store_through_the_holder_refuses_writes(served):
    db, _, _ = served
    with Store(db, read_only=True) as store, pytest.raises(duckdb.Error, match="read-only"):
        store.con.execute("DELETE FROM sources")


def test_a_read_only_store_sees_one_snapshot(served):
    db, _, root = served
    with Store(db, read_only=True) as reader, Store(db) as writer:
        first = reader.stats()["records"]
        land(root / "more", 30)
        writer.ingest(root / "more" / "flows-0030.log")
        assert reader.stats()["records"] == first
        assert writer.stats()["records"] == first + len(minute_file(30).splitlines())


def test_the_holder_refuses_a_wrong_token(served):
    db, _, _ = served
    note = holder.read_note(db)
    with socket.create_connection(("127.0.0.1", note.port)) as sock:
        holder.send_json(sock, {"op": "session", "read_only": True, "token": "guessed"})
        reply = holder.receive_json(sock)
    assert reply == {"ok": False, "error": "wrong token for this store's holder",
                     "hint": "use the token file named in the .holder.json beside the store"}


def test_the_token_file_is_readable_by_its_user_only(served):
    db, _, _ = served
    assert os.stat(holder.read_note(db).token_file).st_mode & 0o777 == 0o600


def test_a_second_serve_shows_the_held_store(served):
    db, port, _ = served
    other = free_port()
    proc = serve(db, other)
    try:
        assert live(other, proc)["records"] == live(port)["records"]
        assert live(other)["holder"] is False
    finally:
        stop(proc)


def test_a_note_left_by_a_killed_holder_is_ignored_and_removed(tmp_path):
    db = tmp_path / "flows.duckdb"
    with Store(db):
        pass
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    holder.note_path(db).write_text(json.dumps({"db": str(db), "pid": gone.pid, "port": 9,
                                                "token_file": str(tmp_path / "t")}))
    with Store(db) as store:
        assert not store.remote
    assert not holder.note_path(db).exists()


def test_an_analysis_tables_are_its_own_and_temporary_through_the_holder(served):
    db, _, _ = served
    with Store(db, read_only=True) as store:
        store.con.execute("CREATE TABLE scratch AS SELECT 1 AS a")  # made temporary for this session
        store.con.execute("INSERT INTO scratch VALUES (2)")
        assert store.con.execute("SELECT sum(a) FROM scratch").fetchall() == [(3,)]
    with Store(db, read_only=True) as other:
        assert other.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scratch'").fetchall() == [(0,)]


def test_a_report_beside_the_holder_reads_through_it(served):
    db, _, root = served
    done = cli("report", "--html", str(root / "report.html"), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert (root / "report.html").stat().st_size > 10_000

"""Readers never see a source that is not whole (issue 24 item 9): a source over COMMIT_ROWS commits in steps, and
after a kill -9 between two steps every reader of the store, read-only ones included, sees none of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vpcflow.store import Store
from vpcflow.store.ingest import COMMIT_ROWS

LINE = "2 123456789010 eni-0a1b2c3d4e5f60718 10.0.0.{} 10.0.2.15 {} 443 6 10 4000 1700000000 1700000060 ACCEPT OK\n"
BAD = "2 123456789010 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.2.15 not-a-port 443 6 10 4000 1700000000 1700000060 ACCEPT OK\n"
WHOLE = 25  # records of the source stored before the large one

# The child ingests the large source and, once a step has committed, says so and waits to be killed.
CHILD = """
import sys
from vpcflow.store import Store
from vpcflow.store.ingest import COMMIT_ROWS

def stepped(source, records, raw_bytes):
    if records >= COMMIT_ROWS:  # step() committed before this progress call
        print("stepped", flush=True)
        sys.stdin.read()  # blocks until the parent kills this process

with Store(sys.argv[1]) as store:
    store.ingest(sys.argv[2], progress=stepped)
"""


def _large_source(path: Path, records: int) -> None:
    block = "".join(LINE.format(k % 250, 1024 + k % 60_000) for k in range(10_000))
    with open(path, "w") as out:
        out.write(BAD * 3)  # quarantined in the first step
        for _ in range(records // 10_000):
            out.write(block)


@pytest.fixture(scope="module")
def killed(tmp_path_factory) -> Path:
    """A store holding one whole source and the committed first step of a large one whose ingest was killed."""
    root = tmp_path_factory.mktemp("killed")
    db = root / "flows.duckdb"
    (root / "whole.log").write_text("".join(LINE.format(k, 2000 + k) for k in range(WHOLE)))
    with Store(db) as store:
        store.ingest(root / "whole.log")
    _large_source(root / "large.log", COMMIT_ROWS + 200_000)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(root / "large.log")],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        said = child.stdout.readline()
    finally:
        child.kill()  # SIGKILL: no handler, no rollback, no close
        _, err = child.communicate(timeout=60)
    assert said == "stepped\n", err
    return db


def test_the_killed_ingest_left_a_committed_step_in_the_file(killed):
    with Store(killed, read_only=True) as store:
        (rows,), = store.con.execute("SELECT count(*) FROM flow_records").fetchall()
        (loading,), = store.con.execute("SELECT count(*) FROM sources WHERE status = 'loading'").fetchall()
    assert rows >= WHOLE + COMMIT_ROWS and loading == 1  # what the readers below must not show


def test_a_read_only_store_shows_only_whole_sources_after_a_kill(killed):
    with Store(killed, read_only=True) as store:
        stats = store.stats()
        (flows,), = store.query("SELECT count(*) FROM flows").to_pylist()[0].values(),
        identities = [s["identity"] for s in store.sources().to_pylist()]
        quarantined = store.quarantine().num_rows
    assert (stats["records"], stats["sources"], stats["quarantined"]) == (WHOLE, 1, 0)
    assert flows == WHOLE
    assert identities == [str(killed.parent / "whole.log")]
    assert quarantined == 0


def test_the_stats_and_query_commands_show_only_whole_sources_after_a_kill(killed, cli):
    stats = cli("stats", "--db", killed, "-o", "json")
    query = cli("query", "SELECT count(*) AS n FROM flows", "--db", killed, "-o", "json")
    assert (stats.code, query.code) == (0, 0), stats.err + query.err
    assert (stats.json()["records"], stats.json()["sources"]) == (WHOLE, 1)
    assert query.json() == [{"n": WHOLE}]


def test_the_next_writable_open_deletes_the_partial_source_and_flows_joins_nothing_again(killed, tmp_path):
    """Hiding costs an anti-join on every scan of flows: it is there only while some source is loading."""
    copy = tmp_path / "copy.duckdb"
    for suffix in ("", ".wal"):  # the killed process had not checkpointed: its steps are in the WAL
        if Path(f"{killed}{suffix}").exists():
            shutil.copy(f"{killed}{suffix}", f"{copy}{suffix}")
    with Store(copy, read_only=True) as store:
        hiding = store.con.execute("EXPLAIN SELECT count(*) FROM flows").fetchall()[0][1]
    with Store(copy) as store:
        (rows,), = store.con.execute("SELECT count(*) FROM flow_records").fetchall()
        plain = store.con.execute("EXPLAIN SELECT count(*) FROM flows").fetchall()[0][1]
    assert rows == WHOLE
    assert "ANTI" in hiding and "Join" not in plain

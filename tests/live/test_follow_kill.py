"""`vpcflow serve --follow` killed with -9 at random moments while deliveries land: nothing lost, nothing twice.

Files land over time (written elsewhere, renamed into place), some while the holder is down. After the last
restart the store and the notifications must be what one clean `vpcflow watch --once` over the same files gives.
"""

from __future__ import annotations

import os
import random
import signal
import time

from tests.alert.test_watch_kill import store_contents
from tests.alert.watching import land, minute_file, write_rules

from .conftest import cli, free_port, live, serve, stop, wait_for_records

KILLS = 3
FILES = 20


def test_kill_9_at_random_moments_of_a_follow_loses_and_repeats_nothing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    rng = random.Random(int(os.environ.get("VPCFLOW_KILL_SEED", "22")))
    rules = write_rules(tmp_path / "killed.yaml", tmp_path / "killed.jsonl")
    db = tmp_path / "killed.duckdb"
    follow = ("--follow", str(folder), "--rules", str(rules), "--poll", "0.1", "--settle", "0")
    landed = kills = 0
    while True:
        port = free_port()
        proc = serve(db, port, *follow)
        live(port, proc)
        for _ in range(rng.randrange(1, 5)):
            if landed < FILES:
                land(folder, landed)
                landed += 1
            time.sleep(rng.uniform(0, 0.3))
        if kills == KILLS:
            break
        time.sleep(rng.uniform(0, 0.4))
        proc.send_signal(signal.SIGKILL)
        kills += proc.wait(30) == -signal.SIGKILL
        land(folder, landed)  # dropped while it was down: taken on restart
        landed += 1
    while landed < FILES:
        land(folder, landed)
        landed += 1
    expected = sum(len(minute_file(i).splitlines()) for i in range(FILES))
    wait_for_records(port, proc, expected, timeout=120)
    stop(proc)

    clean = cli("watch", str(folder), "--rules", str(write_rules(tmp_path / "clean.yaml", tmp_path / "clean.jsonl")),
                "--db", str(tmp_path / "clean.duckdb"), "--once")
    assert clean.returncode == 0, clean.stderr
    assert kills == KILLS
    assert store_contents(db) == store_contents(tmp_path / "clean.duckdb")
    assert len(store_contents(db)[0]) == expected
    assert (tmp_path / "killed.jsonl").read_text() == (tmp_path / "clean.jsonl").read_text()

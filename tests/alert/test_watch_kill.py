"""`vpcflow watch` as a process: kill -9 at random moments loses and repeats nothing; SIGTERM stops cleanly."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from .watching import land, write_rules

FILES = 30
KILLS = 5


def watch(folder: Path, db: Path, rules: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "vpcflow.cli.main", "watch", str(folder), "--rules", str(rules), "--db", str(db),
           "--poll", "0.1", *extra]
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def store_contents(db: Path) -> tuple[list, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        flows = con.execute(
            "SELECT s.identity, f.* EXCLUDE (source_id) FROM flows f JOIN sources s USING (source_id) "
            "ORDER BY ALL").fetchall()
        checkpoint = con.execute(
            "SELECT watcher, position, sources, records, watermark, engine FROM watch_checkpoints").fetchall()
        return flows, checkpoint
    finally:
        con.close()


def sources_in(db: Path) -> int:
    if not db.exists():
        return 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM sources").fetchall()[0][0]
    finally:
        con.close()


def test_kill_9_at_random_moments_loses_and_repeats_nothing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(FILES):
        land(folder, i)
    rng = random.Random(int(os.environ.get("VPCFLOW_KILL_SEED", "6")))

    clean = watch(folder, tmp_path / "clean.duckdb", write_rules(tmp_path / "clean.yaml", tmp_path / "clean.jsonl"),
                  "--once")
    assert clean.wait(60) == 0, clean.stderr.read()

    rules = write_rules(tmp_path / "killed.yaml", tmp_path / "killed.jsonl")
    kills, taken_in = 0, []
    for _ in range(KILLS):
        proc = watch(folder, tmp_path / "killed.duckdb", rules, "--once")
        # let it take in a few sources (or none: a kill during start is a moment too), then kill it mid-stride
        for _ in range(rng.randrange(0, 4)):
            if not proc.stderr.readline():
                break
        time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        kills += proc.wait(30) == -signal.SIGKILL
        taken_in.append(sources_in(tmp_path / "killed.duckdb"))
    finish = watch(folder, tmp_path / "killed.duckdb", rules, "--once")
    assert finish.wait(60) == 0, finish.stderr.read()

    assert kills >= 3  # most runs were really cut short, not finished before the kill
    assert any(0 < n < FILES for n in taken_in), taken_in  # and some mid-way through the files
    assert store_contents(tmp_path / "killed.duckdb") == store_contents(tmp_path / "clean.duckdb")
    assert (tmp_path / "killed.jsonl").read_text() == (tmp_path / "clean.jsonl").read_text()
    assert len((tmp_path / "clean.jsonl").read_text().splitlines()) == 20


def test_sigterm_stops_cleanly_with_exit_code_0(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    land(folder, 0)
    proc = watch(folder, tmp_path / "s.duckdb", write_rules(tmp_path / "rules.yaml", tmp_path / "alerts.jsonl"))
    assert "flows-0000.log: 25 records" in proc.stderr.readline()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    rest = proc.stderr.read()
    assert "lag" in rest and rest.rstrip().endswith("watch: stopped")


def test_sigint_stops_cleanly_with_exit_code_0(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    proc = watch(folder, tmp_path / "s.duckdb", write_rules(tmp_path / "rules.yaml", tmp_path / "alerts.jsonl"))
    assert "0 pending; no records yet" in proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 0

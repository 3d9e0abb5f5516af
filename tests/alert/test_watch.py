"""`vpcflow watch` as a library: follow a directory, evaluate, notify; resume from the store's checkpoint."""

from __future__ import annotations

import json
import os

import pytest

from vpcflow.alert.checkpoint import load
from vpcflow.alert.follow import DirectoryFollower, follower_for
from vpcflow.alert.rules import load_rules
from vpcflow.alert.watch import Watcher
from vpcflow.errors import SourceError
from vpcflow.store.store import Store

from .watching import T0, land, write_rules


def watch_once(tmp_path, db: str, alerts: str = "alerts.jsonl"):
    rules = load_rules(write_rules(tmp_path / "rules.yaml", tmp_path / alerts))
    with Store.open(tmp_path / db) as store:
        watcher = Watcher(store, DirectoryFollower(tmp_path / "in"), rules)
        status = watcher.poll()
        return status, watcher.states()


def sent(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_each_new_file_is_taken_in_once_and_its_alarm_fires(tmp_path):
    (tmp_path / "in").mkdir()
    for i in range(3):
        land(tmp_path / "in", i)
    first, _ = watch_once(tmp_path, "s.duckdb")
    again, states = watch_once(tmp_path, "s.duckdb")
    assert (first.ingested, again.ingested) == (3, 0)
    assert [(n["previous_state"], n["state"]) for n in sent(tmp_path / "alerts.jsonl")] == [
        ("INSUFFICIENT_DATA", "ALARM"), ("ALARM", "OK")]
    assert states == {"ssh-brute-force": "OK"}


def test_a_restart_resumes_where_it_stopped(tmp_path):
    (tmp_path / "in").mkdir()
    for i in range(4):
        land(tmp_path / "in", i)
    watch_once(tmp_path, "resumed.duckdb", "resumed.jsonl")
    for i in range(4, 8):
        land(tmp_path / "in", i)
    resumed, resumed_states = watch_once(tmp_path, "resumed.duckdb", "resumed.jsonl")
    whole, whole_states = watch_once(tmp_path, "whole.duckdb", "whole.jsonl")
    assert resumed.ingested == 4 and whole.ingested == 8
    assert sent(tmp_path / "resumed.jsonl") == sent(tmp_path / "whole.jsonl")
    assert len(sent(tmp_path / "whole.jsonl")) == 6
    assert resumed_states == whole_states


def test_the_checkpoint_commits_with_the_records(tmp_path):
    (tmp_path / "in").mkdir()
    for i in range(2):
        land(tmp_path / "in", i)
    watch_once(tmp_path, "s.duckdb")
    with Store.open(tmp_path / "s.duckdb") as store:
        cp = load(store.con, str((tmp_path / "in").resolve()), "")
        records = store.con.execute("SELECT count(*) FROM flows").fetchall()[0][0]
    assert (cp.sources, cp.records, cp.watermark) == (2, records, T0 + 120)
    assert cp.position.endswith("flows-0001.log")


def test_lag_is_reported_from_the_newest_record_end_and_pending_files(tmp_path):
    (tmp_path / "in").mkdir()
    land(tmp_path / "in", 0)
    status, _ = watch_once(tmp_path, "s.duckdb")
    assert status.watermark == T0 + 60
    assert status.lag is not None and status.lag > 0
    assert status.pending == 0
    assert "newest record end 2023-11-14T22:01:00Z, lag " in status.line()
    assert status.as_dict()["lag_seconds"] == status.lag


def test_a_stop_leaves_the_rest_pending_for_the_next_poll(tmp_path):
    (tmp_path / "in").mkdir()
    for i in range(3):
        land(tmp_path / "in", i)
    rules = load_rules(write_rules(tmp_path / "rules.yaml", tmp_path / "alerts.jsonl"))
    with Store.open(tmp_path / "s.duckdb") as store:
        watcher = Watcher(store, DirectoryFollower(tmp_path / "in"), rules,
                          on_source=lambda _: watcher.stop.set())
        status = watcher.poll()
    assert (status.ingested, status.pending) == (1, 2)


def test_an_unreadable_file_is_reported_and_not_retried_every_poll(tmp_path):
    (tmp_path / "in").mkdir()
    land(tmp_path / "in", 0)
    (tmp_path / "in" / "flows-0001.log.gz").write_bytes(b"\x1f\x8b\x08\x00junk")
    rules = load_rules(write_rules(tmp_path / "rules.yaml", tmp_path / "alerts.jsonl"))
    with Store.open(tmp_path / "s.duckdb") as store:
        watcher = Watcher(store, DirectoryFollower(tmp_path / "in"), rules)
        first = watcher.poll()
        second = watcher.poll()
    assert first.ingested + len(first.failed) == 2
    assert (second.ingested, second.failed) == (0, [])


def test_notifications_left_in_the_outbox_are_sent_on_start(tmp_path):
    (tmp_path / "in").mkdir()
    land(tmp_path / "in", 0)
    rules = load_rules(write_rules(tmp_path / "rules.yaml", tmp_path / "blocked" / "alerts.jsonl"))
    with Store.open(tmp_path / "s.duckdb") as store:
        status = Watcher(store, DirectoryFollower(tmp_path / "in"), rules).poll()
    assert status.notify_failed == 1  # the folder for the file does not exist yet
    (tmp_path / "blocked").mkdir()
    with Store.open(tmp_path / "s.duckdb") as store:
        watcher = Watcher(store, DirectoryFollower(tmp_path / "in"), rules)
        assert watcher.outbox() == {"sent": 1}
    assert [n["state"] for n in sent(tmp_path / "blocked" / "alerts.jsonl")] == ["ALARM"]


def test_an_alarm_redefined_since_the_checkpoint_starts_afresh(tmp_path):
    (tmp_path / "in").mkdir()
    land(tmp_path / "in", 0)
    watch_once(tmp_path, "s.duckdb")
    changed = (tmp_path / "rules.yaml").read_text().replace("threshold: 3", "threshold: 4")
    (tmp_path / "rules.yaml").write_text(changed)
    with Store.open(tmp_path / "s.duckdb") as store:
        watcher = Watcher(store, DirectoryFollower(tmp_path / "in"), load_rules(tmp_path / "rules.yaml"))
    assert watcher.reset_alarms == ["ssh-brute-force"]
    assert watcher.states() == {"ssh-brute-force": "INSUFFICIENT_DATA"}


def test_following_a_missing_directory_says_what_to_follow(tmp_path):
    with pytest.raises(SourceError, match="not a directory"):
        follower_for(str(tmp_path / "nowhere"))
    with pytest.raises(SourceError, match=r"watch follows a directory, s3://BUCKET/PREFIX or cwl://LOG_GROUP"):
        follower_for("gs://bucket/flows")


def test_the_watch_command_names_a_fifo_it_leaves_alone_and_takes_the_rest(tmp_path, cli):
    (tmp_path / "in").mkdir()
    land(tmp_path / "in", 0)
    os.mkfifo(tmp_path / "in" / "flows-0001.log")
    rules = write_rules(tmp_path / "rules.yaml", tmp_path / "alerts.jsonl")
    result = cli("watch", tmp_path / "in", "--rules", rules, "--db", tmp_path / "s.duckdb", "--once")
    assert result.code == 0, result.err
    assert f"{tmp_path / 'in' / 'flows-0001.log'}: failed: not a regular file" in result.err
    assert "1 source(s) in (25 records), 0 pending, 1 failed" in result.err

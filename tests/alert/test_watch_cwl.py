"""`vpcflow watch cwl://GROUP`: each stream's new events are taken in once, on moto's server over HTTP."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fixtures import moto_server as _plugin  # noqa: E402
from vpcflow.alert.follow import CwlFollower  # noqa: E402
from vpcflow.alert.rules import load_rules  # noqa: E402
from vpcflow.alert.watch import Watcher  # noqa: E402
from vpcflow.aws.session import AwsSession, AwsSettings  # noqa: E402
from vpcflow.store.store import Store  # noqa: E402

from .watching import minute_file, write_rules  # noqa: E402

moto_server = _plugin.moto_server
aws_env = _plugin.aws_env
STREAM = "eni-0a1b2c3d4e5f60718-all"
NOW = int(time.time()) * 1000 - 3_600_000


def put_minute(logs, i: int, stream: str = STREAM) -> int:
    """Minute i's records as events, all stamped with the same millisecond (as one delivery often is);
    CloudWatch refuses events older than 14 days, so the stamps are recent though the records are not."""
    stamp = NOW + i * 1000
    events = [{"timestamp": stamp, "message": line} for line in minute_file(i).splitlines()]
    logs.put_log_events(logGroupName="flows", logStreamName=stream, logEvents=events)
    return len(events)


def watcher_for(aws_env, tmp_path, store):
    session = AwsSession(AwsSettings(region=aws_env.region, endpoint_url=aws_env.endpoint_url),
                         boto_session=aws_env.boto_session())
    rules = load_rules(write_rules(tmp_path / "rules.yaml", tmp_path / "alerts.jsonl"))
    return Watcher(store, CwlFollower("cwl://flows", session), rules)


def test_each_streams_new_events_are_taken_in_once_across_restarts(aws_env, tmp_path):
    logs = aws_env.client("logs")
    logs.create_log_group(logGroupName="flows")
    logs.create_log_stream(logGroupName="flows", logStreamName=STREAM)
    put = put_minute(logs, 0) + put_minute(logs, 1)
    with Store.open(tmp_path / "s.duckdb") as store:
        watcher = watcher_for(aws_env, tmp_path, store)
        first, idle = watcher.poll(), watcher.poll()
    put += put_minute(logs, 2) + put_minute(logs, 3)
    with Store.open(tmp_path / "s.duckdb") as store:  # a restart: the position comes from the ledger
        later = watcher_for(aws_env, tmp_path, store).poll()
        records = store.con.execute("SELECT count(*), count(DISTINCT log_stream) FROM flows").fetchall()[0]
    assert [(p.ingested, p.records) for p in (first, idle, later)] == [(1, 46), (0, 0), (1, 46)]
    assert records == (put, 1)
    sent = [json.loads(line)["state"] for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert sent == ["ALARM", "OK", "ALARM"]


def test_events_sharing_the_last_millisecond_are_not_taken_twice(aws_env, tmp_path):
    logs = aws_env.client("logs")
    logs.create_log_group(logGroupName="flows")
    logs.create_log_stream(logGroupName="flows", logStreamName=STREAM)
    stamp = NOW
    line = minute_file(0).splitlines()[0]
    logs.put_log_events(logGroupName="flows", logStreamName=STREAM,
                        logEvents=[{"timestamp": stamp, "message": line}] * 2)
    with Store.open(tmp_path / "s.duckdb") as store:
        watcher = watcher_for(aws_env, tmp_path, store)
        first = watcher.poll()
        logs.put_log_events(logGroupName="flows", logStreamName=STREAM,
                            logEvents=[{"timestamp": stamp, "message": line}])
        second = watcher.poll()
    assert (first.records, second.records) == (2, 1)

"""`vpcflow watch s3://BUCKET/PREFIX`: new objects are taken in once each, on moto's server over HTTP."""

from __future__ import annotations

import json
import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fixtures import moto_server as _plugin  # noqa: E402
from vpcflow.alert.follow import S3Follower  # noqa: E402
from vpcflow.alert.rules import load_rules  # noqa: E402
from vpcflow.alert.watch import Watcher  # noqa: E402
from vpcflow.aws.session import AwsSession, AwsSettings  # noqa: E402
from vpcflow.store.store import Store  # noqa: E402

from .watching import minute_file, write_rules  # noqa: E402

moto_server = _plugin.moto_server
aws_env = _plugin.aws_env
PREFIX = "AWSLogs/123456789010/vpcflowlogs/us-east-1/2023/11/14/"


def put(s3, i: int) -> None:
    s3.put_object(Bucket="flow-logs", Key=f"{PREFIX}123456789010_vpcflowlogs_us-east-1_fl-0a1b_20231114T22{i:02d}Z_h{i}.log",
                  Body=minute_file(i).encode())


def test_new_objects_under_the_prefix_are_taken_in_once_and_alert(aws_env, tmp_path):
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="flow-logs")
    for i in range(2):
        put(s3, i)
    session = AwsSession(AwsSettings(region=aws_env.region, endpoint_url=aws_env.endpoint_url),
                         boto_session=aws_env.boto_session())
    rules = load_rules(write_rules(tmp_path / "rules.yaml", tmp_path / "alerts.jsonl"))
    with Store.open(tmp_path / "s.duckdb") as store:
        watcher = Watcher(store, S3Follower("s3://flow-logs/AWSLogs/", session), rules)
        first = watcher.poll()
        idle = watcher.poll()
        put(s3, 2)
        put(s3, 3)
        later = watcher.poll()
    assert [(p.ingested, p.pending) for p in (first, idle, later)] == [(2, 0), (0, 0), (2, 0)]
    sent = [json.loads(line)["state"] for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert sent == ["ALARM", "OK", "ALARM"]


def test_watch_command_follows_s3_with_the_endpoint_from_the_environment(aws_env, tmp_path, cli):
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="flow-logs")
    put(s3, 0)
    rules = write_rules(tmp_path / "rules.yaml", tmp_path / "alerts.jsonl")
    result = cli("watch", "s3://flow-logs/AWSLogs/", "--rules", rules, "--db", tmp_path / "s.duckdb", "--once")
    assert result.code == 0, result.err
    assert "1 source(s) in (25 records), 0 pending" in result.err
    assert [json.loads(line)["state"] for line in (tmp_path / "alerts.jsonl").read_text().splitlines()] == ["ALARM"]

"""`vpcflow filter PATTERN s3://... cwl://...`: the same pattern language over AWS sources, on moto over HTTP."""

from __future__ import annotations

import sys
import time
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fixtures import moto_server as _plugin  # noqa: E402

from .watching import SSH, minute_file  # noqa: E402

moto_server = _plugin.moto_server
aws_env = _plugin.aws_env


def test_filter_reads_s3_objects_with_their_header_line(aws_env, cli):
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="flow-logs")
    header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
    s3.put_object(Bucket="flow-logs", Key="flows/a.log", Body=(header + minute_file(0)).encode())
    result = cli("filter", SSH, "s3://flow-logs/flows/")
    assert result.code == 0, result.err
    assert result.out.splitlines() == minute_file(0).splitlines()[:5]


def test_filter_reads_cloudwatch_events_without_their_timestamps(aws_env, cli):
    logs = aws_env.client("logs")
    logs.create_log_group(logGroupName="flows")
    logs.create_log_stream(logGroupName="flows", logStreamName="eni-0a1b2c3d4e5f60718-all")
    stamp = int(time.time() * 1000) - 60_000
    logs.put_log_events(logGroupName="flows", logStreamName="eni-0a1b2c3d4e5f60718-all",
                        logEvents=[{"timestamp": stamp, "message": m} for m in minute_file(1).splitlines()])
    result = cli("filter", "REJECT", "cwl://flows", "--output", "json")
    assert result.code == 0, result.err
    assert [(r["source"], r["message"]) for r in result.json()] == [
        ("cwl://flows/eni-0a1b2c3d4e5f60718-all", minute_file(1).splitlines()[0])]

"""The full loop on moto: provision, deliver emulated records through the API, read them back, totals equal."""

from __future__ import annotations

from vpcflow.aws.apply import apply
from vpcflow.aws.deliver import replay_cloudwatch_export, upload_tree
from vpcflow.aws.plan import plan_apply
from vpcflow.aws.request import make_request
from vpcflow.aws.sources import resolve
from vpcflow.emulate.engine import simulate
from vpcflow.store.store import Store


def _totals(path, targets, **kw) -> tuple[int, int, int]:
    with Store(path) as store:
        result = store.ingest(targets, **kw)
        assert result.quarantined == 0 and not result.errors
        n, b, p = store.con.execute("SELECT count(*), sum(bytes), sum(packets) FROM flows").fetchall()[0]
    return int(n), int(b or 0), int(p or 0)


def test_cloudwatch_loop_provision_deliver_read_back(session, aws_env, vpc, tmp_path):
    result = apply(session, plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows", interval=60)))
    assert result.flow_log_ids and not result.failures
    summary = simulate("seed-demo", tmp_path / "sim", duration="2h", destination="cloudwatch")
    writer = replay_cloudwatch_export(session, tmp_path / "sim" / "cloudwatch", "flows")
    assert writer.events == summary.records and writer.shifted_by > 0  # January data is too old for CloudWatch
    local = _totals(tmp_path / "local.duckdb", [str(tmp_path / "sim" / "cloudwatch")])
    remote = _totals(tmp_path / "aws.duckdb", list(resolve("cwl://flows", session)))
    assert remote == local and remote[0] == summary.records


def test_s3_loop_provision_deliver_read_back(session, aws_env, vpc, tmp_path):
    request = make_request([vpc["vpc"]], "s3://flow-archive", interval=60, per_hour=True, hive=True)
    result = apply(session, plan_apply(session, request))
    assert result.flow_log_ids and not result.failures
    summary = simulate("seed-demo", tmp_path / "sim", duration="2h", destination="s3", per_hour=True, hive=True)
    keys = upload_tree(session, tmp_path / "sim", "flow-archive")
    assert len(keys) == len(summary.files)
    local = _totals(tmp_path / "local.duckdb", [str(f) for f in summary.files])
    remote = _totals(tmp_path / "aws.duckdb", list(resolve("s3://flow-archive", session)))
    assert remote == local and remote[0] == summary.records

"""`sandbox down` under failure: a resource deleted behind its back, a call AWS keeps throttling; a second down
finishes the job. Faults come from the loopback proxy in tests/aws/proxy.py, in front of moto."""

from __future__ import annotations

import pytest

from tests.aws.proxy import FaultyProxy, Rule
from tests.aws_sandbox.conftest import make_session
from tests.aws_sandbox.snapshot import account_snapshot
from vpcflow.aws.sandbox import down, plan_up, up
from vpcflow.aws.session import AwsError


@pytest.fixture
def proxy(aws_env):
    p = FaultyProxy(aws_env.endpoint_url)
    yield p
    p.close()


def _ec2_action(action: str):
    return lambda method, path, headers, body: method == "POST" and f"Action={action}&".encode() in body + b"&"


def test_a_resource_deleted_behind_its_back_is_counted_as_gone(session, spec, aws_env, proxy):
    before = account_snapshot(aws_env)
    built = up(session, plan_up(session, spec))
    victim = built.resources["subnet"][1]
    ec2 = aws_env.client("ec2")
    is_igw_delete = _ec2_action("DeleteInternetGateway")

    def delete_subnet_first(method, path, headers, body):
        if is_igw_delete(method, path, headers, body):  # after down listed the subnets, before it deletes them
            ec2.delete_subnet(SubnetId=victim)
        return False

    proxy.rules.append(Rule(delete_subnet_first, 0, "", ""))
    result = down(make_session(aws_env, proxy.url), spec)
    assert {"kind": "subnet", "id": victim, "outcome": "already gone"} in result.deleted
    assert account_snapshot(aws_env) == before


def test_a_call_throttled_until_retries_run_out_stops_down_and_a_second_down_finishes(session, spec, aws_env, proxy):
    before = account_snapshot(aws_env)
    up(session, plan_up(session, spec))
    proxy.rules.append(Rule(_ec2_action("DeleteVpc"), 400, "RequestLimitExceeded", "Request limit exceeded."))
    with pytest.raises(AwsError) as failed:
        down(make_session(aws_env, proxy.url, max_attempts=2), spec)
    assert "sandbox down stopped at vpc" in str(failed.value)
    assert "run `vpcflow aws sandbox down` again" in str(failed.value)
    left = account_snapshot(aws_env)
    assert left["instances"] == before["instances"] and left["vpcs"] != before["vpcs"]
    proxy.rules.clear()
    second = down(make_session(aws_env, proxy.url), spec)
    assert [d["kind"] for d in second.deleted] == ["vpc", "log-group"]
    assert account_snapshot(aws_env) == before


def test_transient_throttling_and_dropped_connections_are_retried_within_one_down(session, spec, aws_env):
    before = account_snapshot(aws_env)
    up(session, plan_up(session, spec))
    flaky = FaultyProxy(aws_env.endpoint_url, rate=0.3, seed=7)
    try:
        down(make_session(aws_env, flaky.url), spec)
    finally:
        flaky.close()
    assert sum(flaky.faults.values()) > 0
    assert account_snapshot(aws_env) == before

"""`vpcflow aws audit` on a moto account seeded with covered and uncovered VPCs, a failing flow log and a role
trusting vpc-flow-logs.amazonaws.com without conditions: it reports exactly those."""

from __future__ import annotations

import json
import shlex

import pytest

from vpcflow.aws import policies as P
from vpcflow.aws.apply import apply
from vpcflow.aws.audit import audit
from vpcflow.aws.audit_checks import unguarded_flow_log_trust
from vpcflow.aws.plan import plan_apply
from vpcflow.aws.request import make_request
from vpcflow.fields import PRESETS

UNGUARDED_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def _vpc_with_interface(ec2, cidr: str) -> dict:
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    return {"vpc": vpc, "subnet": subnet, "eni": eni}


@pytest.fixture
def seeded(session, aws_env) -> dict:
    ec2, iam = aws_env.client("ec2"), aws_env.client("iam")
    covered = _vpc_with_interface(ec2, "10.1.0.0/24")
    uncovered = _vpc_with_interface(ec2, "10.2.0.0/24")
    failing = _vpc_with_interface(ec2, "10.3.0.0/24")
    apply(
        session, plan_apply(session, make_request([covered["vpc"]], "cloudwatch://covered", interval=60, format="all"))
    )
    iam.create_role(RoleName="legacy-flow-logs", AssumeRolePolicyDocument=json.dumps(UNGUARDED_TRUST))
    # a flow log to a log group that does not exist: moto, like AWS, reports its delivery as FAILED
    [failing_id] = ec2.create_flow_logs(
        ResourceIds=[failing["vpc"]],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="gone",
        DeliverLogsPermissionArn=f"arn:aws:iam::{aws_env.account}:role/{P.role_name('covered')}",
        MaxAggregationInterval=60,
        LogFormat=PRESETS["all"].log_format(),
    )["FlowLogIds"]
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    return {
        "covered": covered,
        "uncovered": uncovered,
        "failing": failing,
        "failing_id": failing_id,
        "default_vpc": default_vpc,
    }


def test_audit_reports_exactly_the_seeded_gaps(session, seeded, aws_env):
    report = audit(session, [aws_env.region])
    assert sorted((f.severity, f.check, f.resource) for f in report.findings) == sorted(
        [
            ("high", "uncovered-vpc", seeded["uncovered"]["vpc"]),
            ("high", "delivery-failed", seeded["failing"]["vpc"]),
            ("high", "role-confused-deputy", "legacy-flow-logs"),
            ("low", "uncovered-empty-vpc", seeded["default_vpc"]),  # moto's default VPC: no interfaces in it
            ("low", "log-group-not-encrypted", "covered"),
        ]
    )
    assert report.has_high


def test_failing_delivery_carries_aws_error_message(session, seeded, aws_env):
    [failed] = [f for f in audit(session, [aws_env.region]).findings if f.check == "delivery-failed"]
    assert seeded["failing_id"] in failed.message and "Access error" in failed.message


def test_coverage_shows_fields_interval_and_destination_down_to_the_interface(session, seeded, aws_env):
    rows = {r["resource"]: r for r in audit(session, [aws_env.region]).coverage}
    eni = rows[seeded["covered"]["eni"]]
    assert (eni["covered"], eni["interval"], eni["destination"], eni["delivery"]) == (
        True,
        60,
        "cloudwatch://covered",
        "SUCCESS",
    )
    assert eni["fields"] == f"v{PRESETS['all'].version} ({len(PRESETS['all'].fields)} fields)"
    assert rows[seeded["uncovered"]["subnet"]]["covered"] is False
    assert rows[seeded["uncovered"]["eni"]]["covered"] is False


def test_role_with_source_conditions_is_not_flagged():
    assert not unguarded_flow_log_trust(P.trust_policy("aws", "us-east-1", "123456789012"))
    assert unguarded_flow_log_trust(UNGUARDED_TRUST)


def test_log_group_without_retention_and_bucket_without_policy_are_flagged(session, aws_env):
    ec2, logs, s3 = aws_env.client("ec2"), aws_env.client("logs"), aws_env.client("s3")
    one, two = _vpc_with_interface(ec2, "10.4.0.0/24"), _vpc_with_interface(ec2, "10.5.0.0/24")
    logs.create_log_group(logGroupName="forever")
    ec2.create_flow_logs(
        ResourceIds=[one["vpc"]],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="forever",
        MaxAggregationInterval=60,
        DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/x",
        LogFormat=PRESETS["all"].log_format(),
    )
    s3.create_bucket(Bucket="flow-bucket")
    ec2.create_flow_logs(
        ResourceIds=[two["vpc"]],
        ResourceType="VPC",
        TrafficType="REJECT",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-bucket",
        MaxAggregationInterval=600,
    )
    found = {(f.check, f.resource): f for f in audit(session, [aws_env.region]).findings}
    assert found[("log-group-no-retention", "forever")].severity == "medium"
    assert "--retention-days 90" in found[("log-group-no-retention", "forever")].fix
    assert found[("bucket-no-delivery-policy", "flow-bucket")].severity == "high"
    assert found[("bucket-public-access-not-blocked", "flow-bucket")].severity == "medium"
    assert {
        ("partial-traffic", two["vpc"]),
        ("coarse-interval", two["vpc"]),
        ("format-lacks-fields", two["vpc"]),
    } <= set(found)


def test_cli_exits_2_on_a_high_gap_and_prints_json(cli, seeded, aws_env):
    result = cli("aws", "audit", "--region", aws_env.region, "--output", "json")
    assert result.code == 2
    body = result.json()
    assert body["high"] == 3 and body["regions"] == [aws_env.region]


def test_cli_exits_0_when_only_low_gaps_remain(cli, aws_env):
    result = cli("aws", "audit", "--region", aws_env.region, "--output", "json")
    assert result.code == 0, result.err
    assert [f["check"] for f in result.json()["findings"]] == ["uncovered-empty-vpc"]


def test_the_printed_fix_closes_the_gap(cli, session, seeded, aws_env):
    [gap] = [f for f in audit(session, [aws_env.region]).findings if f.check == "uncovered-vpc"]
    argv = shlex.split(gap.fix)
    assert argv[:3] == ["vpcflow", "aws", "apply"]
    assert cli(*argv[1:], "--yes").code == 0
    after = audit(session, [aws_env.region]).findings
    assert not [f for f in after if f.resource == seeded["uncovered"]["vpc"]]


def test_a_destination_aws_will_not_show_is_a_finding_and_the_audit_goes_on(session, seeded, aws_env):
    ec2, s3 = aws_env.client("ec2"), aws_env.client("s3")
    elsewhere = _vpc_with_interface(ec2, "10.6.0.0/24")
    s3.create_bucket(Bucket="deleted-since")
    ec2.create_flow_logs(
        ResourceIds=[elsewhere["vpc"]],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::deleted-since",
        MaxAggregationInterval=60,
        LogFormat=PRESETS["all"].log_format(),
    )
    s3.delete_bucket(Bucket="deleted-since")
    found = {(f.check, f.resource): f for f in audit(session, [aws_env.region]).findings}
    unreadable = found[("destination-unreadable", "deleted-since")]
    assert (unreadable.severity, unreadable.message) == (
        "medium", "not found (NoSuchBucket: The specified bucket does not exist)"
    )
    assert unreadable.fix == "check the name, the account and --region"
    assert ("role-confused-deputy", "legacy-flow-logs") in found  # the checks after it still ran

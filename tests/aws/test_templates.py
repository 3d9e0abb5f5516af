"""--terraform and --cloudformation: the same flow logs, role and policies, as configuration (golden files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpcflow.aws.request import make_request
from vpcflow.aws.templates import cloudformation, terraform

from ..support import assert_golden

GOLDEN = Path(__file__).parent / "golden"
REQUESTS = {
    "cloudwatch": make_request(
        ["vpc-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
        "cloudwatch://flows",
        interval=60,
        format="v5",
        tags={"team": "net"},
        traffic_type="REJECT",
    ),
    "s3": make_request(
        ["vpc-0a1b2c3d4e5f60001"], "s3://flow-bucket/team-a", file_format="parquet", hive=True, per_hour=True
    ),
}


@pytest.mark.parametrize("kind", sorted(REQUESTS))
def test_terraform_matches_golden(kind):
    assert_golden(GOLDEN / f"{kind}.tf", terraform(REQUESTS[kind]))


@pytest.mark.parametrize("kind", sorted(REQUESTS))
def test_cloudformation_matches_golden(kind):
    assert_golden(GOLDEN / f"{kind}.cfn.json", cloudformation(REQUESTS[kind]))


def test_cloudformation_flow_logs_carry_every_setting():
    template = json.loads(cloudformation(REQUESTS["s3"]))
    [flow_log] = [r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::FlowLog"]
    props = flow_log["Properties"]
    assert props["DestinationOptions"] == {
        "FileFormat": "parquet",
        "HiveCompatiblePartitions": True,
        "PerHourPartition": True,
    }
    assert props["LogDestination"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::flow-bucket/team-a/"}
    assert (props["TrafficType"], props["MaxAggregationInterval"]) == ("ALL", 600)


def test_cloudformation_role_is_limited_to_the_log_group():
    template = json.loads(cloudformation(REQUESTS["cloudwatch"]))
    policy = template["Resources"]["FlowLogRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    resources = policy["Statement"][0]["Resource"]
    assert resources[0] == {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:flows"}


def test_terraform_escapes_log_format_fields_from_interpolation():
    text = terraform(REQUESTS["cloudwatch"])
    assert '"$${version} $${account-id}' in text and '"${version}' not in text


def test_cloudformation_template_deploys_on_moto_and_makes_the_flow_log(aws_env, vpc):
    request = make_request([vpc["vpc"]], "cloudwatch://flows", interval=60, format="v3")
    cfn = aws_env.client("cloudformation")
    cfn.create_stack(StackName="vpcflow", TemplateBody=cloudformation(request), Capabilities=["CAPABILITY_NAMED_IAM"])
    assert cfn.describe_stacks(StackName="vpcflow")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    [fl] = aws_env.client("ec2").describe_flow_logs()["FlowLogs"]
    assert (fl["ResourceId"], fl["LogGroupName"], fl["MaxAggregationInterval"]) == (vpc["vpc"], "flows", 60)
    assert fl["LogFormat"] == request.format.log_format()

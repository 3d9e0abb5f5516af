"""plan / apply / destroy on moto's server: least-privilege role, idempotent apply, destroy only ours."""

from __future__ import annotations

import json

import pytest

from vpcflow.aws import policies as P
from vpcflow.aws.apply import apply, destroy
from vpcflow.aws.plan import plan_apply, plan_destroy
from vpcflow.aws.request import make_request
from vpcflow.errors import VpcFlowError


def _kinds(plan):
    return sorted((c.action, c.kind) for c in plan.pending)


def test_plan_on_an_empty_account_lists_every_resource_to_create(session, vpc):
    plan = plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows", interval=60))
    assert _kinds(plan) == [
        ("create", "flow-log"),
        ("create", "iam-role"),
        ("create", "iam-role-policy"),
        ("create", "log-group"),
    ]


def test_plan_changes_nothing(session, vpc, aws_env):
    plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows"))
    assert aws_env.client("ec2").describe_flow_logs()["FlowLogs"] == []
    assert aws_env.client("logs").describe_log_groups()["logGroups"] == []


def test_role_trusts_flow_logs_only_from_this_account(session, vpc, aws_env):
    apply(session, plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows")))
    role = aws_env.client("iam").get_role(RoleName=P.role_name("flows"))["Role"]
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": aws_env.account}
    assert statement["Condition"]["ArnLike"] == {
        "aws:SourceArn": f"arn:aws:ec2:{aws_env.region}:{aws_env.account}:vpc-flow-log/*"
    }


def test_role_may_write_only_to_the_named_log_group(session, vpc, aws_env):
    apply(session, plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows")))
    doc = aws_env.client("iam").get_role_policy(RoleName=P.role_name("flows"), PolicyName=P.ROLE_POLICY_NAME)
    resources = [r for s in doc["PolicyDocument"]["Statement"] for r in s["Resource"]]
    group = f"arn:aws:logs:{aws_env.region}:{aws_env.account}:log-group:flows"
    assert resources == [group, f"{group}:*", f"{group}:log-stream:*"]
    assert "*" not in resources


def test_apply_creates_the_flow_log_as_asked(session, vpc, aws_env):
    request = make_request(
        [vpc["subnet"]],
        "cloudwatch://flows",
        traffic_type="REJECT",
        interval=60,
        format="v5",
        tags={"team": "net"},
    )
    result = apply(session, plan_apply(session, request))
    [fl] = aws_env.client("ec2").describe_flow_logs()["FlowLogs"]
    assert result.flow_log_ids == [fl["FlowLogId"]]
    assert (fl["ResourceId"], fl["TrafficType"], fl["MaxAggregationInterval"], fl["LogGroupName"]) == (
        vpc["subnet"],
        "REJECT",
        60,
        "flows",
    )
    assert fl["LogFormat"] == request.format.log_format()
    assert fl["DeliverLogsPermissionArn"].endswith(":role/" + P.role_name("flows"))
    assert {t["Key"]: t["Value"] for t in fl["Tags"]} == {"team": "net", "vpcflow:managed": "true"}


def test_log_group_gets_the_retention(session, vpc, aws_env):
    apply(session, plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows", vended=True)))
    [group] = aws_env.client("logs").describe_log_groups()["logGroups"]
    assert (group["logGroupName"], group["retentionInDays"]) == ("/aws/vendedlogs/flows", 90)


def test_apply_twice_changes_nothing(session, vpc):
    request = make_request([vpc["vpc"], vpc["eni"]], "cloudwatch://flows", interval=60)
    apply(session, plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows", interval=60)))
    apply(session, plan_apply(session, request))
    again = plan_apply(session, request)
    assert again.pending == []
    assert apply(session, again).done == []


def test_changed_format_replaces_vpcflows_flow_log(session, vpc, aws_env):
    apply(session, plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows")))
    plan = plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows", format="all"))
    assert _kinds(plan) == [("replace", "flow-log")]
    apply(session, plan)
    [fl] = aws_env.client("ec2").describe_flow_logs()["FlowLogs"]
    assert "${next-hop-interface-type}" in fl["LogFormat"]


def test_foreign_flow_log_with_other_settings_is_a_conflict_not_replaced(session, vpc, aws_env):
    aws_env.client("logs").create_log_group(logGroupName="flows")
    aws_env.client("ec2").create_flow_logs(
        ResourceIds=[vpc["vpc"]],
        ResourceType="VPC",
        TrafficType="ALL",
        LogGroupName="flows",
        DeliverLogsPermissionArn="arn:aws:iam::1:role/x",
    )
    plan = plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows", interval=60))
    with pytest.raises(VpcFlowError, match="was not created by vpcflow"):
        apply(session, plan)


def test_s3_bucket_policy_lets_log_delivery_write_under_awslogs(session, vpc, aws_env):
    apply(
        session,
        plan_apply(
            session,
            make_request([vpc["vpc"]], "s3://flow-bucket", file_format="parquet", hive=True, per_hour=True),
        ),
    )
    policy = json.loads(aws_env.client("s3").get_bucket_policy(Bucket="flow-bucket")["Policy"])
    write, acl = policy["Statement"]
    assert write["Principal"] == acl["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert write["Resource"] == f"arn:aws:s3:::flow-bucket/AWSLogs/aws-account-id={aws_env.account}/*"
    assert write["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"
    assert acl["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:logs:{aws_env.region}:{aws_env.account}:*"}


def test_bucket_policy_keeps_other_statements(session, vpc, aws_env):
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="shared-bucket")
    theirs = {
        "Sid": "Theirs",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:DeleteBucket",
        "Resource": "arn:aws:s3:::shared-bucket",
    }
    s3.put_bucket_policy(Bucket="shared-bucket", Policy=json.dumps({"Version": "2012-10-17", "Statement": [theirs]}))
    apply(session, plan_apply(session, make_request([vpc["vpc"]], "s3://shared-bucket")))
    destroy(session, plan_destroy(session, [vpc["vpc"]], "s3://shared-bucket"))
    assert json.loads(s3.get_bucket_policy(Bucket="shared-bucket")["Policy"])["Statement"] == [theirs]


def test_s3_apply_twice_changes_nothing_although_moto_drops_destination_options(session, vpc):
    # moto gap: DescribeFlowLogs does not return DestinationOptions; vpcflow's own tag records what was asked
    request = make_request([vpc["vpc"]], "s3://flow-bucket", file_format="parquet", per_hour=True)
    apply(session, plan_apply(session, request))
    assert plan_apply(session, request).pending == []
    changed = make_request([vpc["vpc"]], "s3://flow-bucket", file_format="text", per_hour=True)
    assert [(c.action, c.kind) for c in plan_apply(session, changed).pending] == [("replace", "flow-log")]


def test_s3_prefix_refused_by_moto_is_reported_per_resource(session, vpc):
    # moto gap: moto reads "bucket/prefix/" in LogDestination as a bucket name and answers Unsuccessful
    result = apply(session, plan_apply(session, make_request([vpc["vpc"]], "s3://flow-bucket/team-a")))
    assert [f["resource"] for f in result.failures] == [vpc["vpc"]]
    assert "CreateFlowLogs failed" in result.failure_message() and vpc["vpc"] in result.failure_message()


def test_destroy_removes_vpcflows_flow_logs_and_role_and_keeps_the_data(session, vpc, aws_env):
    apply(session, plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows")))
    plan = plan_destroy(session, [vpc["vpc"]], "cloudwatch://flows")
    assert _kinds(plan) == [("delete", "flow-log"), ("delete", "iam-role"), ("delete", "iam-role-policy")]
    result = destroy(session, plan)
    assert aws_env.client("ec2").describe_flow_logs()["FlowLogs"] == []
    assert aws_env.client("iam").list_roles()["Roles"] == []
    assert [g["logGroupName"] for g in aws_env.client("logs").describe_log_groups()["logGroups"]] == ["flows"]
    assert any("delivered records stay in log group flows" in n for n in result.notes)


def test_destroy_leaves_flow_logs_vpcflow_did_not_create(session, vpc, aws_env):
    aws_env.client("logs").create_log_group(logGroupName="flows")
    aws_env.client("ec2").create_flow_logs(
        ResourceIds=[vpc["subnet"]],
        ResourceType="Subnet",
        TrafficType="ALL",
        LogGroupName="flows",
        DeliverLogsPermissionArn="arn:aws:iam::1:role/x",
    )
    apply(session, plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows")))
    destroy(session, plan_destroy(session, [], "cloudwatch://flows"))
    [left] = aws_env.client("ec2").describe_flow_logs()["FlowLogs"]
    assert left["ResourceId"] == vpc["subnet"]


def test_destroy_twice_finds_nothing(session, vpc):
    apply(session, plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows")))
    destroy(session, plan_destroy(session, [vpc["vpc"]], "cloudwatch://flows"))
    assert plan_destroy(session, [vpc["vpc"]], "cloudwatch://flows").pending == []


def test_unknown_resource_is_named_in_the_error(session, vpc):
    with pytest.raises(VpcFlowError, match="vpc-0000000000000dead"):
        apply(session, plan_apply(session, make_request(["vpc-0000000000000dead"], "cloudwatch://flows")))


def test_firehose_destination_creates_the_flow_log_without_a_role(session, vpc, aws_env):
    arn = aws_env.client("firehose").create_delivery_stream(
        DeliveryStreamName="flows",
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/fh",
            "BucketARN": "arn:aws:s3:::fh-bucket",
        },
    )["DeliveryStreamARN"]
    apply(session, plan_apply(session, make_request([vpc["eni"]], f"firehose://{arn}")))
    [fl] = aws_env.client("ec2").describe_flow_logs()["FlowLogs"]
    assert (fl["LogDestinationType"], fl["LogDestination"], fl.get("DeliverLogsPermissionArn")) == (
        "kinesis-data-firehose",
        arn,
        None,
    )
    assert aws_env.client("iam").list_roles()["Roles"] == []


def test_missing_firehose_stream_is_named(session, vpc):
    arn = "arn:aws:firehose:us-east-1:123456789012:deliverystream/nope"
    with pytest.raises(VpcFlowError, match=f"firehose://{arn}: not found"):
        plan_apply(session, make_request([vpc["vpc"]], f"firehose://{arn}"))

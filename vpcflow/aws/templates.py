"""The same flow logs as Terraform or CloudFormation, for people who deploy with those tools.

Written offline: the account, region and partition are left to the tool (`data.aws_caller_identity`,
`${AWS::AccountId}`), and the documents are the ones `apply` uses (policies.py), so the two cannot drift.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import policies as P
from .request import CLOUDWATCH, S3, FlowLogRequest, resource_type

_TF = {
    "partition": "${data.aws_partition.current.partition}",
    "region": "${data.aws_region.current.name}",
    "account": "${data.aws_caller_identity.current.account_id}",
}
_CFN = {"partition": "${AWS::Partition}", "region": "${AWS::Region}", "account": "${AWS::AccountId}"}
_TF_RESOURCE_ARG = {"VPC": "vpc_id", "Subnet": "subnet_id", "NetworkInterface": "eni_id"}


def _name(resource_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", resource_id)


def _documents(request: FlowLogRequest, ctx: dict[str, str]) -> dict[str, Any]:
    dest = request.destination
    docs: dict[str, Any] = {}
    if dest.kind == CLOUDWATCH:
        docs["trust"] = P.trust_policy(ctx["partition"], ctx["region"], ctx["account"])
        docs["permissions"] = P.role_permissions(ctx["partition"], ctx["region"], ctx["account"], dest.log_group)
    elif dest.kind == S3:
        docs["bucket"] = {
            "Version": "2012-10-17",
            "Statement": P.bucket_statements(
                ctx["partition"], ctx["region"], ctx["account"], dest.bucket, dest.prefix, request.hive
            ),
        }
    return docs


def _tags(request: FlowLogRequest) -> dict[str, str]:
    return {**dict(request.tags), P.MANAGED_TAG: "true"}


def _hcl(value: Any, indent: int = 2) -> str:
    """A value as HCL; strings keep Terraform interpolations, `${field}` of a LogFormat is escaped."""
    pad = " " * indent
    if isinstance(value, dict):
        inner = "\n".join(f"{pad}  {json.dumps(k)} = {_hcl(v, indent + 2)}" for k, v in value.items())
        return "{\n" + inner + f"\n{pad}}}"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v, indent) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


def terraform(request: FlowLogRequest) -> str:
    dest = request.destination
    docs = _documents(request, _TF)
    out = [
        "# Written by vpcflow: the flow logs `vpcflow aws apply` would create, as Terraform.",
        'data "aws_caller_identity" "current" {}',
        'data "aws_region" "current" {}',
        'data "aws_partition" "current" {}',
        "",
    ]
    if dest.kind == CLOUDWATCH:
        role = P.role_name(dest.log_group)
        out += [
            'resource "aws_cloudwatch_log_group" "flow_logs" {',
            f"  name              = {json.dumps(dest.log_group)}",
            f"  retention_in_days = {request.retention_days}",
            f"  tags              = {_hcl({P.MANAGED_TAG: 'true'}, 2)}",
            "}",
            "",
            'resource "aws_iam_role" "flow_logs" {',
            f"  name               = {json.dumps(role)}",
            f"  assume_role_policy = jsonencode({_hcl(docs['trust'], 2)})",
            f"  tags               = {_hcl({P.MANAGED_TAG: 'true'}, 2)}",
            "}",
            "",
            'resource "aws_iam_role_policy" "flow_logs" {',
            f"  name   = {json.dumps(P.ROLE_POLICY_NAME)}",
            "  role   = aws_iam_role.flow_logs.id",
            f"  policy = jsonencode({_hcl(docs['permissions'], 2)})",
            "}",
            "",
        ]
        target = [
            '  log_destination_type = "cloud-watch-logs"',
            "  log_destination      = aws_cloudwatch_log_group.flow_logs.arn",
            "  iam_role_arn         = aws_iam_role.flow_logs.arn",
        ]
    elif dest.kind == S3:
        out += [
            "# aws_s3_bucket_policy replaces the bucket's whole policy: merge these statements into yours if it has one.",
            'resource "aws_s3_bucket_policy" "flow_logs" {',
            f"  bucket = {json.dumps(dest.bucket)}",
            f"  policy = jsonencode({_hcl(docs['bucket'], 2)})",
            "}",
            "",
        ]
        arn = f"arn:{_TF['partition']}:s3:::{dest.bucket}" + (f"/{dest.prefix}/" if dest.prefix else "")
        opts = request.destination_options() or {}
        target = [
            '  log_destination_type = "s3"',
            f"  log_destination      = {json.dumps(arn)}",
            "  destination_options {",
            f"    file_format                = {json.dumps(opts['FileFormat'])}",
            f"    hive_compatible_partitions = {_hcl(opts['HiveCompatiblePartitions'])}",
            f"    per_hour_partition         = {_hcl(opts['PerHourPartition'])}",
            "  }",
        ]
    else:
        target = [
            '  log_destination_type = "kinesis-data-firehose"',
            f"  log_destination      = {json.dumps(dest.stream_arn)}",
        ]
    log_format = request.format.log_format().replace("${", "$${")
    for resource in request.resources:
        out += [
            f'resource "aws_flow_log" "{_name(resource)}" {{',
            f"  {_TF_RESOURCE_ARG[resource_type(resource)]} = {json.dumps(resource)}",
            f"  traffic_type             = {json.dumps(request.traffic_type)}",
            f"  max_aggregation_interval = {request.interval}",
            f"  log_format               = {json.dumps(log_format)}",
            *target,
            f"  tags = {_hcl(_tags(request), 2)}",
            "}",
            "",
        ]
    return "\n".join(out)


def _sub(value: Any) -> Any:
    """Strings that name the account, region or partition become Fn::Sub."""
    if isinstance(value, dict):
        return {k: _sub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_sub(v) for v in value]
    if isinstance(value, str) and "${AWS::" in value:
        return {"Fn::Sub": value}
    return value


def cloudformation(request: FlowLogRequest) -> str:
    dest = request.destination
    docs = _documents(request, _CFN)
    resources: dict[str, Any] = {}
    props: dict[str, Any]
    if dest.kind == CLOUDWATCH:
        managed = [{"Key": P.MANAGED_TAG, "Value": "true"}]
        resources["FlowLogGroup"] = {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": dest.log_group, "RetentionInDays": request.retention_days, "Tags": managed},
        }
        resources["FlowLogRole"] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": P.role_name(dest.log_group),
                "AssumeRolePolicyDocument": _sub(docs["trust"]),
                "Policies": [{"PolicyName": P.ROLE_POLICY_NAME, "PolicyDocument": _sub(docs["permissions"])}],
                "Tags": managed,
            },
        }
        props = {
            "LogDestinationType": "cloud-watch-logs",
            "LogGroupName": {"Ref": "FlowLogGroup"},
            "DeliverLogsPermissionArn": {"Fn::GetAtt": ["FlowLogRole", "Arn"]},
        }
    elif dest.kind == S3:
        resources["FlowLogBucketPolicy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": dest.bucket, "PolicyDocument": _sub(docs["bucket"])},
        }
        arn = f"arn:${{AWS::Partition}}:s3:::{dest.bucket}" + (f"/{dest.prefix}/" if dest.prefix else "")
        props = {
            "LogDestinationType": "s3",
            "LogDestination": {"Fn::Sub": arn},
            "DestinationOptions": request.destination_options(),
        }
    else:
        props = {"LogDestinationType": "kinesis-data-firehose", "LogDestination": dest.stream_arn}
    for resource in request.resources:
        resources["FlowLog" + re.sub(r"[^A-Za-z0-9]", "", resource)] = {
            "Type": "AWS::EC2::FlowLog",
            "Properties": {
                "ResourceId": resource,
                "ResourceType": resource_type(resource),
                "TrafficType": request.traffic_type,
                "MaxAggregationInterval": request.interval,
                "LogFormat": request.format.log_format(),
                **props,
                "Tags": [{"Key": k, "Value": v} for k, v in _tags(request).items()],
            },
        }
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Written by vpcflow: the flow logs `vpcflow aws apply` would create."
        + (" AWS::S3::BucketPolicy replaces the bucket's whole policy." if dest.kind == S3 else ""),
        "Resources": resources,
    }
    return json.dumps(template, indent=2) + "\n"

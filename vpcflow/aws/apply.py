"""Carry out a plan: create, update, replace or delete, in dependency order; say what happened.

Partial failures of CreateFlowLogs (its `Unsuccessful` list) come back as `failures`, naming the resource.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import policies as P
from .errors import AwsError, aws_call
from .plan import CREATE, DELETE, KEEP, REPLACE, Plan, flow_log_tags, require_no_conflicts
from .request import CLOUDWATCH, S3, FlowLogRequest, resource_type
from .session import AwsSession

_ORDER = [
    "iam-role",
    "iam-role-policy",
    "log-group",
    "log-retention",
    "bucket",
    "bucket-policy",
    "flow-log",
    "flow-log-tags",
]


@dataclass
class Result:
    done: list[dict[str, Any]] = field(default_factory=list)
    flow_log_ids: list[str] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def failure_message(self) -> str:
        return "; ".join(f"{f['resource']}: {f['message']}" for f in self.failures)


def apply(session: AwsSession, plan: Plan) -> Result:
    """Make the account match the plan's request. Running it again finds nothing to do."""
    require_no_conflicts(plan)
    request = plan.request
    assert request is not None
    result = Result(notes=list(plan.notes))
    pending = sorted(plan.pending, key=lambda c: _ORDER.index(c.kind))
    for change in pending:
        if change.kind == "flow-log":
            continue
        _apply_one(session, request, change)
        result.done.append(change.as_row())
    replaced = [c for c in pending if c.kind == "flow-log" and c.action == REPLACE]
    if replaced:
        _delete_flow_logs(session, [c.detail["flow_log_id"] for c in replaced])
    to_create = [c.name for c in pending if c.kind == "flow-log" and c.action in (CREATE, REPLACE)]
    by_type: dict[str, list[str]] = {}
    for resource in to_create:
        by_type.setdefault(resource_type(resource), []).append(resource)
    for kind, resources in by_type.items():
        _create_flow_logs(session, request, kind, resources, result)
    return result


def _apply_one(session: AwsSession, request: FlowLogRequest, change: Any) -> None:
    iam = session.client("iam")
    dest = request.destination
    managed = [{"Key": P.MANAGED_TAG, "Value": "true"}]
    action = {
        "iam-role": "iam:CreateRole" if change.action == CREATE else "iam:UpdateAssumeRolePolicy",
        "iam-role-policy": "iam:PutRolePolicy",
        "log-group": "logs:CreateLogGroup",
        "log-retention": "logs:PutRetentionPolicy",
        "bucket": "s3:CreateBucket",
        "bucket-policy": "s3:PutBucketPolicy",
        "flow-log-tags": "ec2:CreateTags",
    }[change.kind]
    with aws_call(action, f"{change.kind} {change.name}"):
        if change.kind == "iam-role":
            trust = json.dumps(change.detail["trust"])
            if change.action == CREATE:
                iam.create_role(
                    RoleName=change.name,
                    AssumeRolePolicyDocument=trust,
                    Tags=managed,
                    Description=f"vpcflow: VPC Flow Logs delivery to log group {dest.log_group}",
                )
            else:
                iam.update_assume_role_policy(RoleName=change.name, PolicyDocument=trust)
        elif change.kind == "iam-role-policy":
            iam.put_role_policy(
                RoleName=P.role_name(dest.log_group),
                PolicyName=P.ROLE_POLICY_NAME,
                PolicyDocument=json.dumps(change.detail["policy"]),
            )
        elif change.kind == "log-group":
            logs = session.client("logs")
            logs.create_log_group(logGroupName=dest.log_group, tags={P.MANAGED_TAG: "true"})
            logs.put_retention_policy(logGroupName=dest.log_group, retentionInDays=request.retention_days)
        elif change.kind == "log-retention":
            session.client("logs").put_retention_policy(
                logGroupName=dest.log_group, retentionInDays=request.retention_days
            )
        elif change.kind == "bucket":
            s3 = session.client("s3")
            kwargs: dict[str, Any] = {"Bucket": dest.bucket}
            if session.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": session.region}
            s3.create_bucket(**kwargs)
            s3.put_bucket_tagging(Bucket=dest.bucket, Tagging={"TagSet": managed})
        elif change.kind == "bucket-policy":
            from .plan import current_bucket_policy

            merged = P.merge_bucket_policy(current_bucket_policy(session, dest.bucket), change.detail["statements"])
            session.client("s3").put_bucket_policy(Bucket=dest.bucket, Policy=json.dumps(merged))
        elif change.kind == "flow-log-tags":
            _retag(session, change.detail["flow_log_id"], *change.detail["tags"])


def _retag(session: AwsSession, flow_log_id: str, current: dict, wanted: dict) -> None:
    ec2 = session.client("ec2")
    stale = [{"Key": k} for k in current if k not in wanted]
    if stale:
        ec2.delete_tags(Resources=[flow_log_id], Tags=stale)
    ec2.create_tags(Resources=[flow_log_id], Tags=[{"Key": k, "Value": v} for k, v in wanted.items()])


def _create_flow_logs(
    session: AwsSession, request: FlowLogRequest, kind: str, resources: list[str], result: Result
) -> None:
    dest = request.destination
    kwargs: dict[str, Any] = {
        "ResourceIds": resources,
        "ResourceType": kind,
        "TrafficType": request.traffic_type,
        "MaxAggregationInterval": request.interval,
        # one token per call: botocore's retries of a call whose answer was lost create nothing twice
        "ClientToken": str(uuid.uuid4()),
        "LogFormat": request.format.log_format(),
        "TagSpecifications": [
            {
                "ResourceType": "vpc-flow-log",
                "Tags": [{"Key": k, "Value": v} for k, v in flow_log_tags(request).items()],
            }
        ],
    }
    if dest.kind == CLOUDWATCH:
        kwargs.update(
            LogDestinationType="cloud-watch-logs",
            LogGroupName=dest.log_group,
            DeliverLogsPermissionArn=f"arn:{session.partition}:iam::{session.account_id()}:role/"
            f"{P.role_name(dest.log_group)}",
        )
    elif dest.kind == S3:
        kwargs.update(
            LogDestinationType="s3",
            DestinationOptions=request.destination_options(),
            LogDestination=dest.log_destination(session.partition, session.region, session.account_id()),
        )
    else:
        kwargs.update(LogDestinationType="kinesis-data-firehose", LogDestination=dest.stream_arn)
    with aws_call("ec2:CreateFlowLogs", f"flow logs on {', '.join(resources)}"):
        response = session.client("ec2").create_flow_logs(**kwargs)
    result.flow_log_ids += response.get("FlowLogIds", [])
    for ok in response.get("FlowLogIds", []):
        result.done.append({"action": CREATE, "kind": "flow-log", "name": ok, "detail": dest.uri})
    for miss in response.get("Unsuccessful", []):
        err = miss.get("Error", {})
        result.failures.append(
            {
                "resource": miss.get("ResourceId", "?"),
                "message": f"CreateFlowLogs failed: {err.get('Code', '?')}: {err.get('Message', '')}",
            }
        )


def _delete_flow_logs(session: AwsSession, ids: list[str]) -> list[dict[str, str]]:
    with aws_call("ec2:DeleteFlowLogs", f"flow logs {', '.join(ids)}"):
        response = session.client("ec2").delete_flow_logs(FlowLogIds=ids)
    failed = response.get("Unsuccessful", [])
    if failed:
        raise AwsError(
            "; ".join(f"{f.get('ResourceId')}: {f.get('Error', {}).get('Message', '')}" for f in failed),
            location="DeleteFlowLogs",
        )
    return failed


def destroy(session: AwsSession, plan: Plan) -> Result:
    """Delete what vpcflow created for a destination; delivered data stays where it is."""
    result = Result(notes=list(plan.notes))
    pending = plan.pending
    flow_logs = [c.detail["flow_log_id"] for c in pending if c.kind == "flow-log" and c.action == DELETE]
    if flow_logs:
        _delete_flow_logs(session, flow_logs)
        result.done += [c.as_row() for c in pending if c.kind == "flow-log"]
    iam = session.client("iam")
    for change in pending:
        if change.kind == "flow-log" or change.action == KEEP:
            continue
        # a role or policy already gone is what destroy wants
        with aws_call(_DESTROY_ACTIONS[change.kind], f"{change.kind} {change.name}", tolerate={"NoSuchEntity"}):
            if change.kind == "iam-role-policy":
                role, name = change.name.split("/", 1)
                iam.delete_role_policy(RoleName=role, PolicyName=name)
            elif change.kind == "iam-role":
                iam.delete_role(RoleName=change.name)
            elif change.kind == "bucket-policy":
                _strip_policy(session, change.name)
        result.done.append(change.as_row())
    return result


_DESTROY_ACTIONS = {
    "iam-role-policy": "iam:DeleteRolePolicy",
    "iam-role": "iam:DeleteRole",
    "bucket-policy": "s3:PutBucketPolicy",
}


def _strip_policy(session: AwsSession, bucket: str) -> None:
    from .plan import current_bucket_policy

    s3 = session.client("s3")
    rest = P.strip_bucket_policy(current_bucket_policy(session, bucket))
    if rest:
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(rest))
    else:
        s3.delete_bucket_policy(Bucket=bucket)


__all__ = ["Result", "apply", "destroy"]

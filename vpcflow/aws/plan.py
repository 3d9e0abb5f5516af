"""Compare what the user asked for with what the account holds, and list the changes: nothing is changed here.

`plan_apply` reads the role, its policy, the log group or bucket policy, and the flow logs on each resource;
`plan_destroy` finds what vpcflow created (tagged `vpcflow:managed`) and what still depends on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..errors import VpcFlowError
from ..fields import DEFAULT, LogFormat
from . import policies as P
from .errors import aws_call
from .request import CLOUDWATCH, S3, Destination, FlowLogRequest
from .session import AwsSession

KEEP, CREATE, UPDATE, REPLACE, DELETE, CONFLICT = "keep", "create", "update", "replace", "delete", "conflict"


@dataclass
class Change:
    action: str
    kind: str  # iam-role, iam-role-policy, log-group, log-retention, bucket, bucket-policy, flow-log[-tags]
    name: str
    detail: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "kind": self.kind,
            "name": self.name,
            "detail": json.dumps(self.detail, sort_keys=True) if self.detail else "",
        }


@dataclass
class Plan:
    changes: list[Change]
    notes: list[str] = field(default_factory=list)
    request: FlowLogRequest | None = None

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action != KEEP]

    @property
    def conflicts(self) -> list[Change]:
        return [c for c in self.changes if c.action == CONFLICT]

    def as_rows(self) -> list[dict[str, Any]]:
        return [c.as_row() for c in self.changes]


def options_tag(options: dict | None) -> str:
    o = options or {}
    return (
        f"{o.get('FileFormat', 'plain-text')};hive={str(bool(o.get('HiveCompatiblePartitions'))).lower()};"
        f"per-hour={str(bool(o.get('PerHourPartition'))).lower()}"
    )


def flow_log_tags(request: FlowLogRequest) -> dict[str, str]:
    tags = dict(request.tags)
    tags[P.MANAGED_TAG] = "true"
    if request.destination.kind == S3:
        tags[P.OPTIONS_TAG] = options_tag(request.destination_options())
    return tags


def describe_flow_logs(session: AwsSession, filters: list[dict] | None = None) -> list[dict]:
    ec2 = session.client("ec2")
    with aws_call("ec2:DescribeFlowLogs", "flow logs"):
        pages = ec2.get_paginator("describe_flow_logs").paginate(Filters=filters or [])
        return [fl for page in pages for fl in page.get("FlowLogs", [])]


def tags_of(obj: dict) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in obj.get("Tags", []) or []}


def same_destination(fl: dict, dest: Destination, dest_arn: str) -> bool:
    if dest.kind == CLOUDWATCH:
        return (
            fl.get("LogGroupName") == dest.log_group or (fl.get("LogDestination") or "").removesuffix(":*") == dest_arn
        )
    return (fl.get("LogDestination") or "").rstrip("/") == dest_arn.rstrip("/")


def differences(fl: dict, request: FlowLogRequest) -> dict[str, Any]:
    """What differs between an existing flow log and the request, among the settings AWS cannot change."""
    diffs: dict[str, Any] = {}
    current_format = LogFormat.parse(fl["LogFormat"], unknown="keep") if fl.get("LogFormat") else DEFAULT
    if current_format.log_format() != request.format.log_format():
        diffs["format"] = [current_format.log_format(), request.format.log_format()]
    interval = int(fl.get("MaxAggregationInterval") or 600)
    if interval != request.interval:
        diffs["interval"] = [interval, request.interval]
    if request.destination.kind == S3:
        # moto drops DestinationOptions; then vpcflow's own tag tells what was asked
        shown = fl.get("DestinationOptions")
        current = options_tag(shown) if shown else tags_of(fl).get(P.OPTIONS_TAG, options_tag(None))
        wanted = options_tag(request.destination_options())
        if current != wanted:
            diffs["destination-options"] = [current, wanted]
    return diffs


def _role_changes(session: AwsSession, group: str) -> list[Change]:
    iam = session.client("iam")
    acct, region, part = session.account_id(), session.region, session.partition
    name = P.role_name(group)
    trust = P.trust_policy(part, region, acct)
    perms = P.role_permissions(part, region, acct, group)
    with aws_call("iam:GetRole", f"IAM role {name}", tolerate={"NoSuchEntity"}) as missing:
        role = iam.get_role(RoleName=name)["Role"]
    if missing.tolerated:
        return [
            Change(CREATE, "iam-role", name, {"trust": trust}),
            Change(CREATE, "iam-role-policy", f"{name}/{P.ROLE_POLICY_NAME}", {"policy": perms}),
        ]
    out = [
        Change(
            KEEP if P.canonical(role["AssumeRolePolicyDocument"]) == P.canonical(trust) else UPDATE,
            "iam-role",
            name,
            {"trust": trust},
        )
    ]
    same = False
    with aws_call("iam:GetRolePolicy", f"IAM role {name}", tolerate={"NoSuchEntity"}):
        doc = iam.get_role_policy(RoleName=name, PolicyName=P.ROLE_POLICY_NAME)["PolicyDocument"]
        same = P.canonical(doc) == P.canonical(perms)
    out.append(Change(KEEP if same else UPDATE, "iam-role-policy", f"{name}/{P.ROLE_POLICY_NAME}", {"policy": perms}))
    return out


def _log_group_changes(session: AwsSession, group: str, retention: int) -> list[Change]:
    logs = session.client("logs")
    with aws_call("logs:DescribeLogGroups", f"log group {group}"):
        found = [
            g
            for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=group)
            for g in page["logGroups"]
            if g["logGroupName"] == group
        ]
    if not found:
        return [Change(CREATE, "log-group", group, {"retention_days": retention})]
    current = found[0].get("retentionInDays")
    return [
        Change(KEEP, "log-group", group),
        Change(
            KEEP if current == retention else UPDATE,
            "log-retention",
            group,
            {"retention_days": [current, retention]} if current != retention else {},
        ),
    ]


def current_bucket_policy(session: AwsSession, bucket: str) -> dict | None:
    with aws_call("s3:GetBucketPolicy", f"s3://{bucket}", tolerate={"NoSuchBucketPolicy"}):
        return json.loads(session.client("s3").get_bucket_policy(Bucket=bucket)["Policy"])
    return None


def _bucket_changes(session: AwsSession, request: FlowLogRequest) -> list[Change]:
    dest = request.destination
    s3 = session.client("s3")
    with aws_call("s3:ListBucket", f"s3://{dest.bucket}", tolerate={"404", "NoSuchBucket", "NotFound"}) as missing:
        s3.head_bucket(Bucket=dest.bucket)
    exists = not missing.tolerated
    ours = P.bucket_statements(
        session.partition, session.region, session.account_id(), dest.bucket, dest.prefix, request.hive
    )
    current = current_bucket_policy(session, dest.bucket) if exists else None
    merged = P.merge_bucket_policy(current, ours)
    same = current is not None and P.canonical(merged) == P.canonical(current)
    return [
        Change(KEEP if exists else CREATE, "bucket", dest.bucket),
        Change(
            KEEP if same else (UPDATE if current else CREATE),
            "bucket-policy",
            dest.bucket,
            {"statements": ours},
        ),
    ]


def _firehose_check(session: AwsSession, dest: Destination) -> list[Change]:
    name = dest.stream_arn.rsplit("/", 1)[-1]
    with aws_call("firehose:DescribeDeliveryStream", dest.uri):
        session.client("firehose").describe_delivery_stream(DeliveryStreamName=name)
    return [Change(KEEP, "firehose-stream", dest.stream_arn)]


def plan_apply(session: AwsSession, request: FlowLogRequest) -> Plan:
    dest = request.destination
    if dest.kind == CLOUDWATCH:
        changes = _role_changes(session, dest.log_group) + _log_group_changes(
            session, dest.log_group, request.retention_days
        )
    elif dest.kind == S3:
        changes = _bucket_changes(session, request)
    else:
        changes = _firehose_check(session, dest)
    dest_arn = dest.log_destination(session.partition, session.region, session.account_id())
    existing = describe_flow_logs(session, [{"Name": "resource-id", "Values": list(request.resources)}])
    wanted_tags = flow_log_tags(request)
    for resource in request.resources:
        slot = [
            fl
            for fl in existing
            if fl.get("ResourceId") == resource
            and same_destination(fl, dest, dest_arn)
            and fl.get("TrafficType") == request.traffic_type
        ]
        if not slot:
            changes.append(
                Change(
                    CREATE,
                    "flow-log",
                    resource,
                    {
                        "destination": dest.uri,
                        "traffic_type": request.traffic_type,
                        "interval": request.interval,
                        "format": request.format.log_format(),
                        **({"options": request.destination_options()} if dest.kind == S3 else {}),
                    },
                )
            )
            continue
        fl = slot[0]
        managed = tags_of(fl).get(P.MANAGED_TAG) == "true"
        diffs = differences(fl, request)
        if diffs:
            changes.append(
                Change(
                    REPLACE if managed else CONFLICT,
                    "flow-log",
                    resource,
                    {"flow_log_id": fl["FlowLogId"], **diffs},
                )
            )
        elif managed and tags_of(fl) != wanted_tags:
            changes.append(
                Change(
                    UPDATE,
                    "flow-log-tags",
                    resource,
                    {"flow_log_id": fl["FlowLogId"], "tags": [tags_of(fl), wanted_tags]},
                )
            )
        else:
            changes.append(Change(KEEP, "flow-log", resource, {"flow_log_id": fl["FlowLogId"]}))
    notes = []
    if any(c.action == CONFLICT for c in changes):
        notes.append(
            "a flow log not created by vpcflow already sends this resource's traffic to this destination "
            "with other settings; vpcflow leaves it alone: delete it yourself or choose another destination"
        )
    return Plan(changes, notes, request)


def plan_destroy(session: AwsSession, resources: list[str], destination: str) -> Plan:
    dest = Destination.parse(destination)
    dest_arn = dest.log_destination(session.partition, session.region, session.account_id())
    everything = describe_flow_logs(session)
    targets = [
        fl
        for fl in everything
        if same_destination(fl, dest, dest_arn) and (not resources or fl.get("ResourceId") in resources)
    ]
    ours = [fl for fl in targets if tags_of(fl).get(P.MANAGED_TAG) == "true"]
    changes = [Change(DELETE, "flow-log", fl["ResourceId"], {"flow_log_id": fl["FlowLogId"]}) for fl in ours]
    notes = [
        f"{fl['FlowLogId']} on {fl['ResourceId']} was not created by vpcflow: left alone"
        for fl in targets
        if fl not in ours
    ]
    gone = {fl["FlowLogId"] for fl in ours}
    remaining = [fl for fl in everything if fl["FlowLogId"] not in gone]
    if dest.kind == CLOUDWATCH:
        changes += _role_teardown(session, dest.log_group, remaining)
        notes.append(
            f"delivered records stay in log group {dest.log_group} (DeleteFlowLogs only stops new "
            "ones); delete the group yourself when you no longer need them"
        )
    elif dest.kind == S3:
        still = [fl for fl in remaining if (fl.get("LogDestination") or "").split("/")[0] == dest_arn.split("/")[0]]
        policy = current_bucket_policy(session, dest.bucket)
        if not still and P.owned_statements(policy):
            changes.append(
                Change(
                    UPDATE if P.strip_bucket_policy(policy) else DELETE,
                    "bucket-policy",
                    dest.bucket,
                    {"remove_sids": [P.WRITE_SID, P.ACL_SID]},
                )
            )
        notes.append(f"delivered objects stay in s3://{dest.bucket}/ (DeleteFlowLogs only stops new ones)")
    if not ours and not any(c.kind != "flow-log" for c in changes):
        notes.insert(0, "nothing that vpcflow created was found for this destination")
    return Plan(changes, notes)


def _role_teardown(session: AwsSession, group: str, remaining: list[dict]) -> list[Change]:
    name = P.role_name(group)
    with aws_call("iam:GetRole", f"IAM role {name}", tolerate={"NoSuchEntity"}) as missing:
        role = session.client("iam").get_role(RoleName=name)["Role"]
    if missing.tolerated:
        return []
    if tags_of(role).get(P.MANAGED_TAG) != "true":
        return []
    if any(fl.get("DeliverLogsPermissionArn") == role["Arn"] for fl in remaining):
        return [Change(KEEP, "iam-role", name, {"reason": "other flow logs still deliver with it"})]
    return [
        Change(DELETE, "iam-role-policy", f"{name}/{P.ROLE_POLICY_NAME}"),
        Change(DELETE, "iam-role", name),
    ]


def require_no_conflicts(plan: Plan) -> None:
    if plan.conflicts:
        c = plan.conflicts[0]
        raise VpcFlowError(
            f"flow log {c.detail.get('flow_log_id')} on {c.name} differs from the request and "
            "was not created by vpcflow",
            location=c.name,
            hint=plan.notes[0] if plan.notes else None,
        )

"""The audit's checks as data (id, severity, what it means, the command that fixes it), and the checks of
flow-log destinations and delivery roles. `audit.py` runs them over an account's regions."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

from . import policies as P
from .errors import AwsError, aws_call
from .session import AwsSession

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITY_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    title: str
    fix: str  # a command template; {fields} come from the finding


CHECKS = {
    c.id: c
    for c in (
        Check(
            "uncovered-vpc",
            HIGH,
            "VPC with network interfaces and no flow log",
            "vpcflow aws apply --region {region} --resource {resource} "
            "--destination cloudwatch:///vpcflow/flow-logs/{resource} --interval 60 --format detections",
        ),
        Check(
            "uncovered-empty-vpc",
            LOW,
            "VPC with no flow log (and no network interface yet)",
            "vpcflow aws apply --region {region} --resource {resource} "
            "--destination cloudwatch:///vpcflow/flow-logs/{resource} --interval 60 --format detections",
        ),
        Check(
            "uncovered-subnet",
            MEDIUM,
            "subnet no flow log covers, in a VPC whose other subnets are logged",
            "vpcflow aws apply --region {region} --resource {resource} --destination {destination} "
            "--interval 60 --format detections",
        ),
        Check(
            "delivery-failed",
            HIGH,
            "flow log whose delivery fails (DeliverLogsStatus FAILED)",
            "vpcflow aws apply --region {region} --resource {resource} --destination {destination}",
        ),
        Check(
            "partial-traffic",
            LOW,
            "flow log records only ACCEPT or only REJECT traffic",
            "vpcflow aws apply --region {region} --resource {resource} --destination {destination} --traffic-type ALL",
        ),
        Check(
            "coarse-interval",
            LOW,
            "600 s aggregation: scans, brute force and beacons blur",
            "vpcflow aws apply --region {region} --resource {resource} --destination {destination} --interval 60",
        ),
        Check(
            "format-lacks-fields",
            LOW,
            "log format lacks fields vpcflow's analyses need",
            "vpcflow aws apply --region {region} --resource {resource} --destination {destination} --format detections",
        ),
        Check(
            "log-group-no-retention",
            MEDIUM,
            "flow-log log group keeps records forever (no retention)",
            "vpcflow aws apply --region {region} --resource {target} --destination {destination} --retention-days 90",
        ),
        Check(
            "log-group-not-encrypted",
            LOW,
            "flow-log log group without a KMS key (service-owned encryption only)",
            "aws logs associate-kms-key --region {region} --log-group-name {log_group} --kms-key-id KEY_ARN",
        ),
        Check(
            "bucket-no-delivery-policy",
            HIGH,
            "flow-log bucket whose policy does not let delivery.logs.amazonaws.com write",
            "vpcflow aws apply --region {region} --resource {target} --destination {destination}",
        ),
        Check(
            "bucket-public",
            HIGH,
            "flow-log bucket whose policy makes it public",
            "aws s3api put-public-access-block --bucket {bucket} --public-access-block-configuration "
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        ),
        Check(
            "bucket-public-access-not-blocked",
            MEDIUM,
            "flow-log bucket without a full public access block",
            "aws s3api put-public-access-block --bucket {bucket} --public-access-block-configuration "
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        ),
        Check(
            "destination-unreadable",
            MEDIUM,
            "flow-log destination the audit could not read (another account's bucket, or a missing permission)",
            "{next_step}",
        ),
        Check(
            "role-confused-deputy",
            HIGH,
            "role trusting vpc-flow-logs.amazonaws.com without aws:SourceAccount / aws:SourceArn conditions",
            "{fix_command}",
        ),
    )
}


@dataclass(frozen=True)
class Finding:
    check: str
    severity: str
    region: str
    resource: str
    message: str
    fix: str

    def as_row(self) -> dict[str, str]:
        return dict(vars(self))


def finding(check_id: str, region: str, resource: str, message: str, **fields: str) -> Finding:
    check = CHECKS[check_id]
    fix = check.fix.format(region=region, resource=resource, **fields)
    return Finding(check.id, check.severity, region, resource, message, fix)


def unreadable(region: str, resource: str, err: AwsError) -> Finding:
    """A destination whose checks AWS refused: recorded, and the audit goes on with the others."""
    return finding("destination-unreadable", region, resource, err.message,
                   next_step=err.hint or "audit from the account that owns it")


_CONFUSED_DEPUTY_KEYS = {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"}


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value] if value is not None else []


def unguarded_flow_log_trust(document: Any) -> bool:
    """True when some Allow statement lets vpc-flow-logs.amazonaws.com assume the role with no source condition."""
    doc = json.loads(P.canonical(document))
    for st in _as_list(doc.get("Statement")):
        if st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal") or {}
        services = _as_list(principal.get("Service")) if isinstance(principal, dict) else []
        if P.FLOW_LOGS_PRINCIPAL not in services:
            continue
        keys = {k.lower() for cond in (st.get("Condition") or {}).values() for k in cond}
        if not keys & _CONFUSED_DEPUTY_KEYS:
            return True
    return False


def check_roles(session: AwsSession) -> list[Finding]:
    """IAM is global: every role of the account, once."""
    iam = session.client("iam")
    with aws_call("iam:ListRoles", "IAM roles"):
        roles = [r for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]]
    out = []
    acct = session.account_id()
    for role in roles:
        if not unguarded_flow_log_trust(role.get("AssumeRolePolicyDocument") or {}):
            continue
        trust = json.dumps(P.trust_policy(session.partition, "*", acct), separators=(",", ":"))
        fix = f"aws iam update-assume-role-policy --role-name {role['RoleName']} --policy-document {shlex.quote(trust)}"
        out.append(
            finding(
                "role-confused-deputy",
                "global",
                role["RoleName"],
                "any account's flow logs could make vpc-flow-logs.amazonaws.com act with this role",
                fix_command=fix,
            )
        )
    return out


def check_log_group(session: AwsSession, group: str, resource: str, destination: str) -> list[Finding]:
    logs = session.client("logs")
    with aws_call("logs:DescribeLogGroups", group):
        found = [
            g for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] if g["logGroupName"] == group
        ]
    if not found:
        return []  # delivery then fails, which the flow log's own status reports
    out = []
    region = session.region
    if not found[0].get("retentionInDays"):
        out.append(
            finding(
                "log-group-no-retention",
                region,
                group,
                "records are kept forever and billed monthly",
                destination=destination,
                target=resource,
            )
        )
    if not found[0].get("kmsKeyId"):
        out.append(finding("log-group-not-encrypted", region, group, "no customer-managed KMS key", log_group=group))
    return out


def check_bucket(session: AwsSession, bucket: str, resource: str, destination: str) -> list[Finding]:
    s3, region = session.client("s3"), session.region
    out: list[Finding] = []
    policy = None
    with aws_call("s3:GetBucketPolicy", f"s3://{bucket}", tolerate={"NoSuchBucketPolicy"}):
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    if not _allows_delivery(policy):
        out.append(
            finding(
                "bucket-no-delivery-policy",
                region,
                bucket,
                "no statement lets delivery.logs.amazonaws.com put objects",
                destination=destination,
                target=resource,
            )
        )
    if policy is not None:
        with aws_call("s3:GetBucketPolicyStatus", f"s3://{bucket}"):
            public = s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"].get("IsPublic")
        if public:
            out.append(
                finding("bucket-public", region, bucket, "the bucket policy grants public access", bucket=bucket)
            )
    blocked = False
    with aws_call("s3:GetBucketPublicAccessBlock", f"s3://{bucket}", tolerate={"NoSuchPublicAccessBlockConfiguration"}):
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        blocked = all(
            block.get(k) for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        )
    if not blocked:
        out.append(
            finding(
                "bucket-public-access-not-blocked",
                region,
                bucket,
                "public access is not blocked on the bucket",
                bucket=bucket,
            )
        )
    return out


def _allows_delivery(policy: dict | None) -> bool:
    for st in _as_list((policy or {}).get("Statement")):
        principal = st.get("Principal") or {}
        services = _as_list(principal.get("Service")) if isinstance(principal, dict) else []
        actions = _as_list(st.get("Action"))
        if (
            st.get("Effect") == "Allow"
            and P.DELIVERY_PRINCIPAL in services
            and any(a in ("s3:PutObject", "s3:*", "*") for a in actions)
        ):
            return True
    return False


__all__ = [
    "CHECKS",
    "HIGH",
    "LOW",
    "MEDIUM",
    "Check",
    "Finding",
    "check_bucket",
    "check_log_group",
    "check_roles",
    "finding",
    "unguarded_flow_log_trust",
]

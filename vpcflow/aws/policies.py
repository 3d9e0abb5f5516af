"""The IAM and bucket policy documents flow-log delivery needs: least privilege, confused-deputy conditions.

Two different source ARNs (spec 2.4, 2.5): the CloudWatch Logs role is assumed by
`vpc-flow-logs.amazonaws.com` for an `arn:aws:ec2:...:vpc-flow-log/...`; S3 delivery is done by
`delivery.logs.amazonaws.com` for an `arn:aws:logs:...` source.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

FLOW_LOGS_PRINCIPAL = "vpc-flow-logs.amazonaws.com"
DELIVERY_PRINCIPAL = "delivery.logs.amazonaws.com"
ROLE_POLICY_NAME = "vpcflow-deliver-to-log-group"
# Sids vpcflow owns inside a bucket policy it shares with others; destroy removes exactly these.
WRITE_SID = "VpcflowAWSLogDeliveryWrite"
ACL_SID = "VpcflowAWSLogDeliveryAclCheck"
# Tags that record what vpcflow created, so destroy removes that and nothing else.
MANAGED_TAG = "vpcflow:managed"
OPTIONS_TAG = "vpcflow:destination-options"  # what was asked, for services that do not echo DestinationOptions


def role_name(log_group: str) -> str:
    """One role per log group, named so apply finds it again (IAM role names are at most 64 characters)."""
    return "vpcflow-flow-logs-" + hashlib.sha256(log_group.encode()).hexdigest()[:12]


def trust_policy(partition: str, region: str, account: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": FLOW_LOGS_PRINCIPAL},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    # flow-log IDs do not exist before the role: the account's flow logs are the narrowest
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:ec2:{region}:{account}:vpc-flow-log/*"},
                },
            }
        ],
    }


def log_group_arn(partition: str, region: str, account: str, log_group: str) -> str:
    return f"arn:{partition}:logs:{region}:{account}:log-group:{log_group}"


def role_permissions(partition: str, region: str, account: str, log_group: str) -> dict[str, Any]:
    """The delivery permissions, on the named log group and its streams only, never `*`."""
    group = log_group_arn(partition, region, account, log_group)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DeliverFlowLogs",
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogGroups",
                    "logs:DescribeLogStreams",
                ],
                "Resource": [group, f"{group}:*", f"{group}:log-stream:*"],
            },
        ],
    }


def bucket_statements(
    partition: str, region: str, account: str, bucket: str, prefix: str, hive: bool
) -> list[dict[str, Any]]:
    """The two statements `delivery.logs.amazonaws.com` needs to write flow logs under the prefix."""
    base = f"{prefix.strip('/')}/AWSLogs" if prefix.strip("/") else "AWSLogs"
    owner = f"aws-account-id={account}" if hive else account
    conditions = {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:{partition}:logs:{region}:{account}:*"},
    }
    return [
        {
            "Sid": WRITE_SID,
            "Effect": "Allow",
            "Principal": {"Service": DELIVERY_PRINCIPAL},
            "Action": "s3:PutObject",
            "Resource": f"arn:{partition}:s3:::{bucket}/{base}/{owner}/*",
            "Condition": {
                "StringEquals": {**conditions["StringEquals"], "s3:x-amz-acl": "bucket-owner-full-control"},
                "ArnLike": conditions["ArnLike"],
            },
        },
        {
            "Sid": ACL_SID,
            "Effect": "Allow",
            "Principal": {"Service": DELIVERY_PRINCIPAL},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": f"arn:{partition}:s3:::{bucket}",
            "Condition": conditions,
        },
    ]


def merge_bucket_policy(current: dict[str, Any] | None, ours: list[dict[str, Any]]) -> dict[str, Any]:
    """The bucket's policy with vpcflow's statements added or replaced; statements of others are kept."""
    policy = dict(current or {"Version": "2012-10-17", "Statement": []})
    sids = {s["Sid"] for s in ours}
    kept = [s for s in _statements(policy) if s.get("Sid") not in sids]
    policy["Statement"] = kept + ours
    return policy


def strip_bucket_policy(current: dict[str, Any] | None) -> dict[str, Any] | None:
    """The bucket's policy without vpcflow's statements; None when nothing else is left."""
    if not current:
        return None
    kept = [s for s in _statements(current) if s.get("Sid") not in (WRITE_SID, ACL_SID)]
    return {**current, "Statement": kept} if kept else None


def owned_statements(current: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [s for s in _statements(current or {}) if s.get("Sid") in (WRITE_SID, ACL_SID)]


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    st = policy.get("Statement", [])
    return [st] if isinstance(st, dict) else list(st)


def canonical(doc: Any) -> str:
    """A policy as comparable text (IAM returns documents URL-encoded or parsed, keys in any order)."""
    if isinstance(doc, str):
        from urllib.parse import unquote

        doc = json.loads(unquote(doc) if doc.lstrip().startswith("%") else doc)
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))

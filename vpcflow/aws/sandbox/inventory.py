"""Find what a sandbox consists of, by its tag only: what `down` deletes and `status` shows.

A resource without the `vpcflow:sandbox=NAME` tag is never listed, so it is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import policies as P
from ..errors import aws_call
from ..plan import describe_flow_logs, tags_of
from ..session import AwsSession
from .spec import SANDBOX_TAG, SandboxSpec

LIVE_INSTANCE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"]


@dataclass
class Item:
    kind: str  # vpc, subnet, internet-gateway, route-table, network-acl, security-group, instance, flow-log, ...
    id: str
    state: str = "present"
    detail: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "state": self.state, **self.detail}


@dataclass
class Inventory:
    name: str
    items: list[Item] = field(default_factory=list)

    def of(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.kind == kind]

    def ids(self, kind: str) -> list[str]:
        return [i.id for i in self.of(kind)]

    @property
    def empty(self) -> bool:
        return not self.items

    def as_rows(self) -> list[dict[str, Any]]:
        return [i.as_row() for i in self.items]


def _tag_filter(name: str) -> list[dict]:
    return [{"Name": f"tag:{SANDBOX_TAG}", "Values": [name]}]


def _call(action: str, resource: str, fn, *args, **kwargs):
    with aws_call(action, resource):
        return fn(*args, **kwargs)


def _ec2_items(session: AwsSession, name: str) -> list[Item]:
    ec2 = session.client("ec2")
    where = f"sandbox {name}"
    items: list[Item] = []
    reservations = _call(
        "ec2:DescribeInstances",
        where,
        lambda: [
            r
            for page in ec2.get_paginator("describe_instances").paginate(
                Filters=_tag_filter(name) + [{"Name": "instance-state-name", "Values": LIVE_INSTANCE_STATES}]
            )
            for r in page["Reservations"]
        ],
    )
    for r in reservations:
        for i in r["Instances"]:
            items.append(
                Item(
                    "instance",
                    i["InstanceId"],
                    i["State"]["Name"],
                    {
                        "type": i.get("InstanceType"),
                        "private_ip": i.get("PrivateIpAddress"),
                        "public_ip": i.get("PublicIpAddress"),
                        "subnet": i.get("SubnetId"),
                    },
                )
            )
    simple = [
        ("vpc", "describe_vpcs", "Vpcs", "VpcId", "ec2:DescribeVpcs"),
        (
            "internet-gateway",
            "describe_internet_gateways",
            "InternetGateways",
            "InternetGatewayId",
            "ec2:DescribeInternetGateways",
        ),
        ("subnet", "describe_subnets", "Subnets", "SubnetId", "ec2:DescribeSubnets"),
        ("route-table", "describe_route_tables", "RouteTables", "RouteTableId", "ec2:DescribeRouteTables"),
        ("network-acl", "describe_network_acls", "NetworkAcls", "NetworkAclId", "ec2:DescribeNetworkAcls"),
        ("security-group", "describe_security_groups", "SecurityGroups", "GroupId", "ec2:DescribeSecurityGroups"),
    ]
    for kind, op, key, id_key, action in simple:
        found = _call(action, where, lambda op=op, key=key: getattr(ec2, op)(Filters=_tag_filter(name))[key])
        for obj in found:
            detail: dict[str, Any] = {}
            if kind == "vpc":
                detail = {"cidr": obj.get("CidrBlock")}
            elif kind == "subnet":
                detail = {"cidr": obj.get("CidrBlock"), "zone": obj.get("AvailabilityZone"), "vpc": obj.get("VpcId")}
            elif kind == "internet-gateway":
                detail = {"vpcs": [a["VpcId"] for a in obj.get("Attachments", [])]}
            elif kind == "route-table":
                detail = {
                    "associations": [
                        a["RouteTableAssociationId"] for a in obj.get("Associations", []) if not a.get("Main")
                    ]
                }
            items.append(Item(kind, obj[id_key], obj.get("State", "present") or "present", detail))
    for fl in describe_flow_logs(session):
        if tags_of(fl).get(SANDBOX_TAG) == name:
            items.append(
                Item(
                    "flow-log",
                    fl["FlowLogId"],
                    fl.get("DeliverLogsStatus") or "present",
                    {"resource": fl.get("ResourceId"), "log_group": fl.get("LogGroupName")},
                )
            )
    return items


def _log_group_items(session: AwsSession, spec: SandboxSpec) -> list[Item]:
    logs = session.client("logs")
    group = spec.log_group
    found = _call(
        "logs:DescribeLogGroups",
        group,
        lambda: [
            g for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] if g["logGroupName"] == group
        ],
    )
    if not found:
        return []
    arn = found[0]["arn"].removesuffix(":*")
    tags = _call("logs:ListTagsForResource", group, lambda: logs.list_tags_for_resource(resourceArn=arn)["tags"])
    if tags.get(SANDBOX_TAG) != spec.name:
        return []
    return [Item("log-group", group, "present", {"retention_days": found[0].get("retentionInDays")})]


def _iam_items(session: AwsSession, spec: SandboxSpec) -> list[Item]:
    iam = session.client("iam")
    items: list[Item] = []
    with aws_call("iam:GetInstanceProfile", f"instance profile {spec.instance_role}", tolerate={"NoSuchEntity"}):
        profile = iam.get_instance_profile(InstanceProfileName=spec.instance_role)["InstanceProfile"]
        if tags_of(profile).get(SANDBOX_TAG) == spec.name:  # GetInstanceProfile returns the tags
            items.append(
                Item(
                    "instance-profile",
                    spec.instance_role,
                    "present",
                    {"roles": [r["RoleName"] for r in profile["Roles"]]},
                )
            )
    for role_name, kind in ((spec.instance_role, "instance-role"), (P.role_name(spec.log_group), "delivery-role")):
        with aws_call("iam:GetRole", f"IAM role {role_name}", tolerate={"NoSuchEntity"}) as missing:
            role = iam.get_role(RoleName=role_name)["Role"]
            tags = tags_of(role) or {
                t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role_name).get("Tags", [])
            }
        if missing.tolerated:
            continue
        if tags.get(SANDBOX_TAG) == spec.name or (kind == "delivery-role" and tags.get(P.MANAGED_TAG) == "true"):
            items.append(Item(kind, role_name, "present"))
    return items


def inventory(session: AwsSession, spec: SandboxSpec) -> Inventory:
    """Everything tagged as this sandbox's, in this region (IAM roles are global and named for the sandbox)."""
    return Inventory(
        spec.name, _ec2_items(session, spec.name) + _log_group_items(session, spec) + _iam_items(session, spec)
    )


__all__ = ["Inventory", "Item", "inventory"]

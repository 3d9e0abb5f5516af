"""`sandbox up`'s plan: the image, two zones that offer the instance type, each resource to create, and the hourly
cost. Nothing is changed; `build.up` creates what a plan lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...errors import VpcFlowError
from ..errors import aws_call
from ..session import AwsSession
from . import pricing
from .inventory import inventory
from .spec import AMI_PARAMETER, INSTANCE_COUNT, LOG_RETENTION_DAYS, SandboxSpec


@dataclass
class SandboxPlan:
    spec: SandboxSpec
    image_id: str
    zones: tuple[str, str]
    steps: list[dict[str, str]] = field(default_factory=list)
    cost: list[pricing.CostLine] = field(default_factory=list)

    @property
    def hourly_usd(self) -> float:
        return pricing.total(self.cost)


def latest_image(session: AwsSession) -> str:
    """The current Amazon Linux 2023 image, from AWS's public SSM parameter (never a hard-coded AMI id)."""
    with aws_call("ssm:GetParameter", AMI_PARAMETER):
        return session.client("ssm").get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]


def pick_zones(session: AwsSession, instance_type: str) -> tuple[str, str]:
    """The first two zones (by name) that are available and offer the instance type."""
    ec2 = session.client("ec2")
    with aws_call("ec2:DescribeAvailabilityZones", session.region):
        zones = [
            z["ZoneName"]
            for z in ec2.describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]}])[
                "AvailabilityZones"
            ]
            if z.get("ZoneType", "availability-zone") == "availability-zone"
        ]
        offered = {
            o["Location"]
            for page in ec2.get_paginator("describe_instance_type_offerings").paginate(
                LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": [instance_type]}]
            )
            for o in page["InstanceTypeOfferings"]
        }
    usable = sorted(z for z in zones if z in offered)
    if len(usable) < 2:
        raise VpcFlowError(
            f"region {session.region} has fewer than two zones offering {instance_type}",
            hint="pick another --region",
        )
    return usable[0], usable[1]


def plan_up(session: AwsSession, spec: SandboxSpec) -> SandboxPlan:
    """What `up` will create and what it costs an hour; nothing is changed."""
    existing = inventory(session, spec)
    if not existing.empty:
        raise VpcFlowError(
            f"sandbox {spec.name!r} already has {len(existing.items)} resources in {session.region}",
            location=spec.name,
            hint="see `vpcflow aws sandbox status`; run `vpcflow aws sandbox down` first, or pick another --name",
        )
    image, zones = latest_image(session), pick_zones(session, spec.instance_type)
    low, high = spec.subnet_cidrs
    ssh = f"SSH from {spec.ssh_from}" if spec.ssh_from else "no SSH (pass --ssh-from to allow it)"
    steps = [
        ("vpc", f"{spec.name}-vpc", spec.cidr),
        ("subnet", f"{spec.name}-a", f"{low} in {zones[0]}, public IPs on launch"),
        ("subnet", f"{spec.name}-b", f"{high} in {zones[1]}, public IPs on launch"),
        ("internet-gateway", f"{spec.name}-igw", "attached to the VPC"),
        ("route-table", f"{spec.name}-rt", "0.0.0.0/0 via the gateway, both subnets"),
        ("network-acl", f"{spec.name}-acl", "in: HTTP, SSH if allowed, VPC, replies; deny telnet (23) in the VPC"),
        ("security-group", f"{spec.name}-web", f"HTTP from anywhere; {ssh}"),
        ("iam-role", spec.instance_role, "EC2 role for the SSM agent (Run Command), for `sandbox traffic`"),
        ("instance-profile", spec.instance_role, "the role above"),
        ("instance", f"{spec.name}-web-1", f"{spec.instance_type}, {image}, web page + outbound traffic"),
        ("instance", f"{spec.name}-web-2", f"{spec.instance_type}, {image}, web page + outbound traffic"),
        ("flow-log", f"{spec.name}-vpc", f"every field, 60 s, to {spec.destination} ({LOG_RETENTION_DAYS} day)"),
    ]
    return SandboxPlan(
        spec,
        image,
        zones,
        [{"create": k, "name": n, "detail": d} for k, n, d in steps],
        pricing.estimate(INSTANCE_COUNT, spec.instance_type),
    )


__all__ = ["SandboxPlan", "latest_image", "pick_zones", "plan_up"]

"""`sandbox up`: create what a plan (`plan.plan_up`) lists, every resource tagged with the sandbox name.

Order: VPC, subnets (two zones), internet gateway, route table, network ACL, security group, the instances' SSM
role, two instances, then the flow log (every field, 60 s) through the provisioning code (`plan_apply`/`apply`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from .. import policies as P
from ..apply import apply
from ..errors import AwsError, aws_call, error_code
from ..plan import plan_apply
from ..request import make_request
from ..session import AwsSession
from .plan import SandboxPlan
from .spec import (
    LOG_RETENTION_DAYS,
    SANDBOX_TAG,
    SSM_AGENT_ACTIONS,
    SSM_AGENT_POLICY_NAME,
)

Progress = Callable[[str], None]


@dataclass
class SandboxResult:
    name: str
    resources: dict[str, Any] = field(default_factory=dict)

    def as_rows(self) -> list[dict[str, str]]:
        rows = []
        for kind, value in self.resources.items():
            for v in value if isinstance(value, list) else [value]:
                rows.append({"kind": kind, "id": v})
        return rows


class _Builder:
    def __init__(self, session: AwsSession, plan: SandboxPlan, progress: Progress):
        self.session, self.plan, self.spec, self.say = session, plan, plan.spec, progress
        self.ec2 = session.client("ec2")
        self.result = SandboxResult(self.spec.name)

    def step(self, action: str, resource: str, fn, *args, **kwargs):
        try:
            with aws_call(action, resource):
                return fn(*args, **kwargs)
        except AwsError as err:
            raise AwsError(
                f"sandbox up stopped at {resource}: {err.message}",
                location=self.spec.name,
                hint="`vpcflow aws sandbox down` removes what was created; then run up again",
                code=err.code,
            ) from err

    def network(self) -> None:
        spec, ec2 = self.spec, self.ec2
        vpc = self.step(
            "ec2:CreateVpc", "vpc", ec2.create_vpc, CidrBlock=spec.cidr, TagSpecifications=spec.tag_spec("vpc", "vpc")
        )["Vpc"]["VpcId"]
        self.result.resources["vpc"] = vpc
        self.say(f"created VPC {vpc}")
        self.step("ec2:DescribeVpcs", vpc, ec2.get_waiter("vpc_available").wait, VpcIds=[vpc])
        self.step(
            "ec2:ModifyVpcAttribute", vpc, ec2.modify_vpc_attribute, VpcId=vpc, EnableDnsHostnames={"Value": True}
        )
        subnets = []
        for letter, cidr, zone in zip("ab", self.spec.subnet_cidrs, self.plan.zones, strict=True):
            sid = self.step(
                "ec2:CreateSubnet",
                f"subnet {cidr}",
                ec2.create_subnet,
                VpcId=vpc,
                CidrBlock=cidr,
                AvailabilityZone=zone,
                TagSpecifications=spec.tag_spec("subnet", letter),
            )["Subnet"]["SubnetId"]
            self.step(
                "ec2:ModifySubnetAttribute",
                sid,
                ec2.modify_subnet_attribute,
                SubnetId=sid,
                MapPublicIpOnLaunch={"Value": True},
            )
            subnets.append(sid)
            self.say(f"created subnet {sid} ({cidr}, {zone})")
        self.result.resources["subnet"] = subnets
        igw = self.step(
            "ec2:CreateInternetGateway",
            "internet gateway",
            ec2.create_internet_gateway,
            TagSpecifications=spec.tag_spec("internet-gateway", "igw"),
        )["InternetGateway"]["InternetGatewayId"]
        self.result.resources["internet-gateway"] = igw
        self.step("ec2:AttachInternetGateway", igw, ec2.attach_internet_gateway, InternetGatewayId=igw, VpcId=vpc)
        rt = self.step(
            "ec2:CreateRouteTable",
            "route table",
            ec2.create_route_table,
            VpcId=vpc,
            TagSpecifications=spec.tag_spec("route-table", "rt"),
        )["RouteTable"]["RouteTableId"]
        self.result.resources["route-table"] = rt
        self.step(
            "ec2:CreateRoute", rt, ec2.create_route, RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
        )
        for sid in subnets:
            self.step("ec2:AssociateRouteTable", rt, ec2.associate_route_table, RouteTableId=rt, SubnetId=sid)
        self.say(f"created internet gateway {igw} and route table {rt}")
        self.result.resources["network-acl"] = self.network_acl(vpc, subnets)
        self.result.resources["security-group"] = self.security_group(vpc)

    def network_acl(self, vpc: str, subnets: list[str]) -> str:
        spec, ec2 = self.spec, self.ec2
        acl = self.step(
            "ec2:CreateNetworkAcl",
            "network ACL",
            ec2.create_network_acl,
            VpcId=vpc,
            TagSpecifications=spec.tag_spec("network-acl", "acl"),
        )["NetworkAcl"]["NetworkAclId"]
        tcp = "6"
        entries = [  # (rule, egress, protocol, action, cidr, ports)
            (90, False, tcp, "deny", spec.cidr, (23, 23)),  # a scan of telnet shows an ACL REJECT
            (100, False, tcp, "allow", "0.0.0.0/0", (80, 80)),
            (120, False, "-1", "allow", spec.cidr, None),
            (130, False, tcp, "allow", "0.0.0.0/0", (1024, 65535)),  # replies to the instances' own requests
            (140, False, "17", "allow", "0.0.0.0/0", (1024, 65535)),
            (100, True, "-1", "allow", "0.0.0.0/0", None),
        ]
        if spec.ssh_from:
            entries.append((110, False, tcp, "allow", spec.ssh_from, (22, 22)))
        for rule, egress, proto, action, cidr, ports in entries:
            kwargs: dict[str, Any] = {
                "NetworkAclId": acl,
                "RuleNumber": rule,
                "Egress": egress,
                "Protocol": proto,
                "RuleAction": action,
                "CidrBlock": cidr,
            }
            if ports:
                kwargs["PortRange"] = {"From": ports[0], "To": ports[1]}
            self.step("ec2:CreateNetworkAclEntry", acl, ec2.create_network_acl_entry, **kwargs)
        current = self.step(
            "ec2:DescribeNetworkAcls",
            acl,
            ec2.describe_network_acls,
            Filters=[{"Name": "association.subnet-id", "Values": subnets}],
        )["NetworkAcls"]
        for a in (a for n in current for a in n["Associations"] if a["SubnetId"] in subnets):
            self.step(
                "ec2:ReplaceNetworkAclAssociation",
                acl,
                ec2.replace_network_acl_association,
                AssociationId=a["NetworkAclAssociationId"],
                NetworkAclId=acl,
            )
        self.say(f"created network ACL {acl}")
        return acl

    def security_group(self, vpc: str) -> str:
        spec, ec2 = self.spec, self.ec2
        sg = self.step(
            "ec2:CreateSecurityGroup",
            "security group",
            ec2.create_security_group,
            GroupName=f"{spec.name}-web",
            Description=f"vpcflow sandbox {spec.name}: HTTP, SSH from one address",
            VpcId=vpc,
            TagSpecifications=spec.tag_spec("security-group", "web"),
        )["GroupId"]
        rules = [
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "HTTP from anywhere"}],
            }
        ]
        if spec.ssh_from:  # never 0.0.0.0/0: SandboxSpec refuses it
            rules.append(
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": spec.ssh_from, "Description": "SSH from the caller"}],
                }
            )
        self.step(
            "ec2:AuthorizeSecurityGroupIngress",
            sg,
            ec2.authorize_security_group_ingress,
            GroupId=sg,
            IpPermissions=rules,
        )
        self.say(f"created security group {sg}")
        return sg

    def instance_role(self) -> None:
        spec, iam = self.spec, self.session.client("iam")
        tags = spec.tags("ssm")
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
        name = spec.instance_role
        self.step(
            "iam:CreateRole",
            name,
            iam.create_role,
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(trust),
            Tags=tags,
            Description=f"vpcflow sandbox {spec.name}: SSM Run Command on its instances",
        )
        agent = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(SSM_AGENT_ACTIONS), "Resource": "*"}],
        }
        self.step(
            "iam:PutRolePolicy",
            name,
            iam.put_role_policy,
            RoleName=name,
            PolicyName=SSM_AGENT_POLICY_NAME,
            PolicyDocument=json.dumps(agent),
        )
        self.step("iam:CreateInstanceProfile", name, iam.create_instance_profile, InstanceProfileName=name, Tags=tags)
        self.step(
            "iam:AddRoleToInstanceProfile",
            name,
            iam.add_role_to_instance_profile,
            InstanceProfileName=name,
            RoleName=name,
        )
        self.step(
            "iam:GetInstanceProfile", name, iam.get_waiter("instance_profile_exists").wait, InstanceProfileName=name
        )
        self.result.resources["instance-profile"] = name
        self.say(f"created role and instance profile {name}")

    def instances(self) -> None:
        spec, ec2 = self.spec, self.ec2
        ids = []
        for n, subnet in enumerate(self.result.resources["subnet"], start=1):
            what = f"web-{n}"
            kwargs = dict(
                ImageId=self.plan.image_id,
                InstanceType=spec.instance_type,
                MinCount=1,
                MaxCount=1,
                SubnetId=subnet,
                SecurityGroupIds=[self.result.resources["security-group"]],
                UserData=spec.user_data(),
                IamInstanceProfile={"Name": spec.instance_role},
                MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
                TagSpecifications=[
                    {"ResourceType": t, "Tags": spec.tags(what)} for t in ("instance", "volume", "network-interface")
                ],
            )
            ids.append(self.step("ec2:RunInstances", what, _run_instance, ec2, kwargs))
        self.result.resources["instance"] = ids
        self.step("ec2:DescribeInstances", ", ".join(ids), ec2.get_waiter("instance_running").wait, InstanceIds=ids)
        self.say(f"instances running: {', '.join(ids)}")

    def flow_log(self) -> None:
        spec, s = self.spec, self.session
        request = make_request(
            [self.result.resources["vpc"]],
            spec.destination,
            interval=60,
            format="all",
            tags={SANDBOX_TAG: spec.name},
            retention_days=LOG_RETENTION_DAYS,
        )
        result = apply(s, plan_apply(s, request))
        if result.failures:
            raise AwsError(
                f"sandbox up: flow log not created: {result.failure_message()}",
                location=spec.name,
                hint="`vpcflow aws sandbox down` removes what was created",
            )
        self.result.resources["flow-log"] = result.flow_log_ids
        arn = P.log_group_arn(s.partition, s.region, s.account_id(), spec.log_group)
        tags = {t["Key"]: t["Value"] for t in spec.tags("flow-logs")}
        self.step("logs:TagResource", spec.log_group, s.client("logs").tag_resource, resourceArn=arn, tags=tags)
        self.step(
            "iam:TagRole",
            P.role_name(spec.log_group),
            s.client("iam").tag_role,
            RoleName=P.role_name(spec.log_group),
            Tags=spec.tags("flow-logs"),
        )
        self.say(f"flow log {', '.join(result.flow_log_ids)}: every field, 60 s, to {spec.destination}")


def _run_instance(ec2, kwargs: dict) -> str:
    """RunInstances; a new instance profile takes a moment to be usable, so that one error is waited out."""
    waiter_attempts = 0
    while True:
        try:
            return ec2.run_instances(**kwargs)["Instances"][0]["InstanceId"]
        except botocore.exceptions.ClientError as exc:  # the caller's aws_call explains any other error
            if (
                error_code(exc) != "InvalidParameterValue"
                or "iamInstanceProfile" not in str(exc)
                or waiter_attempts >= 8
            ):
                raise
            waiter_attempts += 1
            time.sleep(2 * waiter_attempts)  # IAM's eventual consistency has no waiter


def up(session: AwsSession, plan: SandboxPlan, progress: Progress = lambda _m: None) -> SandboxResult:
    """Create the sandbox the plan describes; on failure the error says how to clean up."""
    b = _Builder(session, plan, progress)
    b.network()
    b.instance_role()
    b.instances()
    b.flow_log()
    return b.result


__all__ = ["SandboxResult", "up"]

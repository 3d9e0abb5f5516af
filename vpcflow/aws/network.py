"""The account's network configuration, read through EC2's describe calls into the one network model."""

from __future__ import annotations

from ..network import Topology, described_topology
from .errors import aws_call

# (result key, paginated describe call): what the model is built from
_DESCRIBED = (
    ("Vpcs", "describe_vpcs"),
    ("Subnets", "describe_subnets"),
    ("NetworkAcls", "describe_network_acls"),
    ("SecurityGroups", "describe_security_groups"),
    ("SecurityGroupRules", "describe_security_group_rules"),
    ("NetworkInterfaces", "describe_network_interfaces"),
    ("PrefixLists", "describe_managed_prefix_lists"),
    ("RouteTables", "describe_route_tables"),
    ("NatGateways", "describe_nat_gateways"),
    ("VpcEndpoints", "describe_vpc_endpoints"),
    ("VpcPeeringConnections", "describe_vpc_peering_connections"),
)
# AWS-managed interfaces (a NAT gateway's, an endpoint's) show even where the account hides managed resources
_ARGUMENTS = {"describe_network_interfaces": {"IncludeManagedResources": True}}


def describe_network(session) -> dict:
    """Every page of the describe calls the model needs, and each prefix list's entries."""
    ec2 = session.client("ec2")
    described = {}
    for key, call in _DESCRIBED:
        action = "ec2:" + "".join(w.title() for w in call.split("_"))
        with aws_call(action, "the account's network configuration"):
            described[key] = [item for page in ec2.get_paginator(call).paginate(**_ARGUMENTS.get(call, {}))
                              for item in page.get(key, [])]
    for plist in described["PrefixLists"]:
        with aws_call("ec2:GetManagedPrefixListEntries", plist["PrefixListId"]):
            plist["Entries"] = [e for page in ec2.get_paginator("get_managed_prefix_list_entries").paginate(
                PrefixListId=plist["PrefixListId"]) for e in page.get("Entries", [])]
    described["Region"] = session.region
    return described


def aws_topology(session) -> Topology:
    """The account's VPCs, subnets (their AZs and routes to the internet), interfaces (their types: NAT gateway,
    VPC endpoint, transit gateway attachment, load balancer), gateway endpoints, peered VPCs, security groups (with
    rule ids), ACLs, prefix lists."""
    return described_topology(describe_network(session))

"""Interface to resource: from the emulator's topology or from describe_network_interfaces through boto3.

Rows go to the store's `enrich_interfaces` table; detections skip NAT gateway interfaces listed there (a NAT
gateway forwards its clients' traffic, so the same event would show a second time with the NAT as source).
"""

from __future__ import annotations

from ..detect.engine import ensure_tables, execute

_INSERT = "INSERT OR REPLACE INTO enrich_interfaces VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
_AWS_TYPES = {"nat_gateway": "nat_gateway", "network_load_balancer": "network_load_balancer",
              "vpc_endpoint": "vpc_endpoint", "interface": "instance"}


def load_topology_interfaces(con, topology) -> int:
    """The emulator topology's interfaces (a `vpcflow.network.topology.Topology`)."""
    ensure_tables(con)
    rows = [[i.id, i.ip, i.kind, i.instance_id or i.id, i.name, i.subnet.id, topology.vpc_id,
             ",".join(g.id for g in i.groups), "topology"] for i in topology.interfaces]
    if rows:
        con.executemany(_INSERT, rows)
    return len(rows)


def load_aws_interfaces(con, session) -> int:
    """Every network interface the account's region shows, through an `AwsSession`."""
    ensure_tables(con)
    ec2 = session.client("ec2")
    rows = []
    for page in ec2.get_paginator("describe_network_interfaces").paginate():
        for ni in page.get("NetworkInterfaces", []):
            kind = _AWS_TYPES.get(ni.get("InterfaceType", "interface"), ni.get("InterfaceType"))
            attachment = ni.get("Attachment") or {}
            rows.append([ni["NetworkInterfaceId"], ni.get("PrivateIpAddress"), kind,
                         attachment.get("InstanceId") or ni["NetworkInterfaceId"], ni.get("Description") or "",
                         ni.get("SubnetId"), ni.get("VpcId"), ",".join(g["GroupId"] for g in ni.get("Groups", [])),
                         "aws"])
    if rows:
        con.executemany(_INSERT, rows)
    execute(con, "SELECT 1")
    return len(rows)

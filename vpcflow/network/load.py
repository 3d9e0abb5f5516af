"""The configuration that decides: the emulator's topology, or the real one described through boto3 and turned
into the same model, so one evaluator names the security group or ACL rule for both."""

from __future__ import annotations

import ipaddress
from importlib.metadata import entry_points
from pathlib import Path

import yaml

from ..errors import VpcFlowError
from .topology import Topology, build_topology

# Named topologies (the emulator's built-in scenarios) plug in here, the way a third party's catalog would.
TOPOLOGY_GROUP = "vpcflow.topologies"


def named_topology(name: str) -> dict | None:
    """The topology mapping a registered catalog knows by this name, or None."""
    for entry in entry_points(group=TOPOLOGY_GROUP):
        spec = entry.load()(name)
        if spec is not None:
            return spec
    return None


def load_topology(source) -> Topology:
    """A Topology, a scenario name or file (its `topology:`), or a topology YAML/JSON file."""
    if isinstance(source, Topology):
        return source
    if isinstance(source, dict):
        return build_topology(source.get("topology", source))
    text = str(source)
    spec = named_topology(text)
    if spec is not None:
        return build_topology(spec)
    path = Path(text)
    if not path.is_file():
        raise VpcFlowError(f"no topology file {text}", hint="give a scenario YAML or a built-in scenario name")
    spec = yaml.safe_load(path.read_text())
    if not isinstance(spec, dict):
        raise VpcFlowError("a topology file is a mapping", location=text)
    return build_topology(spec.get("topology", spec))


def _aws_rule(perm: dict, acl: bool) -> list[dict]:
    proto = str(perm.get("IpProtocol", perm.get("Protocol", "-1")))
    proto = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp"}.get(proto, proto)
    ports = "all"
    rng = perm.get("PortRange") if acl else perm
    if rng and rng.get("FromPort") is not None and proto in ("tcp", "udp") and rng["FromPort"] >= 0:
        ports = f"{rng['FromPort']}-{rng['ToPort']}"
    if acl:
        return [{"rule": perm["RuleNumber"], "protocol": proto, "ports": ports, "cidr": perm.get("CidrBlock") or
                 perm.get("Ipv6CidrBlock"), "action": perm["RuleAction"]}] if perm["RuleNumber"] < 32767 else []
    out = [{"protocol": proto, "ports": ports, "cidr": r["CidrIp"]} for r in perm.get("IpRanges", [])]
    out += [{"protocol": proto, "ports": ports, "cidr": r["CidrIpv6"]} for r in perm.get("Ipv6Ranges", [])]
    out += [{"protocol": proto, "ports": ports, "source_group": g["GroupId"]} for g in perm.get("UserIdGroupPairs", [])]
    return out


def aws_topology(session) -> Topology:
    """Describe security groups, network ACLs, subnets and interfaces, and build the evaluator's model."""
    ec2 = session.client("ec2")
    groups = ec2.describe_security_groups()["SecurityGroups"]
    acls = ec2.describe_network_acls()["NetworkAcls"]
    subnets = ec2.describe_subnets()["Subnets"]
    enis = ec2.describe_network_interfaces()["NetworkInterfaces"]
    vpcs = ec2.describe_vpcs()["Vpcs"]
    acl_of = {a["SubnetId"]: acl["NetworkAclId"] for acl in acls for a in acl.get("Associations", [])}
    spec = {
        "account": (vpcs[0].get("OwnerId") if vpcs else None) or "000000000000",  # no extra STS call
        "vpc": {"cidr": vpcs[0]["CidrBlock"] if vpcs else "10.0.0.0/8", "id": vpcs[0]["VpcId"] if vpcs else None},
        "security_groups": [{"name": g["GroupId"], "id": g["GroupId"],
                             "inbound": [r for p in g.get("IpPermissions", []) for r in _aws_rule(p, False)],
                             "outbound": [r for p in g.get("IpPermissionsEgress", []) for r in _aws_rule(p, False)]}
                            for g in groups],
        "network_acls": [{"name": a["NetworkAclId"], "id": a["NetworkAclId"],
                          "inbound": [r for e in a["Entries"] if not e["Egress"] for r in _aws_rule(e, True)],
                          "outbound": [r for e in a["Entries"] if e["Egress"] for r in _aws_rule(e, True)]}
                         for a in acls],
        "subnets": [{"name": s["SubnetId"], "id": s["SubnetId"], "cidr": s["CidrBlock"], "public": True,
                     "network_acl": acl_of.get(s["SubnetId"])} for s in subnets],
        "interfaces": [{"name": n["NetworkInterfaceId"], "id": n["NetworkInterfaceId"], "subnet": n["SubnetId"],
                        "ip": n["PrivateIpAddress"], "public": True,
                        "security_groups": [g["GroupId"] for g in n.get("Groups", [])]} for n in enis],
    }
    if vpcs and not all(ipaddress.ip_network(s["CidrBlock"]).subnet_of(ipaddress.ip_network(vpcs[0]["CidrBlock"]))
                        for s in subnets):
        spec["vpc"]["cidr"] = "0.0.0.0/0"
    return build_topology(spec)


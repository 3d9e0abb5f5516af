"""The configuration that decides: the emulator's topology, or the real one described through boto3 and turned
into the same model, so one evaluator names the security group or ACL rule for both."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import yaml

from ..emulate.rules import Rules
from ..emulate.topology import Interface, Topology, build_topology
from ..errors import VpcFlowError


def load_topology(source) -> Topology:
    """A Topology, a scenario name or file (its `topology:`), or a topology YAML/JSON file."""
    if isinstance(source, Topology):
        return source
    from ..emulate.scenario import builtin_names, load_scenario

    if isinstance(source, dict):
        return build_topology(source.get("topology", source))
    text = str(source)
    if text in builtin_names():
        return build_topology(load_scenario(text).spec["topology"])
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


class Evaluator:
    """Names the rule that decides a packet at an interface, and the change that would let it through."""

    def __init__(self, topology: Topology):
        self.topology = topology
        self.rules = Rules(topology)
        self.by_id = {i.id: i for i in topology.interfaces}

    def interface(self, interface_id: str) -> Interface | None:
        return self.by_id.get(interface_id)

    def decide(self, iface: Interface, inbound: bool, protocol: int, port: int, other: str,
               reply: bool) -> tuple[str, str] | None:
        """(layer, rule) that drops the packet, or None when the configuration lets it through."""
        try:
            crosses = ipaddress.ip_address(other) not in iface.subnet.cidr
        except ValueError:
            crosses = True
        if inbound:
            reason = self.rules.acl(iface.subnet.acl, True, protocol, port, other) if crosses else None
            if reason is None and not reply:
                reason = self.rules.groups(iface, True, protocol, port, other)
        else:
            reason = None if reply else self.rules.groups(iface, False, protocol, port, other)
            if reason is None and crosses:
                reason = self.rules.acl(iface.subnet.acl, False, protocol, port, other)
        if reason is None:
            return None
        return ("network-acl" if reason.startswith("acl-") else "security-group"), reason

"""The configuration that decides: the emulator's topology, or the real one described through boto3 and turned
into the same model, so one evaluator names the security group or ACL rule for both."""

from __future__ import annotations

import ipaddress
from importlib.metadata import entry_points
from pathlib import Path

import yaml

from ..errors import VpcFlowError
from .build import build_topology
from .topology import INSTANCE, LOAD_BALANCER, NAT_GATEWAY, TRANSIT_GATEWAY, VPC_ENDPOINT, Topology

# DescribeNetworkInterfaces' InterfaceType -> the model's kind, spelled as flow logs' v11 `interface-type` spells it.
# The API reference lists `nat_gateway`; the EC2 API model (botocore's enum) says `natGateway`: both are read.
# A Gateway Load Balancer endpoint is a VPC endpoint; every other type (interface, lambda, efa, trunk, branch,
# load_balancer for an ALB, ...) ends its own conversations like an instance's interface does.
AWS_INTERFACE_TYPES = {"nat_gateway": NAT_GATEWAY, "natGateway": NAT_GATEWAY, "vpc_endpoint": VPC_ENDPOINT,
                       "gateway_load_balancer_endpoint": VPC_ENDPOINT, "transit_gateway": TRANSIT_GATEWAY,
                       "network_load_balancer": LOAD_BALANCER}


def interface_kind(interface_type: str | None) -> str:
    """The model's kind of an interface from its DescribeNetworkInterfaces `InterfaceType`."""
    return AWS_INTERFACE_TYPES.get(interface_type or "interface", INSTANCE)


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


def _ports(low, high, proto: str) -> str:
    if proto not in ("tcp", "udp") or low is None or low < 0:
        return "all"
    return f"{low}-{high}"


def _protocol(value) -> str:
    return {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}.get(str(value), str(value))


def _group_rule(r: dict) -> dict:
    """One entry of DescribeSecurityGroupRules as a topology rule."""
    proto = _protocol(r.get("IpProtocol", "-1"))
    out = {"id": r["SecurityGroupRuleId"], "protocol": proto, "ports": _ports(r.get("FromPort"), r.get("ToPort"), proto)}
    if r.get("ReferencedGroupInfo", {}).get("GroupId"):
        out["source_group"] = r["ReferencedGroupInfo"]["GroupId"]
    elif r.get("PrefixListId"):
        out["prefix_list"] = r["PrefixListId"]
    else:
        out["cidr"] = r.get("CidrIpv4") or r.get("CidrIpv6")
    return out


def _acl_entry(e: dict) -> list[dict]:
    """One network-ACL entry; the final `*` entry (32767) is the model's implicit deny."""
    if e["RuleNumber"] >= 32767:
        return []
    proto = _protocol(e.get("Protocol", "-1"))
    rng = e.get("PortRange") or {}
    return [{"rule": e["RuleNumber"], "protocol": proto, "ports": _ports(rng.get("From"), rng.get("To"), proto),
             "cidr": e.get("CidrBlock") or e.get("Ipv6CidrBlock"), "action": e["RuleAction"]}]


def _managed_kinds(described: dict) -> dict[str, str]:
    """The interfaces the NAT gateways and VPC endpoints name as theirs (by ENI id), whatever InterfaceType says."""
    kinds = {a["NetworkInterfaceId"]: NAT_GATEWAY for nat in described.get("NatGateways", [])
             if nat.get("State") not in ("deleted", "failed")
             for a in nat.get("NatGatewayAddresses", []) if a.get("NetworkInterfaceId")}
    for endpoint in described.get("VpcEndpoints", []):
        kinds.update(dict.fromkeys(endpoint.get("NetworkInterfaceIds") or [], VPC_ENDPOINT))
    return kinds


def _default_routes(described: dict) -> dict[str, tuple[bool, str | None]]:
    """Each subnet's way to the internet from its route table (its own, else its VPC's main one): whether its
    default route goes to an internet gateway, and the interface of the NAT gateway it goes to instead."""
    described_enis = {n["NetworkInterfaceId"] for n in described["NetworkInterfaces"]}
    nat_eni = {nat["NatGatewayId"]: a["NetworkInterfaceId"] for nat in described.get("NatGateways", [])
               for a in nat.get("NatGatewayAddresses", [])[:1] if a.get("NetworkInterfaceId") in described_enis}
    tables, main = {}, {}
    for table in described.get("RouteTables", []):
        for a in table.get("Associations", []):
            if a.get("SubnetId"):
                tables[a["SubnetId"]] = table
            elif a.get("Main"):
                main[table.get("VpcId")] = table
    routes = {}
    for s in described["Subnets"]:
        table = tables.get(s["SubnetId"]) or main.get(s.get("VpcId")) or {}
        default = [r for r in table.get("Routes", []) if r.get("DestinationCidrBlock") == "0.0.0.0/0"
                   and r.get("State", "active") == "active"]
        igw = any(str(r.get("GatewayId", "")).startswith("igw-") for r in default)
        nat = next((nat_eni[r["NatGatewayId"]] for r in default if r.get("NatGatewayId") in nat_eni), None)
        routes[s["SubnetId"]] = (igw, nat)
    return routes


_ENDED = ("deleting", "deleted", "failed", "rejected", "expired")


def _peers(described: dict) -> list[dict]:
    """What the VPCs reach beyond themselves: S3 and DynamoDB through gateway endpoints (their AWS-managed prefix
    lists' CIDRs), and peered VPCs the answer does not hold (another region's, another account's)."""
    lists = {p.get("PrefixListName"): p for p in described["PrefixLists"]}
    peers = []
    for e in described.get("VpcEndpoints", []):
        if e.get("VpcEndpointType") != "Gateway" or str(e.get("State", "")).lower() in _ENDED:
            continue
        service = e["ServiceName"].rsplit(".", 1)[-1].upper()  # com.amazonaws.us-east-1.s3: ip-ranges' S3
        peers += [{"name": f"{e['VpcEndpointId']}/{c['Cidr']}", "cidr": c["Cidr"], "via": "gateway-endpoint",
                   "service": service, "vpc_id": e.get("VpcId")}
                  for c in (lists.get(e["ServiceName"]) or {}).get("Entries", [])]
    local = {v["VpcId"] for v in described["Vpcs"]}
    for pcx in described.get("VpcPeeringConnections", []):
        if (pcx.get("Status") or {}).get("Code") != "active":
            continue
        for side in (pcx.get("AccepterVpcInfo") or {}, pcx.get("RequesterVpcInfo") or {}):
            if not side.get("VpcId") or side["VpcId"] in local:
                continue  # a VPC of this answer: its subnets place its addresses
            cidrs = [c["CidrBlock"] for c in side.get("CidrBlockSet") or []] or [side["CidrBlock"]]
            peers += [{"name": f"{pcx['VpcPeeringConnectionId']}/{cidr}", "cidr": cidr, "via": "peering",
                       "vpc_id": side["VpcId"], "region": side.get("Region")} for cidr in cidrs]
    return peers


def _interface(n: dict, kinds: dict[str, str]) -> dict:
    """One entry of DescribeNetworkInterfaces as a topology interface."""
    return {"name": n["NetworkInterfaceId"], "id": n["NetworkInterfaceId"], "subnet": n["SubnetId"],
            "ip": n["PrivateIpAddress"], "public": bool((n.get("Association") or {}).get("PublicIp")),
            "type": kinds.get(n["NetworkInterfaceId"]) or interface_kind(n.get("InterfaceType")),
            "instance_id": (n.get("Attachment") or {}).get("InstanceId"),  # None for a Lambda's or a NAT's
            "ipv6": (n.get("Ipv6Addresses") or [{}])[0].get("Ipv6Address"),
            "security_groups": [g["GroupId"] for g in n.get("Groups", [])]}


def described_topology(described: dict) -> Topology:
    """The model from the answers of EC2's describe calls (a mapping of their result lists, see aws.network)."""
    vpcs, subnets, acls = described["Vpcs"], described["Subnets"], described["NetworkAcls"]
    acl_of = {a["SubnetId"]: acl["NetworkAclId"] for acl in acls for a in acl.get("Associations", [])}
    rules: dict[tuple[str, bool], list[dict]] = {}
    for r in described["SecurityGroupRules"]:
        rules.setdefault((r["GroupId"], bool(r.get("IsEgress"))), []).append(_group_rule(r))
    kinds, routes = _managed_kinds(described), _default_routes(described)
    spec = {
        "described": True,
        "region": described.get("Region") or "us-east-1",
        "account": (vpcs[0].get("OwnerId") if vpcs else None) or "000000000000",  # no extra STS call
        "vpc": {"cidr": vpcs[0]["CidrBlock"] if vpcs else "10.0.0.0/8", "id": vpcs[0]["VpcId"] if vpcs else None},
        "prefix_lists": [{"id": p["PrefixListId"], "name": p.get("PrefixListName") or p["PrefixListId"],
                          "cidrs": [e["Cidr"] for e in p.get("Entries", [])]} for p in described["PrefixLists"]],
        "security_groups": [{"name": g["GroupId"], "id": g["GroupId"], "inbound": rules.get((g["GroupId"], False), []),
                             "outbound": rules.get((g["GroupId"], True), [])} for g in described["SecurityGroups"]],
        "network_acls": [{"name": a["NetworkAclId"], "id": a["NetworkAclId"],
                          "inbound": [r for e in a["Entries"] if not e["Egress"] for r in _acl_entry(e)],
                          "outbound": [r for e in a["Entries"] if e["Egress"] for r in _acl_entry(e)]}
                         for a in acls],
        "subnets": [{"name": s["SubnetId"], "id": s["SubnetId"], "cidr": s["CidrBlock"], "vpc_id": s.get("VpcId"),
                     "az_id": s.get("AvailabilityZoneId"), "public": routes[s["SubnetId"]][0],
                     "nat_gateway": routes[s["SubnetId"]][1], "network_acl": acl_of.get(s["SubnetId"])}
                    for s in subnets],
        "interfaces": [_interface(n, kinds) for n in described["NetworkInterfaces"]],
        "peers": _peers(described),
    }
    if vpcs and not all(ipaddress.ip_network(s["CidrBlock"]).subnet_of(ipaddress.ip_network(vpcs[0]["CidrBlock"]))
                        for s in subnets):
        spec["vpc"]["cidr"] = "0.0.0.0/0"
    return build_topology(spec)

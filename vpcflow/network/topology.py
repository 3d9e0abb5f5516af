"""The emulated VPC: subnets, network interfaces, security groups, network ACLs, gateways, internet peers.

Built from the `topology:` mapping of a scenario file (documented in docs/emulator.md). IDs that the file
leaves out are derived from names, so the same file always gives the same IDs.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field

from ..errors import VpcFlowError

INSTANCE = "instance"
NAT_GATEWAY = "nat_gateway"
LOAD_BALANCER = "network_load_balancer"
VPC_ENDPOINT = "vpc_endpoint"
TRANSIT_GATEWAY = "transit_gateway"  # a transit gateway attachment's interface in one subnet (AZ)
INTERFACE_TYPES = {"instance": INSTANCE, "nat_gateway": NAT_GATEWAY, "nat": NAT_GATEWAY,
                   "load_balancer": LOAD_BALANCER, "network_load_balancer": LOAD_BALANCER,
                   "vpc_endpoint": VPC_ENDPOINT, "transit_gateway": TRANSIT_GATEWAY}
NO_GROUPS = (NAT_GATEWAY, TRANSIT_GATEWAY)  # requester-managed interfaces that security groups do not apply to

# Addresses AWS never logs traffic to (Amazon DNS, metadata, Time Sync); the VPC's base+2 is added per VPC.
UNLOGGED_ADDRESSES = {"169.254.169.253", "169.254.169.254", "169.254.169.123", "fd00:ec2::253", "fd00:ec2::254",
                      "fd00:ec2::123"}
DHCP_PORTS = {67, 68, 546, 547}
# How a peer outside the VPC is reached (Peer.via); the evaluator routes each its own way.
INTERNET, GATEWAY_ENDPOINT, PEERING, TRANSIT = "internet", "gateway-endpoint", "peering", "transit-gateway"
PEER_ROUTES = (INTERNET, GATEWAY_ENDPOINT, PEERING, TRANSIT)


class ScenarioError(VpcFlowError):
    """A topology or scenario file that cannot be emulated."""


def derive_id(prefix: str, *parts: object, width: int = 17) -> str:
    """A stable AWS-looking ID (`eni-0a1b...`) from names, so reruns give the same IDs."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()
    return f"{prefix}-0{digest[: width - 1]}"


@dataclass(frozen=True)
class Rule:
    """One security-group or network-ACL rule. Security-group rules only allow; ACL rules allow or deny."""

    protocol: int | None  # None: all protocols
    low: int  # port range, inclusive (ICMP: 0-65535)
    high: int
    cidr: object | None = None  # ipaddress network; None with a group reference
    group: str | None = None  # security-group reference (name)
    number: int | None = None  # ACL rule number
    allow: bool = True
    id: str | None = None  # the security-group rule's id (sgr-...)
    prefix_list: str | None = None  # a managed prefix list's id, matched by its CIDRs in `prefixes`
    prefixes: tuple = ()

    @property
    def port_span(self) -> tuple[int, int]:
        """The ports the rule applies to: AWS ignores a rule's ports for every protocol but tcp and udp (`all` too)."""
        return (self.low, self.high) if self.protocol in (6, 17) else (0, 65535)

    def matches(self, protocol: int, port: int, address) -> bool:
        if self.protocol is not None and self.protocol != protocol:
            return False
        low, high = self.port_span
        if protocol in (6, 17) and port >= 0 and not (low <= port <= high):
            return False
        if self.prefix_list is not None:
            return any(address.version == n.version and address in n for n in self.prefixes)
        return self.cidr is None or (address.version == self.cidr.version and address in self.cidr)

    @property
    def ports(self) -> str:
        """The port range as AWS's console writes it: `22`, `1024-65535` or `all`."""
        return ports_text(self.low, self.high) if self.protocol in (6, 17) else "all"


@dataclass
class SecurityGroup:
    name: str
    id: str
    inbound: list[Rule]
    outbound: list[Rule]


@dataclass
class NetworkAcl:
    name: str
    id: str
    inbound: list[Rule]  # sorted by rule number; the final deny (`*`) is implicit
    outbound: list[Rule]


@dataclass
class Subnet:
    name: str
    id: str
    cidr: object
    az_id: str
    acl: NetworkAcl
    public: bool = False
    nat_gateway: str | None = None  # name of the NAT gateway interface private subnets route through
    _next_host: int = 10
    vpc_id: str | None = None  # its VPC: the topology's own, or another of an account described with several


@dataclass
class Interface:
    """One ENI: the unit flow logs record on."""

    name: str
    id: str
    kind: str
    subnet: Subnet
    ip: str
    ipv6: str | None
    instance_id: str | None
    groups: list[SecurityGroup]
    public: bool
    index: int = 0  # position in Topology.interfaces
    role: str = ""  # the group name (`web` for web-1..web-12)

    @property
    def address(self):
        return ipaddress.ip_address(self.ip)


@dataclass
class Peer:
    """An address outside the VPC (internet host, or an AWS address that is never logged)."""

    name: str
    ips: list[str]
    ipv6: list[str] = field(default_factory=list)
    bad: bool = False  # on a threat list (known-bad-peer)
    # how the VPC reaches it: the internet (through the IGW or the subnet's NAT gateway), a gateway endpoint
    # (S3, DynamoDB), a peered VPC (with its region and availability zone), or a transit gateway attachment
    via: str = "internet"
    service: str | None = None  # the AWS service owning its addresses (S3, DYNAMODB, ...)
    cidr: object | None = None
    vpc_id: str | None = None
    region: str | None = None
    az_id: str | None = None


@dataclass
class PrefixList:
    """A managed prefix list: AWS's (`com.amazonaws.us-east-1.s3`) or the account's own."""

    id: str
    name: str
    cidrs: tuple


@dataclass
class Topology:
    account: str
    region: str
    vpc_id: str
    cidr: object
    subnets: dict[str, Subnet]
    groups: dict[str, SecurityGroup]
    acls: dict[str, NetworkAcl]
    interfaces: list[Interface]
    roles: dict[str, list[Interface]]  # name or group name -> interfaces
    peers: dict[str, Peer]
    igw_id: str
    prefix_lists: dict[str, PrefixList] = field(default_factory=dict)  # by id

    def __post_init__(self):
        self.unlogged_addresses = UNLOGGED_ADDRESSES | {self.dns_resolver}

    def interface(self, name: str) -> Interface:
        found = self.roles.get(name)
        if not found:
            raise ScenarioError(f"no interface named {name!r}", hint="name one from topology.interfaces")
        return found[0]

    def unlogged(self, ip: str, port: int, protocol: int) -> bool:
        """True for traffic AWS never writes a record for."""
        if ip in self.unlogged_addresses:
            return True
        return protocol == 17 and port in DHCP_PORTS

    @property
    def dns_resolver(self) -> str:
        """The Amazon DNS resolver of the VPC: its base address plus two."""
        return str(self.cidr.network_address + 2)

    def by_ip(self) -> dict[str, Interface]:
        return {i.ip: i for i in self.interfaces} | {i.ipv6: i for i in self.interfaces if i.ipv6}


_PROTOCOLS = {"all": None, "-1": None, "tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}


def protocol_number(value) -> int | None:
    key = str(value).lower()
    if key in _PROTOCOLS:
        return _PROTOCOLS[key]
    if key.isdigit() and int(key) <= 255:
        return int(key)
    raise ScenarioError(f"unknown protocol {value!r}", hint="use tcp, udp, icmp, icmpv6, all or a number 0-255")


def port_range(value) -> tuple[int, int]:
    """(low, high) from `22`, `1024-65535` or `all` (None and -1 too), as rules write their ports."""
    if value is None or str(value) in ("all", "-1"):
        return 0, 65535
    text = str(value)
    low, _, high = text.partition("-")
    try:
        lo, hi = int(low), int(high or low)
    except ValueError:
        raise ScenarioError(f"bad port range {value!r}", hint="write 22, 1024-65535 or all") from None
    if not 0 <= lo <= hi <= 65535:
        raise ScenarioError(f"bad port range {value!r}", hint="ports run from 0 to 65535, low before high")
    return lo, hi


def ports_text(low: int, high: int) -> str:
    """The inverse of port_range: `22`, `1024-65535` or `all`."""
    return "all" if (low, high) == (0, 65535) else str(low) if low == high else f"{low}-{high}"


def _network(text, where: str):
    try:
        return ipaddress.ip_network(str(text), strict=False)
    except ValueError:
        raise ScenarioError(f"bad CIDR {text!r}", location=where) from None


def _rule(spec: dict, where: str, acl: bool, prefix_lists: dict | None = None, rule_id: str | None = None) -> Rule:
    low, high = port_range(spec.get("ports", spec.get("port")))
    cidr = spec.get("cidr")
    group = spec.get("source_group", spec.get("group"))
    listed = spec.get("prefix_list")
    if cidr is None and group is None and listed is None:
        raise ScenarioError("rule names neither cidr, group nor prefix_list", location=where)
    prefixes: tuple = ()
    if listed is not None:
        found = (prefix_lists or {}).get(listed) or next(
            (p for p in (prefix_lists or {}).values() if p.name == listed), None)
        if found is None:
            raise ScenarioError(f"unknown prefix list {listed!r}", location=where,
                                hint="declare it under topology.prefix_lists")
        listed, prefixes = found.id, found.cidrs
    number = spec.get("rule") if acl else None
    if acl and not isinstance(number, int):
        raise ScenarioError("network ACL rule needs a rule number", location=where, hint="add rule: 100")
    allow = str(spec.get("action", "allow")).lower() == "allow"
    return Rule(protocol_number(spec.get("protocol", "all")), low, high,
                _network(cidr, where) if cidr is not None else None, group, number, allow,
                None if acl else spec.get("id") or rule_id, listed, prefixes)


def _rules(specs, where: str, acl: bool, prefix_lists: dict | None = None, id_of: str = "") -> list[Rule]:
    rules = [_rule(s, f"{where}[{n}]", acl, prefix_lists, derive_id("sgr", id_of, where, n) if id_of else None)
             for n, s in enumerate(specs or [])]
    return sorted(rules, key=lambda r: r.number or 0) if acl else rules


_ALLOW_ALL = [Rule(None, 0, 65535, ipaddress.ip_network("0.0.0.0/0"), number=100),
              Rule(None, 0, 65535, ipaddress.ip_network("::/0"), number=101)]


def build_topology(spec: dict) -> Topology:
    """Check and build a topology from its mapping; errors name the entry at fault."""
    if not isinstance(spec, dict):
        raise ScenarioError("topology must be a mapping", hint="see docs/emulator.md")
    account = str(spec.get("account", "123456789010")).zfill(12)
    region = str(spec.get("region", "us-east-1"))
    vpc = spec.get("vpc") or {}
    cidr = _network(vpc.get("cidr", "10.0.0.0/16"), "topology.vpc.cidr")
    vpc_id = vpc.get("id") or derive_id("vpc", account, cidr)
    prefix_lists = _prefix_lists(spec.get("prefix_lists") or [], vpc_id)
    groups = {}
    for n, g in enumerate(spec.get("security_groups") or []):
        where = f"topology.security_groups[{n}]"
        gid = g.get("id") or derive_id("sg", vpc_id, g["name"])
        groups[g["name"]] = SecurityGroup(g["name"], gid,
                                          _rules(g.get("inbound"), where + ".inbound", False, prefix_lists, gid),
                                          _rules(g.get("outbound", [{"cidr": "0.0.0.0/0"}, {"cidr": "::/0"}]),
                                                 where + ".outbound", False, prefix_lists, gid))
    if "default" not in groups:  # like a VPC's default group: members talk to each other, all may go out
        gid = derive_id("sg", vpc_id, "default")
        groups["default"] = SecurityGroup("default", gid,
                                          [Rule(None, 0, 65535, group="default", id=derive_id("sgr", gid, "in"))],
                                          _rules([{"cidr": "0.0.0.0/0"}, {"cidr": "::/0"}], "default", False,
                                                 id_of=gid))
    for g in groups.values():
        for r in g.inbound + g.outbound:
            if r.group and r.group not in groups:
                raise ScenarioError(f"security group {g.name!r} references unknown group {r.group!r}")
    acls = {}
    for n, a in enumerate(spec.get("network_acls") or []):
        where = f"topology.network_acls[{n}]"
        acls[a["name"]] = NetworkAcl(a["name"], a.get("id") or derive_id("acl", vpc_id, a["name"]),
                                     _rules(a.get("inbound"), where + ".inbound", True),
                                     _rules(a.get("outbound"), where + ".outbound", True))
    default_acl = NetworkAcl("default", derive_id("acl", vpc_id, "default"), _ALLOW_ALL, _ALLOW_ALL)
    subnets = {}
    for n, s in enumerate(spec.get("subnets") or []):
        where = f"topology.subnets[{n}]"
        net = _network(s["cidr"], where)
        if not net.subnet_of(cidr):
            raise ScenarioError(f"subnet {net} is outside the VPC's {cidr}", location=where)
        acl_name = s.get("network_acl")
        if acl_name and acl_name not in acls:
            raise ScenarioError(f"unknown network ACL {acl_name!r}", location=where)
        subnets[s["name"]] = Subnet(s["name"], s.get("id") or derive_id("subnet", vpc_id, s["name"]), net,
                                    s.get("az_id") or f"{region[:2]}{region.split('-')[1][0]}{region[-1]}-az1",
                                    acls[acl_name] if acl_name else default_acl, bool(s.get("public")),
                                    s.get("nat_gateway"), vpc_id=s.get("vpc_id") or vpc_id)
    # an account's own answer stands as it is (an emulated account's NAT gateway may sit outside its subnet)
    interfaces, roles = _interfaces(spec.get("interfaces") or [], subnets, groups, vpc_id,
                                    check_addresses=not spec.get("described"))
    for s in subnets.values():
        if s.nat_gateway and s.nat_gateway not in roles:
            raise ScenarioError(f"subnet {s.name!r} routes through unknown NAT gateway {s.nat_gateway!r}")
    peers = {p["name"]: _peer(p, n) for n, p in enumerate(spec.get("peers") or [])}
    peers.setdefault("amazon-dns", Peer("amazon-dns", [str(cidr.network_address + 2)]))
    peers.setdefault("instance-metadata", Peer("instance-metadata", ["169.254.169.254"]))
    peers.setdefault("time-sync", Peer("time-sync", ["169.254.169.123"]))
    for name, peer in peers.items():
        if name in roles:
            raise ScenarioError(f"{name!r} names both a peer and an interface")
        if peer.via == TRANSIT and not any(i.kind == TRANSIT_GATEWAY for i in interfaces):
            raise ScenarioError(f"peer {name!r} is reached through a transit gateway the VPC is not attached to",
                                hint="add an interface of type transit_gateway in a subnet of each AZ it serves")
    return Topology(account, region, vpc_id, cidr, subnets, groups, acls, interfaces, roles, peers,
                    (spec.get("internet_gateway") or {}).get("id") or derive_id("igw", vpc_id), prefix_lists)


def _prefix_lists(specs, vpc_id: str) -> dict[str, PrefixList]:
    """Managed prefix lists by id: `{name, id?, cidrs: [...]}` entries."""
    out = {}
    for n, spec in enumerate(specs):
        where = f"topology.prefix_lists[{n}]"
        if not isinstance(spec, dict) or "name" not in spec:
            raise ScenarioError("a prefix list needs a name and cidrs", location=where)
        pid = spec.get("id") or derive_id("pl", vpc_id, spec["name"], width=17)
        out[pid] = PrefixList(pid, str(spec["name"]), tuple(_network(c, where) for c in spec.get("cidrs") or []))
    return out


def _interfaces(specs, subnets, groups, vpc_id, check_addresses: bool = True):
    interfaces: list[Interface] = []
    roles: dict[str, list[Interface]] = {}
    for n, spec in enumerate(specs):
        where = f"topology.interfaces[{n}]"
        subnet = subnets.get(spec.get("subnet"))
        if subnet is None:
            raise ScenarioError(f"unknown subnet {spec.get('subnet')!r}", location=where)
        kind = INTERFACE_TYPES.get(str(spec.get("type", "instance")))
        if kind is None:
            raise ScenarioError(f"unknown interface type {spec.get('type')!r}", location=where,
                                hint="use instance, nat_gateway, load_balancer, vpc_endpoint or transit_gateway")
        sgs = []
        for g in spec.get("security_groups") or (["default"] if kind not in NO_GROUPS else []):
            if g not in groups:
                raise ScenarioError(f"unknown security group {g!r}", location=where)
            sgs.append(groups[g])
        count = int(spec.get("count", 1))
        role = spec["name"]
        for k in range(count):
            name = role if count == 1 else f"{role}-{k + 1}"
            ip = spec.get("ip") if count == 1 and spec.get("ip") else _allocate(subnet, where)
            if check_addresses and ipaddress.ip_address(ip) not in subnet.cidr:
                raise ScenarioError(f"address {ip} is outside subnet {subnet.cidr}", location=where)
            v6 = spec.get("ipv6") if count == 1 else None
            iface = Interface(name, spec.get("id") if count == 1 and spec.get("id") else
                              derive_id("eni", vpc_id, name), kind, subnet, str(ip), v6,
                              # an explicit `instance_id: null` (a described Lambda's interface) stays None
                              (spec["instance_id"] if count == 1 and "instance_id" in spec else
                               derive_id("i", vpc_id, name)) if kind == INSTANCE else None, sgs,
                              bool(spec.get("public", kind == NAT_GATEWAY)), len(interfaces), role)
            interfaces.append(iface)
            roles.setdefault(name, []).append(iface)
            if count > 1:
                roles.setdefault(role, []).append(iface)
    ips = [i.ip for i in interfaces]
    if len(set(ips)) != len(ips):
        raise ScenarioError("two interfaces share a private address", hint="give each its own ip")
    return interfaces, roles


def _allocate(subnet: Subnet, where: str) -> str:
    """The next free host address (AWS reserves the first four and the last)."""
    subnet._next_host = max(subnet._next_host, 4)
    if subnet._next_host >= subnet.cidr.num_addresses - 1:
        raise ScenarioError(f"subnet {subnet.name!r} is full", location=where)
    ip = str(subnet.cidr.network_address + subnet._next_host)
    subnet._next_host += 1
    return ip


def _peer(spec: dict, n: int) -> Peer:
    where = f"topology.peers[{n}]"
    if "ip" in spec:
        ips = [str(ipaddress.ip_address(spec["ip"]))]
    elif "cidr" in spec:
        net = _network(spec["cidr"], where)
        count = int(spec.get("count", 1))
        step = max(1, (net.num_addresses - 2) // max(count, 1))
        ips = [str(net.network_address + 1 + k * step) for k in range(min(count, net.num_addresses - 1))]
    else:
        raise ScenarioError("peer needs ip or cidr", location=where)
    v6 = [str(ipaddress.ip_address(spec["ipv6"]))] if spec.get("ipv6") else []
    via = str(spec.get("via", "internet"))
    if via not in PEER_ROUTES:
        raise ScenarioError(f"unknown route {via!r}", location=where, hint=f"use one of {', '.join(PEER_ROUTES)}")
    cidr = _network(spec["cidr"], where) if "cidr" in spec else None
    return Peer(spec["name"], ips, v6, bool(spec.get("bad")), via, spec.get("service"), cidr,
                spec.get("vpc_id") or (derive_id("vpc", spec["name"]) if via in (PEERING, TRANSIT) else None),
                spec.get("region"), spec.get("az_id"))

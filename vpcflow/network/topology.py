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

"""Which interfaces see a packet, and whether security groups and network ACLs let it through.

A packet leaving an interface is checked against the interface's security groups (outbound; requests only,
since security groups are stateful) and, when it leaves the subnet, the subnet's network ACL (outbound, always:
ACLs are stateless). Arriving, the mirror image. Each interface the packet reaches logs it, and the interface
where it is dropped logs it as REJECT; interfaces past the drop never see it.
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple

from .topology import INSTANCE, Interface, NetworkAcl, ScenarioError, Topology


class Hop(NamedTuple):
    """One packet direction as one interface records it."""

    iface: Interface
    egress: bool
    srcaddr: str
    dstaddr: str
    srcport: int
    dstport: int
    pkt_srcaddr: str
    pkt_dstaddr: str
    accept: bool
    traffic_path: int | None
    reason: str | None = None  # for a REJECT: the ACL rule or security groups that dropped it


class Rules:
    """Evaluates paths through one topology, caching ACL and security-group verdicts."""

    def __init__(self, topology: Topology):
        self.topology = topology
        self._by_ip = topology.by_ip()
        self._acl_cache: dict = {}
        self._sg_cache: dict = {}
        self._addresses: dict = {}

    # verdicts ---------------------------------------------------------------------------------------------
    def _address(self, text: str):
        address = self._addresses.get(text)
        if address is None:
            address = self._addresses[text] = ipaddress.ip_address(text)
        return address

    def acl(self, acl: NetworkAcl, inbound: bool, protocol: int, port: int, other: str) -> str | None:
        """None when the ACL allows; else the label of the rule that denies (`acl-… rule 90`, `rule *`)."""
        key = (acl.id, inbound, protocol, other)
        candidates = self._acl_cache.get(key)
        if candidates is None:  # the rules that match all but the port, in rule-number order
            address = self._address(other)
            candidates = self._acl_cache[key] = [
                (r.low, r.high, None if r.allow else f"{acl.id} rule {r.number}")
                for r in (acl.inbound if inbound else acl.outbound) if r.matches(protocol, -1, address)]
        ported = protocol in (6, 17)
        for low, high, verdict in candidates:
            if not ported or low <= port <= high:
                return verdict
        return f"{acl.id} rule *"

    def groups(self, iface: Interface, inbound: bool, protocol: int, port: int, other: str) -> str | None:
        """None when some security group of the interface allows; else `sg-…[,sg-…] inbound|outbound`."""
        key = (iface.index, inbound, protocol, other)
        ranges = self._sg_cache.get(key)
        if ranges is None:  # the port ranges the interface's groups allow for this protocol and address
            address = self._address(other)
            peer = self._by_ip.get(other)
            peer_groups = {g.name for g in peer.groups} if peer else set()
            ranges = self._sg_cache[key] = [
                (r.low, r.high) for g in iface.groups for r in (g.inbound if inbound else g.outbound)
                if (r.group is None or r.group in peer_groups) and r.matches(protocol, -1, address)]
        if ranges:
            if protocol not in (6, 17):
                return None
            for low, high in ranges:
                if low <= port <= high:
                    return None
        ids = ",".join(g.id for g in iface.groups) or "no-security-group"
        return f"{ids} {'inbound' if inbound else 'outbound'}"

    def _leave(self, iface: Interface, stateful: bool, crosses: bool, protocol: int, dport: int, other: str):
        reason = None
        if not stateful and iface.kind != "nat_gateway":
            reason = self.groups(iface, False, protocol, dport, other)
        if reason is None and crosses:
            reason = self.acl(iface.subnet.acl, False, protocol, dport, other)
        return reason

    def _arrive(self, iface: Interface, stateful: bool, crosses: bool, protocol: int, dport: int, other: str):
        reason = self.acl(iface.subnet.acl, True, protocol, dport, other) if crosses else None
        if reason is None and not stateful and iface.kind != "nat_gateway":
            reason = self.groups(iface, True, protocol, dport, other)
        return reason

    # paths ------------------------------------------------------------------------------------------------
    def nat_for(self, iface: Interface) -> Interface | None:
        """The NAT gateway an interface reaches the internet through, or None if it goes straight out."""
        if iface.public and iface.subnet.public:
            return None
        if iface.subnet.nat_gateway:
            return self.topology.interface(iface.subnet.nat_gateway)
        raise ScenarioError(f"interface {iface.name!r} has no route to the internet",
                            hint="make it public in a public subnet, or give its subnet a nat_gateway")

    def leg(self, src, dst, protocol: int, sport: int, dport: int, response: bool, nat_port: int = 0,
            v6: bool = False) -> tuple[list[Hop], bool]:
        """The hops of one direction from src to dst (an Interface or an internet address); and if it arrived."""
        hops: list[Hop] = []
        if isinstance(src, Interface) and isinstance(dst, Interface):
            crosses = src.subnet is not dst.subnet
            s, d = (src.ipv6, dst.ipv6) if v6 else (src.ip, dst.ip)
            r = self._leave(src, response, crosses, protocol, dport, d)
            hops.append(Hop(src, True, s, d, sport, dport, s, d, r is None, 1, r))
            if r is not None:
                return hops, False
            r = self._arrive(dst, response, crosses, protocol, dport, s)
            hops.append(Hop(dst, False, s, d, sport, dport, s, d, r is None, None, r))
            return hops, r is None
        if v6:  # IPv6 goes straight through the internet gateway: no NAT
            iface, out = (src, True) if isinstance(src, Interface) else (dst, False)
            if not iface.subnet.public:
                raise ScenarioError(f"interface {iface.name!r} has no IPv6 route to the internet",
                                    hint="put it in a public subnet")
            if out:
                r = self._leave(src, response, True, protocol, dport, dst)
                path = 8 if src.kind == INSTANCE else 2
                hops.append(Hop(src, True, src.ipv6, dst, sport, dport, src.ipv6, dst, r is None, path, r))
            else:
                r = self._arrive(dst, response, True, protocol, dport, src)
                hops.append(Hop(dst, False, src, dst.ipv6, sport, dport, src, dst.ipv6, r is None, None, r))
            return hops, r is None
        if isinstance(src, Interface):  # out to the internet
            nat = self.nat_for(src)
            path = (8 if src.kind == INSTANCE else 2) if nat is None else 1
            if nat is None:
                r = self._leave(src, response, True, protocol, dport, dst)
                hops.append(Hop(src, True, src.ip, dst, sport, dport, src.ip, dst, r is None, path, r))
                return hops, r is None
            crosses = src.subnet is not nat.subnet
            r = self._leave(src, response, crosses, protocol, dport, dst)
            hops.append(Hop(src, True, src.ip, dst, sport, dport, src.ip, dst, r is None, path, r))
            if r is not None:
                return hops, False
            r = self.acl(nat.subnet.acl, True, protocol, dport, src.ip) if crosses else None
            hops.append(Hop(nat, False, src.ip, nat.ip, sport, dport, src.ip, dst, r is None, None, r))
            if r is not None:
                return hops, False
            r = self.acl(nat.subnet.acl, False, protocol, dport, dst)
            hops.append(Hop(nat, True, nat.ip, dst, nat_port, dport, nat.ip, dst, r is None, 2, r))
            return hops, r is None
        # in from the internet
        nat = self.nat_for(dst) if response else None
        if nat is None:
            if not (dst.public and dst.subnet.public):
                raise ScenarioError(f"interface {dst.name!r} cannot be reached from the internet",
                                    hint="make it public: true in a public subnet")
            r = self._arrive(dst, response, True, protocol, dport, src)
            hops.append(Hop(dst, False, src, dst.ip, sport, dport, src, dst.ip, r is None, None, r))
            return hops, r is None
        crosses = dst.subnet is not nat.subnet
        r = self.acl(nat.subnet.acl, True, protocol, nat_port, src)
        hops.append(Hop(nat, False, src, nat.ip, sport, nat_port, src, nat.ip, r is None, None, r))
        if r is not None:
            return hops, False
        r = self.acl(nat.subnet.acl, False, protocol, dport, dst.ip) if crosses else None
        hops.append(Hop(nat, True, nat.ip, dst.ip, sport, dport, src, dst.ip, r is None, 1, r))
        if r is not None:
            return hops, False
        r = self._arrive(dst, True, crosses, protocol, dport, src)
        hops.append(Hop(dst, False, src, dst.ip, sport, dport, src, dst.ip, r is None, None, r))
        return hops, r is None

"""Which interfaces see a packet, and whether security groups and network ACLs let it through.

A packet leaving an interface is checked against the interface's security groups (outbound; requests only,
since security groups are stateful) and, when it leaves the subnet, the subnet's network ACL (outbound, always:
ACLs are stateless). Arriving, the mirror image. Each interface the packet reaches logs it, and the interface
where it is dropped logs it as REJECT; interfaces past the drop never see it.
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple

from .topology import (
    GATEWAY_ENDPOINT,
    INSTANCE,
    INTERNET,
    NO_GROUPS,
    TRANSIT,
    TRANSIT_GATEWAY,
    Interface,
    NetworkAcl,
    Rule,
    ScenarioError,
    Topology,
)


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


class Step(NamedTuple):
    """One hop of a path, before ports: who logs it, its addresses, and the checks the packet must pass there."""

    iface: Interface
    egress: bool
    srcaddr: str
    dstaddr: str
    pkt_srcaddr: str
    pkt_dstaddr: str
    traffic_path: int | None
    checks: tuple  # (is_acl, acl or interface, inbound, other address), in the order they are applied
    sport_nat: bool = False  # the source port is the NAT gateway's translated port
    dport_nat: bool = False  # the destination port is the NAT gateway's translated port
    check_nat: bool = False  # the checks see the translated port (a reply arriving at the NAT gateway)


class Plan(NamedTuple):
    steps: tuple[Step, ...]
    compact: tuple[tuple, ...]  # the steps as Capture reads them (see Rules._compact)


class Rules:
    """Evaluates paths through one topology, caching ACL and security-group verdicts."""

    def __init__(self, topology: Topology):
        self.topology = topology
        self._by_ip = topology.by_ip()
        self._routed = {ip: p for p in topology.peers.values() if p.via != INTERNET for ip in p.ips + p.ipv6}
        self._acl_cache: dict = {}
        self._sg_cache: dict = {}
        self._addresses: dict = {}
        self._plans: dict = {}

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
                (*r.port_span, None if r.allow else f"{acl.id} rule {r.number}")
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
            ranges = self._sg_cache[key] = [r.port_span for _, r in self.group_rules(iface, inbound, protocol, -1,
                                                                                     other)]
        if ranges:
            if protocol not in (6, 17):
                return None
            for low, high in ranges:
                if low <= port <= high:
                    return None
        ids = ",".join(g.id for g in iface.groups) or "no-security-group"
        return f"{ids} {'inbound' if inbound else 'outbound'}"

    def group_rules(self, iface: Interface, inbound: bool, protocol: int, port: int, other: str) -> list:
        """(group, rule) for every rule of the interface's groups that allows this request (port -1: any port).

        A rule naming a group matches when the peer address is an interface of that group (its membership).
        """
        address = self._address(other)
        peer = self._by_ip.get(other)
        peer_groups = {g.name for g in peer.groups} if peer else set()
        return [(g, r) for g in iface.groups for r in (g.inbound if inbound else g.outbound)
                if (r.group is None or r.group in peer_groups) and r.matches(protocol, port, address)]

    def acl_entry(self, acl: NetworkAcl, inbound: bool, protocol: int, port: int, other: str) -> Rule | None:
        """The entry that decides a packet, lowest number first; None when only the final `*` deny matches."""
        address = self._address(other)
        for r in acl.inbound if inbound else acl.outbound:
            if r.matches(protocol, port, address):
                return r
        return None

    def _leave(self, iface: Interface, stateful: bool, crosses: bool, other: str) -> tuple:
        """Checks a packet leaving `iface` passes: its security groups (requests only), then its subnet's ACL."""
        checks = []
        if not stateful and iface.kind != "nat_gateway":
            checks.append((False, iface, False, other))
        if crosses:
            checks.append((True, iface.subnet.acl, False, other))
        return tuple(checks)

    def _arrive(self, iface: Interface, stateful: bool, crosses: bool, other: str) -> tuple:
        """Checks a packet arriving at `iface` passes: its subnet's ACL, then its security groups (requests only)."""
        checks = []
        if crosses:
            checks.append((True, iface.subnet.acl, True, other))
        if not stateful and iface.kind != "nat_gateway":
            checks.append((False, iface, True, other))
        return tuple(checks)

    def reason(self, checks: tuple, protocol: int, port: int) -> str | None:
        """The first check that drops the packet, as a reject reason; None when every check lets it through."""
        for is_acl, where, inbound, other in checks:
            r = (self.acl if is_acl else self.groups)(where, inbound, protocol, port, other)
            if r is not None:
                return r
        return None

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
        for step in self.plan(src, dst, protocol, response, v6).steps:
            r = self.reason(step.checks, protocol, nat_port if step.check_nat else dport)
            hops.append(Hop(step.iface, step.egress, step.srcaddr, step.dstaddr, nat_port if step.sport_nat else sport,
                            nat_port if step.dport_nat else dport, step.pkt_srcaddr, step.pkt_dstaddr, r is None,
                            step.traffic_path, r))
            if r is not None:
                return hops, False
        return hops, True

    def plan(self, src, dst, protocol: int, response: bool, v6: bool = False) -> Plan:
        """The port-independent path of one direction, cached per endpoints, protocol and direction."""
        key = (src if isinstance(src, str) else src.index, dst if isinstance(dst, str) else dst.index, protocol,
               response, v6)
        plan = self._plans.get(key)
        if plan is None:
            steps = tuple(self._steps(src, dst, response, v6))
            plan = self._plans[key] = Plan(steps, tuple(self._compact(step, protocol) for step in steps))
        return plan

    def _compact(self, step: Step, protocol: int) -> tuple:
        """A step as the capture's hot loop reads it: ports to use, verdict by port, the record's tail either way."""
        i = step.iface
        tails = [(action, step.pkt_srcaddr, step.pkt_dstaddr, "egress" if step.egress else "ingress",
                  step.traffic_path if step.egress else None) for action in ("ACCEPT", "REJECT")]
        return (i.index, step.srcaddr, step.dstaddr, step.sport_nat, step.dport_nat, step.check_nat,
                self._allowed(step.checks, protocol), tails[0], tails[1])

    def _allowed(self, checks: tuple, protocol: int):
        """True or False when the port does not matter, else the port ranges every check lets through."""
        if protocol not in (6, 17):
            return self.reason(checks, protocol, 0) is None
        bounds = {0, 65536}
        for is_acl, where, inbound, other in checks:
            self.reason(((is_acl, where, inbound, other),), protocol, 0)  # fills the cache read below
            if is_acl:
                for low, high, _ in self._acl_cache[(where.id, inbound, protocol, other)]:
                    bounds.update((low, high + 1))
            else:
                for low, high in self._sg_cache[(where.index, inbound, protocol, other)]:
                    bounds.update((low, high + 1))
        edges = sorted(b for b in bounds if 0 <= b <= 65536)
        ranges: list[list[int]] = []
        for low, nxt in zip(edges, edges[1:], strict=False):  # the verdict is constant between two bounds
            if self.reason(checks, protocol, low) is None:
                if ranges and ranges[-1][1] == low - 1:
                    ranges[-1][1] = nxt - 1
                else:
                    ranges.append([low, nxt - 1])
        if ranges == [[0, 65535]]:
            return True
        return tuple((low, high) for low, high in ranges) or False

    def _steps(self, src, dst, response: bool, v6: bool):
        """The hops of one direction, with the checks each must pass (the mirror of AWS's routing here)."""
        if isinstance(src, Interface) and isinstance(dst, Interface):
            crosses = src.subnet is not dst.subnet
            s, d = (src.ipv6, dst.ipv6) if v6 else (src.ip, dst.ip)
            yield Step(src, True, s, d, s, d, 1, self._leave(src, response, crosses, d))
            yield Step(dst, False, s, d, s, d, None, self._arrive(dst, response, crosses, s))
            return
        peer = self._routed.get(dst if isinstance(src, Interface) else src)
        if peer is not None:  # a gateway endpoint or a peered VPC: the route table's own target, no NAT
            yield from self._routed_steps(src, dst, peer, response, v6)
            return
        if v6:  # IPv6 goes straight through the internet gateway: no NAT
            iface, out = (src, True) if isinstance(src, Interface) else (dst, False)
            if not iface.subnet.public:
                raise ScenarioError(f"interface {iface.name!r} has no IPv6 route to the internet",
                                    hint="put it in a public subnet")
            if out:
                path = 8 if src.kind == INSTANCE else 2
                yield Step(src, True, src.ipv6, dst, src.ipv6, dst, path, self._leave(src, response, True, dst))
            else:
                yield Step(dst, False, src, dst.ipv6, src, dst.ipv6, None, self._arrive(dst, response, True, src))
            return
        if isinstance(src, Interface):  # out to the internet
            nat = self.nat_for(src)
            if nat is None:
                path = 8 if src.kind == INSTANCE else 2
                yield Step(src, True, src.ip, dst, src.ip, dst, path, self._leave(src, response, True, dst))
                return
            crosses = src.subnet is not nat.subnet
            yield Step(src, True, src.ip, dst, src.ip, dst, 1, self._leave(src, response, crosses, dst))
            yield Step(nat, False, src.ip, nat.ip, src.ip, dst, None,
                       ((True, nat.subnet.acl, True, src.ip),) if crosses else ())
            yield Step(nat, True, nat.ip, dst, nat.ip, dst, 2, ((True, nat.subnet.acl, False, dst),), sport_nat=True)
            return
        # in from the internet
        nat = self.nat_for(dst) if response else None
        if nat is None:
            if not (dst.public and dst.subnet.public):
                raise ScenarioError(f"interface {dst.name!r} cannot be reached from the internet",
                                    hint="make it public: true in a public subnet")
            yield Step(dst, False, src, dst.ip, src, dst.ip, None, self._arrive(dst, response, True, src))
            return
        crosses = dst.subnet is not nat.subnet
        yield Step(nat, False, src, nat.ip, src, nat.ip, None, ((True, nat.subnet.acl, True, src),),
                   dport_nat=True, check_nat=True)
        yield Step(nat, True, nat.ip, dst.ip, src, dst.ip, 1,
                   ((True, nat.subnet.acl, False, dst.ip),) if crosses else ())
        yield Step(dst, False, src, dst.ip, src, dst.ip, None, self._arrive(dst, True, crosses, src))


    def attachment(self, az_id: str | None) -> Interface:
        """The transit gateway attachment's interface in an AZ (AZ affinity: a packet stays in the AZ it started
        in when the attachment has a subnet there), else the first."""
        attached = [i for i in self.topology.interfaces if i.kind == TRANSIT_GATEWAY]
        return next((i for i in attached if i.subnet.az_id == az_id), attached[0])

    def _transit_steps(self, src, dst, peer, response: bool, v6: bool):
        """Through a transit gateway: the attachment's interface logs each packet too, its own address standing
        for the far end and the far end in pkt-* (AWS's transit gateway examples, flow-log-records.html)."""
        iface = src if isinstance(src, Interface) else dst
        tgw = self.attachment(iface.subnet.az_id if iface is src else peer.az_id or iface.subnet.az_id)
        crosses = iface.subnet is not tgw.subnet
        own = iface.ipv6 if v6 else iface.ip
        t = tgw.ipv6 if v6 and tgw.ipv6 else tgw.ip
        if iface is src:
            yield Step(src, True, own, dst, own, dst, 1, self._leave(src, response, crosses, dst))
            yield Step(tgw, False, own, t, own, dst, None, ((True, tgw.subnet.acl, True, own),) if crosses else ())
        else:
            yield Step(tgw, True, t, own, src, own, 1, ((True, tgw.subnet.acl, False, own),) if crosses else ())
            yield Step(dst, False, src, own, src, own, None, self._arrive(dst, response, crosses, src))

    def _routed_steps(self, src, dst, peer, response: bool, v6: bool):
        """Out to or in from a gateway endpoint's service or a peered VPC: one hop at the VPC's interface."""
        if peer.via == TRANSIT:
            yield from self._transit_steps(src, dst, peer, response, v6)
            return
        if isinstance(src, Interface):
            path = 7 if peer.via == GATEWAY_ENDPOINT else 4 if (peer.region or self.topology.region) == \
                self.topology.region else 5
            s = src.ipv6 if v6 else src.ip
            yield Step(src, True, s, dst, s, dst, path, self._leave(src, response, True, dst))
        else:
            d = dst.ipv6 if v6 else dst.ip
            yield Step(dst, False, src, d, src, d, None, self._arrive(dst, response, True, src))


class Evaluator:
    """Names the rule that decides a packet at an interface, and the change that would let it through."""

    def __init__(self, topology: Topology):
        self.topology = topology
        self.rules = Rules(topology)
        self.by_id = {i.id: i for i in topology.interfaces}

    def interface(self, interface_id: str) -> Interface | None:
        return self.by_id.get(interface_id)

    @staticmethod
    def crosses(iface: Interface, other: str) -> bool:
        """Whether traffic with `other` leaves the interface's subnet, and so meets its network ACL."""
        try:
            return ipaddress.ip_address(other) not in iface.subnet.cidr
        except ValueError:
            return True

    def decide(self, iface: Interface, inbound: bool, protocol: int, port: int, other: str,
               reply: bool) -> tuple[str, str] | None:
        """(layer, rule) that drops the packet, or None when the configuration lets it through."""
        crosses = self.crosses(iface, other)
        if inbound:
            reason = self.rules.acl(iface.subnet.acl, True, protocol, port, other) if crosses else None
            if reason is None and not reply and iface.kind not in NO_GROUPS:  # a NAT gateway has no groups
                reason = self.rules.groups(iface, True, protocol, port, other)
        else:
            stateful = reply or iface.kind in NO_GROUPS
            reason = None if stateful else self.rules.groups(iface, False, protocol, port, other)
            if reason is None and crosses:
                reason = self.rules.acl(iface.subnet.acl, False, protocol, port, other)
        if reason is None:
            return None
        return ("network-acl" if reason.startswith("acl-") else "security-group"), reason

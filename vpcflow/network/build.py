"""Building a topology from its mapping (a scenario file's `topology:`, or the account as described): every entry
checked, errors naming the entry at fault, IDs derived from names where the mapping leaves them out.
"""

from __future__ import annotations

import ipaddress

from .topology import (
    INSTANCE,
    INTERFACE_TYPES,
    NAT_GATEWAY,
    NO_GROUPS,
    PEER_ROUTES,
    PEERING,
    TRANSIT,
    TRANSIT_GATEWAY,
    Interface,
    NetworkAcl,
    Peer,
    PrefixList,
    Rule,
    ScenarioError,
    SecurityGroup,
    Subnet,
    Topology,
    derive_id,
    port_range,
    protocol_number,
)


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

"""Security groups and network ACLs as nftables rulesets.

A security group becomes stateful rules on the instance's interface, inside the instance's namespace: replies to
allowed traffic pass by connection tracking, anything else is logged to the interface's NFLOG group and dropped.
A network ACL becomes stateless numbered rules on the subnet's boundary, in the router namespace, both
directions, lowest number first, with the final deny. Drops are logged with a prefix saying which layer dropped
the packet, so the capture agent can turn them into REJECT records.
"""

from __future__ import annotations

from ..network.topology import Interface, NetworkAcl, Rule, Topology

DEVICE = "eth0"  # the instance's interface inside its namespace
SG_IN, SG_OUT, NACL_IN, NACL_OUT = "sg-in", "sg-out", "nacl-in", "nacl-out"
VERDICTS = (SG_IN, SG_OUT, NACL_IN, NACL_OUT)
_PROTO = {6: "tcp", 17: "udp", 1: "icmp"}


def nflog_group(interface: Interface) -> int:
    """The NFLOG group an interface's drops are logged to (in its own namespace and in the router)."""
    return 10 + interface.index


def _match(rule: Rule, peer: str, members: dict[str, list[str]]) -> str | None:
    """The nft match for one rule; `peer` is saddr (inbound) or daddr (outbound). None: cannot match IPv4."""
    parts = []
    if rule.protocol is not None:
        parts.append(f"meta l4proto {_PROTO.get(rule.protocol, rule.protocol)}")
        if rule.protocol in (6, 17) and (rule.low, rule.high) != (0, 65535):
            ports = str(rule.low) if rule.low == rule.high else f"{rule.low}-{rule.high}"
            parts.append(f"th dport {ports}")
    if rule.group is not None:
        ips = members.get(rule.group) or []
        if not ips:
            return None
        parts.append(f"ip {peer} {{ {', '.join(ips)} }}")
    elif rule.prefix_list is not None:  # a managed prefix list: its IPv4 CIDRs
        nets = [str(n) for n in rule.prefixes if n.version == 4]
        if not nets:
            return None
        parts.append(f"ip {peer} {{ {', '.join(nets)} }}")
    elif rule.cidr is not None:
        if rule.cidr.version != 4:
            return None  # the lab is IPv4 only
        if rule.cidr.prefixlen:  # 0.0.0.0/0 needs no match: the lab carries IPv4 only
            parts.append(f"ip {peer} {rule.cidr}")
    return " ".join(parts) or "meta nfproto ipv4"


def group_members(topology: Topology) -> dict[str, list[str]]:
    members: dict[str, list[str]] = {}
    for i in topology.interfaces:
        for g in i.groups:
            members.setdefault(g.name, []).append(i.ip)
    return members


def security_group_ruleset(interface: Interface, topology: Topology) -> str:
    """The instance namespace's ruleset: its security groups (stateful) and counters that check the agent."""
    group = nflog_group(interface)
    members = group_members(topology)
    lines = ["table inet vpcflow {",
             "  counter ingress_packets {}", "  counter egress_packets {}", "  counter egress_rejected {}",
             "  chain count_in {", "    type filter hook prerouting priority -400; policy accept;",
             f'    iifname "{DEVICE}" meta nfproto ipv4 counter name ingress_packets', "  }",
             "  chain count_out {", "    type filter hook postrouting priority 400; policy accept;",
             f'    oifname "{DEVICE}" meta nfproto ipv4 counter name egress_packets', "  }"]
    if interface.groups:  # NAT gateways have none: everything passes
        for chain, hook, peer, side, verdict in (("sg_in", "input", "saddr", "inbound", SG_IN),
                                                 ("sg_out", "output", "daddr", "outbound", SG_OUT)):
            dev = "iifname" if hook == "input" else "oifname"
            lines += [f"  chain {chain} {{", f"    type filter hook {hook} priority 0; policy accept;",
                      f'    {dev} != "{DEVICE}" accept', "    ct state established,related accept"]
            for g in interface.groups:
                for rule in getattr(g, side):
                    match = _match(rule, peer, members)
                    if match:
                        lines.append(f"    {match} accept  # {g.name}")
            counted = " counter name egress_rejected" if verdict == SG_OUT else ""  # never reach postrouting
            lines += [f'    meta nfproto ipv4{counted} log prefix "{verdict}" group {group} drop', "  }"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _acl_chain(name: str, acl: NetworkAcl, side: str, drop_chain: str) -> list[str]:
    peer = "saddr" if side == "inbound" else "daddr"
    lines = [f"  chain {name} {{"]
    for rule in getattr(acl, side):
        match = _match(rule, peer, {})
        if match:
            verdict = "return" if rule.allow else f"goto {drop_chain}"
            lines.append(f"    {match} {verdict}  # {acl.name} rule {rule.number}")
    lines += [f"    goto {drop_chain}  # {acl.name} rule * (final deny)", "  }"]
    return lines


def router_ruleset(topology: Topology, bridges: dict[str, str], uplink: str, private: list[str]) -> str:
    """The router namespace's ruleset: each subnet's network ACL on its bridge, both directions.

    `bridges` maps subnet names to their bridge devices; `private` lists CIDRs the internet cannot reach.
    """
    lines = ["table inet vpcflow {"]
    forward = ["  chain forward {", "    type filter hook forward priority 0; policy accept;",
               "    meta nfproto != ipv4 drop"]
    for cidr in private:
        forward.append(f'    iifname "{uplink}" ip daddr {cidr} drop  # no route from the internet')
    leaving, entering = [], []  # a packet meets its source subnet's outbound rules before its destination's inbound
    for k, (name, subnet) in enumerate(topology.subnets.items()):
        bridge = bridges[name]
        members = [i for i in topology.interfaces if i.subnet is subnet]
        lines += [f"  chain nacl_drop_in_{k} {{"]
        lines += [f'    ip daddr {i.ip} log prefix "{NACL_IN}" group {nflog_group(i)} drop' for i in members]
        lines += ["    drop", "  }", f"  chain nacl_drop_out_{k} {{"]
        lines += [f'    ip saddr {i.ip} log prefix "{NACL_OUT}" group {nflog_group(i)} drop' for i in members]
        lines += ["    drop", "  }"]
        lines += _acl_chain(f"nacl_out_{k}", subnet.acl, "outbound", f"nacl_drop_out_{k}")
        lines += _acl_chain(f"nacl_in_{k}", subnet.acl, "inbound", f"nacl_drop_in_{k}")
        leaving.append(f'    iifname "{bridge}" jump nacl_out_{k}')
        entering.append(f'    oifname "{bridge}" jump nacl_in_{k}')
    lines += forward + leaving + entering + ["  }", "}"]
    return "\n".join(lines) + "\n"


def nat_ruleset(nat_ip: str, vpc_cidr: str) -> str:
    """The NAT gateway namespace's ruleset: masquerade what leaves the VPC."""
    return ("table ip vpcflow {\n  chain postrouting {\n    type nat hook postrouting priority 100; policy accept;\n"
            f"    ip saddr != {nat_ip} ip daddr != {vpc_cidr} masquerade\n  }}\n}}\n")

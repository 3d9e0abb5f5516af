"""A rule's ports count only for tcp and udp: AWS accepts `protocol: all` (-1) with a port range and ignores the
range, in security-group rules and network-ACL entries alike (docs/emulator.md)."""

from __future__ import annotations

import ipaddress

from vpcflow.network import Rule, build_topology
from vpcflow.network.evaluator import Evaluator

PEER = "203.0.113.5"


def _topology(sg_in: list[dict], acl_in: list[dict]):
    return build_topology({
        "vpc": {"cidr": "10.0.0.0/16"},
        "subnets": [{"name": "pub", "cidr": "10.0.0.0/24", "public": True, "network_acl": "acl"}],
        "security_groups": [{"name": "sg", "inbound": sg_in, "outbound": [{"protocol": "all", "cidr": "0.0.0.0/0"}]}],
        "network_acls": [{"name": "acl", "inbound": acl_in, "outbound": [{"rule": 100, "cidr": "0.0.0.0/0"}]}],
        "interfaces": [{"name": "web", "subnet": "pub", "public": True, "security_groups": ["sg"]}],
    })


def _decide(topology, protocol: int, port: int):
    web = topology.interface("web")
    return Evaluator(topology).decide(web, True, protocol, port, PEER, reply=False)


def test_a_protocol_all_rule_with_a_port_matches_every_port():
    rule = Rule(None, 22, 22, ipaddress.ip_network("0.0.0.0/0"))
    assert rule.matches(6, 443, ipaddress.ip_address(PEER))
    assert rule.matches(17, 53, ipaddress.ip_address(PEER))


def test_a_tcp_rule_still_matches_only_its_ports():
    rule = Rule(6, 22, 22, ipaddress.ip_network("0.0.0.0/0"))
    assert rule.matches(6, 22, ipaddress.ip_address(PEER))
    assert not rule.matches(6, 443, ipaddress.ip_address(PEER))


def test_a_security_group_rule_for_all_protocols_on_port_22_allows_tcp_443():
    topology = _topology([{"protocol": "all", "ports": 22, "cidr": "0.0.0.0/0"}],
                         [{"rule": 100, "cidr": "0.0.0.0/0"}])
    assert _decide(topology, 6, 443) is None


def test_a_network_acl_deny_for_all_protocols_on_port_22_denies_tcp_443():
    topology = _topology([{"protocol": "all", "cidr": "0.0.0.0/0"}],
                         [{"rule": 90, "protocol": "all", "ports": 22, "cidr": "0.0.0.0/0", "action": "deny"},
                          {"rule": 100, "cidr": "0.0.0.0/0"}])
    acl = topology.interface("web").subnet.acl
    assert _decide(topology, 6, 443) == ("network-acl", f"{acl.id} rule 90")

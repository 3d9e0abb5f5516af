"""Security groups and network ACLs as nftables rulesets (no root needed): golden files and rule order."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpcflow.lab import firewall
from vpcflow.lab.network import UPLINK
from vpcflow.lab.scenario import topology_spec
from vpcflow.network import build_topology

from ..support import assert_golden

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def ping_topology():
    return build_topology(topology_spec("nacl-ping"))


def test_security_group_ruleset_matches_golden(ping_topology):
    assert_golden(GOLDEN / "nacl-ping-sg.nft", firewall.security_group_ruleset(ping_topology.interfaces[0], ping_topology))


def test_router_ruleset_matches_golden(ping_topology):
    assert_golden(GOLDEN / "nacl-ping-router.nft", firewall.router_ruleset(ping_topology, {"web": "br0"}, UPLINK, []))


def test_network_acl_rules_run_lowest_number_first_then_final_deny(ping_topology):
    text = firewall.router_ruleset(ping_topology, {"web": "br0"}, UPLINK, [])
    out_chain = text.split("chain nacl_out_0 {")[1].split("}")[0].splitlines()
    rules = [line.strip() for line in out_chain if line.strip()]
    assert rules[0].startswith("meta l4proto icmp goto nacl_drop_out_0  # web-acl rule 90")
    assert "th dport 1024-65535 return" in rules[1]
    assert rules[-1] == "goto nacl_drop_out_0  # web-acl rule * (final deny)"


def test_security_group_is_stateful_and_logs_what_it_drops(ping_topology):
    text = firewall.security_group_ruleset(ping_topology.interfaces[0], ping_topology)
    inbound = text.split("chain sg_in {")[1]
    assert inbound.index("ct state established,related accept") < inbound.index("meta l4proto icmp")
    assert 'log prefix "sg-in" group 10 drop' in inbound


def test_group_reference_becomes_the_members_addresses():
    topology = build_topology({
        "subnets": [{"name": "a", "cidr": "10.0.0.0/24"}],
        "security_groups": [{"name": "db", "inbound": [{"protocol": "tcp", "ports": 5432, "source_group": "app"}]},
                            {"name": "app", "inbound": []}],
        "interfaces": [{"name": "db", "subnet": "a", "ip": "10.0.0.5", "security_groups": ["db"]},
                       {"name": "app", "subnet": "a", "ip": "10.0.0.6", "count": 1, "security_groups": ["app"]}]})
    text = firewall.security_group_ruleset(topology.interfaces[0], topology)
    assert "meta l4proto tcp th dport 5432 ip saddr { 10.0.0.6 } accept" in text


def test_nat_gateway_has_no_security_group_chain():
    topology = build_topology(topology_spec("web"))
    nat = topology.interface("nat")
    text = firewall.security_group_ruleset(nat, topology)
    assert "sg_in" not in text and "counter ingress_packets" in text

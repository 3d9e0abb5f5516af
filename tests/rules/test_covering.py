"""Rules covered by others, alone or together: an ACL entry whose ports or CIDR earlier entries split between
them is shadowed; a security-group rule the other rules of its group allow already is redundant."""

from __future__ import annotations

from vpcflow.network import build_topology
from vpcflow.rules import judge, suggest

from .test_semantics import TOPOLOGY, _row


def _acl(*entries: dict) -> dict:
    spec = dict(TOPOLOGY, network_acls=[{"name": "acl", "inbound": list(entries)}])
    spec["subnets"] = [dict(TOPOLOGY["subnets"][0], network_acl="acl")]
    return {r["rule"]: r for r in judge(build_topology(spec), []).rows
            if r["kind"] == "network-acl" and r["direction"] == "inbound"}


def _entry(rule: int, ports: str, cidr: str, action: str = "allow", protocol: str = "tcp") -> dict:
    return {"rule": rule, "protocol": protocol, "ports": ports, "cidr": cidr, "action": action}


def _group(*inbound: dict):
    spec = dict(TOPOLOGY, security_groups=[{"name": "web", "inbound": list(inbound), "outbound": []}])
    return build_topology(spec)


def _rules(model, usage=()) -> list[dict]:
    return [r for r in judge(model, list(usage)).rows
            if r["kind"] == "security-group" and r["id"] == model.groups["web"].id and r["direction"] == "inbound"]


def test_earlier_entries_that_split_its_port_range_shadow_an_entry():
    rows = _acl(_entry(100, "0-1023", "10.0.0.0/8", "deny"), _entry(110, "1024-65535", "10.0.0.0/8"),
                _entry(120, "1000-2000", "10.1.0.0/16"))
    assert (rows[120]["status"], rows[120]["suggest"]) == ("shadowed", "remove: entries 100, 110 always decide first")


def test_a_port_no_earlier_entry_takes_leaves_the_entry_reachable():
    rows = _acl(_entry(100, "0-999", "10.0.0.0/8"), _entry(110, "1001-65535", "10.0.0.0/8"),
                _entry(120, "1000-2000", "10.1.0.0/16"))
    assert rows[120]["status"] == "unused"


def test_entries_splitting_ports_and_addresses_together_shadow_an_entry():
    rows = _acl(_entry(100, "0-1023", "10.0.0.0/9", "deny"), _entry(110, None, "10.128.0.0/9", protocol="all"),
                _entry(120, "1024-65535", "10.0.0.0/9"), _entry(130, "1000-2000", "10.0.0.0/8"))
    assert (rows[130]["status"], rows[130]["suggest"]) == ("shadowed",
                                                           "remove: entries 100, 110, 120 always decide first")


def test_a_rule_inside_a_broader_rule_of_its_group_is_redundant_though_traffic_used_it():
    model = _group({"protocol": "tcp", "ports": 443, "cidr": "0.0.0.0/0"},
                   {"protocol": "tcp", "ports": 443, "cidr": "10.0.0.0/8"})
    broad, narrow = _rules(model, [_row(model, peer="10.1.2.3")])
    assert (broad["status"], narrow["status"]) == ("broader-than-traffic", "redundant")
    assert narrow["suggest"] == f"remove: {broad['rule']} allows it already"
    assert narrow["flows"] == broad["flows"] == 1


def test_rules_that_split_the_ports_together_make_a_rule_redundant():
    model = _group({"protocol": "tcp", "ports": "0-1023", "cidr": "0.0.0.0/0"},
                   {"protocol": "tcp", "ports": "1024-65535", "cidr": "0.0.0.0/0"},
                   {"protocol": "tcp", "ports": "1000-2000", "cidr": "10.0.0.0/8"})
    low, high, split = _rules(model)
    assert split["status"] == "redundant"
    assert split["suggest"] == f"remove: {low['rule']}, {high['rule']} allow it already"


def test_of_two_equal_rules_the_first_stays():
    model = _group({"protocol": "udp", "ports": 123, "cidr": "0.0.0.0/0"},
                   {"protocol": "udp", "ports": 123, "cidr": "0.0.0.0/0"})
    first, second = _rules(model)
    assert (first["status"], second["status"]) == ("unused", "redundant")


def test_a_rule_naming_a_group_is_not_covered_by_an_address_range():
    model = _group({"protocol": "all", "cidr": "0.0.0.0/0"}, {"protocol": "tcp", "ports": 22, "group": "web"})
    assert [r["status"] for r in _rules(model)] == ["unused", "unused"]


def test_a_suggestion_keeps_the_covering_rule_and_drops_the_redundant_one():
    model = _group({"protocol": "tcp", "ports": 443, "cidr": "0.0.0.0/0"},
                   {"protocol": "tcp", "ports": 443, "cidr": "10.0.0.0/8"})
    usage = [_row(model, peer=f"{n}.1.2.3") for n in range(11, 30)]  # the world uses 443: the broad rule stays
    kept = [r for r in suggest(judge(model, usage)) if r["id"] == model.groups["web"].id]
    assert [(r["ports"], r["peer"]) for r in kept] == [("443", "0.0.0.0/0")]

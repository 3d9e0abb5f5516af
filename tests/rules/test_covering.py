"""Rules covered by others, alone or together: an ACL entry whose ports or CIDR earlier entries split between
them is shadowed; a security-group rule the other rules of its group allow already is redundant."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from vpcflow.network import Rule, build_topology
from vpcflow.rules import judge, suggest
from vpcflow.rules.cover import covering, redundant

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


# Rules over a small space (addresses 10.0.0.0/28 and beyond, ports 0-15), where every packet can be tried.
_NETS = [f"10.0.0.{base}/{length}" for length in range(28, 33) for base in range(0, 16, 2 ** (32 - length))] + \
    ["0.0.0.0/0", "::/0"]
_ADDRESSES = [ipaddress.ip_address(a) for a in [f"10.0.0.{i}" for i in range(16)] + ["10.0.1.1", "::1"]]
_PORTS = [*range(17), 65535]


@st.composite
def _small_rule(draw) -> Rule:
    protocol = draw(st.sampled_from([None, 1, 6, 17]))
    low = draw(st.integers(0, 15))
    low, high = (low, draw(st.integers(low, 15))) if protocol in (6, 17) else (0, 65535)  # others: every port
    return Rule(protocol, low, high, ipaddress.ip_network(draw(st.sampled_from(_NETS))))


def _packets(rule: Rule):
    for protocol in [rule.protocol] if rule.protocol is not None else [1, 6, 17, 50]:
        for port in _PORTS if protocol in (6, 17) else [-1]:
            yield from ((protocol, port, a) for a in _ADDRESSES if rule.matches(protocol, port, a))


@settings(max_examples=300, deadline=None)
@given(st.lists(_small_rule(), min_size=1, max_size=5), _small_rule())
def test_covering_holds_exactly_when_every_packet_of_the_rule_matches_an_earlier_one(earlier, rule):
    """The evaluator's own matching, packet by packet, is the judge of the box arithmetic."""
    every = all(any(e.matches(*packet) for e in earlier) for packet in _packets(rule))
    found = covering(earlier, rule)
    assert bool(found) == every
    assert all(any(e.matches(*packet) for e in found) for packet in _packets(rule)) if found else True


@settings(max_examples=200, deadline=None)
@given(st.lists(_small_rule(), min_size=1, max_size=6))
def test_the_rules_kept_allow_all_the_group_allowed_and_none_of_them_could_go(rules):
    gone = redundant(rules)
    kept = [r for i, r in enumerate(rules) if i not in gone]
    for i in gone:
        assert all(any(k.matches(*packet) for k in kept) for packet in _packets(rules[i]))
    for k, rule in enumerate(kept):
        others = kept[:k] + kept[k + 1:]
        assert not all(any(o.matches(*packet) for o in others) for packet in _packets(rule))

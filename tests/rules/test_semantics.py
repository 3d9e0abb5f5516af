"""AWS's semantics on hand-made traffic rows (what the rule-usage query hands the evaluator): IPv6 rules,
AWS-service peers narrowed to managed prefix lists, undecided equal-port legs, the encryption readiness."""

from __future__ import annotations

from vpcflow.network import build_topology
from vpcflow.rules import encryption, judge
from vpcflow.rules.narrow import fit

TOPOLOGY = {
    "vpc": {"cidr": "10.9.0.0/16"},
    "subnets": [{"name": "a", "cidr": "10.9.1.0/24", "public": True}],
    "prefix_lists": [{"name": "com.amazonaws.us-east-1.s3", "id": "pl-63a5400a", "cidrs": ["52.216.0.0/15"]}],
    "security_groups": [{"name": "web", "inbound": [{"protocol": "tcp", "ports": 443, "cidr": "::/0"},
                                                    {"protocol": "udp", "ports": 123, "cidr": "0.0.0.0/0"}],
                         "outbound": [{"protocol": "tcp", "ports": 443, "cidr": "0.0.0.0/0"}]}],
    "interfaces": [{"name": "web", "subnet": "a", "ip": "10.9.1.10", "ipv6": "2600:1f18::10", "public": True,
                    "security_groups": ["web"]}],
}


def _row(model, **given) -> dict:
    iface = model.interfaces[0]
    return {"interface_id": iface.id, "inbound": True, "reply": False, "peer": "203.0.113.9", "address": iface.ip,
            "protocol": 6, "port": 443, "service_port": 443, "action": "ACCEPT", "reject_reason": "",
            "service": None, "encryption_status": -1, "flows": 1, "bytes": 100, "first_seen": 1767600000,
            "last_seen": 1767600060} | given


def _status(model, rows, direction, ports):
    return next((r["status"], r["flows"], r["suggest"]) for r in judge(model, rows).rows
                if r["kind"] == "security-group" and r["id"] == model.groups["web"].id
                and r["direction"] == direction and r["ports"] == ports)


def test_an_ipv6_rule_counts_ipv6_peers_only():
    model = build_topology(TOPOLOGY)
    v4, v6 = _row(model), _row(model, peer="2001:db8::7", address="2600:1f18::10")
    assert _status(model, [v4], "inbound", "443")[1] == 0
    assert _status(model, [v6], "inbound", "443")[:2] == ("broader-than-traffic", 1)


def test_aws_service_peers_are_narrowed_to_the_managed_prefix_list():
    model = build_topology(TOPOLOGY)
    rows = [_row(model, inbound=False, peer=f"52.216.{k}.9", service="S3") for k in range(9)]
    assert _status(model, rows, "outbound", "443") == ("broader-than-traffic", 9, "pl-63a5400a")


def test_an_undecided_equal_port_leg_no_rule_allows_is_the_reply_of_its_reverse():
    model = build_topology(TOPOLOGY)
    inbound_ntp = _row(model, protocol=17, port=123, service_port=123, reply=None)
    outbound_ntp = _row(model, protocol=17, port=123, service_port=123, reply=None, inbound=False)
    audit = judge(model, [inbound_ntp, outbound_ntp])
    assert _status(model, [inbound_ntp, outbound_ntp], "inbound", "123")[1] == 1  # a rule allows it: a request
    assert audit.notes == []  # the outbound one, no rule allowing it, is taken as the reply


def test_peers_in_more_unrelated_networks_than_max_cidrs_do_not_fit():
    spread = [f"{n}.1.2.3" for n in range(11, 17)]
    assert fit(spread, 5, 24, 48) is None
    assert [str(n) for n in fit(spread[:2] + ["11.1.2.200"], 5, 24, 48)] == ["11.1.2.3/32", "11.1.2.200/32",
                                                                            "12.1.2.3/32"]


def test_encryption_readiness_marks_what_enforce_mode_would_block():
    model = build_topology(TOPOLOGY)
    rows = [_row(model, peer="10.9.1.20", encryption_status=0, flows=3),
            _row(model, peer="10.9.1.21", encryption_status=1, flows=2),
            _row(model, peer="203.0.113.9", encryption_status=0, flows=4)]
    got = {(r["peer"], r["not_encrypted"], r["would_block"], r["needs_exclusion"]) for r in encryption(model, rows)}
    assert got == {("10.9.1.20", 3, True, False), ("203.0.113.9", 4, False, True)}


def test_two_earlier_entries_that_split_a_range_shadow_the_whole():
    spec = dict(TOPOLOGY, network_acls=[{"name": "acl", "inbound": [
        {"rule": 100, "protocol": "tcp", "ports": "22", "cidr": "10.0.0.0/9", "action": "deny"},
        {"rule": 110, "protocol": "all", "cidr": "10.128.0.0/9", "action": "allow"},
        {"rule": 120, "protocol": "tcp", "ports": "22", "cidr": "10.0.0.0/8", "action": "allow"},
        {"rule": 130, "protocol": "tcp", "ports": "22", "cidr": "0.0.0.0/0", "action": "allow"}]}])
    spec["subnets"] = [dict(TOPOLOGY["subnets"][0], network_acl="acl")]
    model = build_topology(spec)
    rows = {r["rule"]: r for r in judge(model, []).rows if r["kind"] == "network-acl" and r["direction"] == "inbound"}
    assert (rows[120]["status"], rows[120]["suggest"]) == ("shadowed", "remove: entries 100, 110 always decide first")
    assert rows[130]["status"] == "unused"

"""rules audit on the emulator's rules-zoo: each rule's status is the truth its scenario labels it with."""

from __future__ import annotations

import pytest

from vpcflow.emulate import simulate
from vpcflow.rules import STATUSES, audit, judge, suggest, traffic
from vpcflow.store import Store


def _expected(model, truth) -> dict:
    """(kind, id, direction, rule position or number) -> the labelled status."""
    out = {}
    for spec in truth["security_groups"]:
        group = model.groups[spec["name"]]
        for direction in ("inbound", "outbound"):
            for rule, written in zip(getattr(group, direction), spec.get(direction, []), strict=True):
                out[("security-group", group.id, rule.id)] = written["truth"]
    for spec in truth["network_acls"]:
        acl = model.acls[spec["name"]]
        for direction in ("inbound", "outbound"):
            for written in spec.get(direction, []):
                out[("network-acl", acl.id, direction, written["rule"])] = written["truth"]
    return out


def _key(row: dict) -> tuple:
    if row["kind"] == "security-group":
        return row["kind"], row["id"], row["rule"]
    return row["kind"], row["id"], row["direction"], row["rule"]


def test_every_labelled_rule_gets_its_true_status(rules_zoo, model, truth):
    expected = _expected(model, truth)
    with Store(rules_zoo, read_only=True) as store:
        rows = audit(store, model).rows
    assert {_key(r): r["status"] for r in rows if _key(r) in expected} == expected


def test_the_truth_labels_every_status_the_audit_knows(truth):
    labels = {written["truth"] for kind in ("security_groups", "network_acls") for spec in truth[kind]
              for direction in ("inbound", "outbound") for written in spec.get(direction, [])}
    assert labels == set(STATUSES)


def test_a_group_rule_inside_a_broader_one_of_its_group_is_redundant_though_traffic_used_it(model, usage):
    db = model.groups["db-sg"]
    rows = {r["rule"]: r for r in judge(model, usage).rows if r["id"] == db.id}
    broad, inner = rows[db.inbound[1].id], rows[db.inbound[2].id]
    assert (broad["peer"], inner["peer"]) == ("10.60.0.0/16", "10.60.1.0/24")
    assert (inner["status"], inner["suggest"]) == ("redundant", f"remove: {broad['rule']} allows it already")
    assert inner["flows"] == broad["flows"] > 0


def test_an_entry_two_earlier_entries_split_the_ports_of_is_shadowed(model, usage):
    rows = {r["rule"]: r for r in judge(model, usage).rows
            if r["id"] == model.acls["web-acl"].id and r["direction"] == "inbound"}
    assert (rows[170]["ports"], rows[130]["ports"], rows[160]["ports"]) == ("all", "1024-65535", "0-1023")
    assert rows[170]["status"] == "shadowed"  # 100 and 110 take its ports 443 and 22 first, 130 and 160 the rest
    assert rows[170]["suggest"] == "remove: entries 100, 110, 130, 160 always decide first"


def test_the_suggestion_drops_the_redundant_rule_and_the_shadowed_entries(model, usage, truth):
    expected = _expected(model, truth)
    dropped = {key for key, status in expected.items() if status in ("redundant", "shadowed")}
    kept = {_key(r) for r in suggest(judge(model, usage))}
    assert len(dropped) == 4 and not dropped & kept
    assert ("network-acl", model.acls["web-acl"].id, "inbound", 160) in kept  # a deny entry stays, used or not


def test_a_group_no_interface_of_the_records_belongs_to_is_unused_with_a_note(model, usage):
    rows = [r for r in judge(model, usage).rows if r["id"] == model.groups["default"].id]
    assert rows and {r["status"] for r in rows} == {"unused"}
    assert all("no interface of this group appears in the records" in r["note"] for r in rows)


def test_a_reply_never_counts_on_a_security_group_rule(model, usage):
    """web-sg allows nothing in from the app tier, yet the app's replies to web arrive: they match no rule."""
    app = {i.ip for i in model.roles["app"]}
    web_in = [r for r in judge(model, [u for u in usage if u["peer"] in app]).rows
              if r["id"] == model.groups["web-sg"].id and r["direction"] == "inbound"]
    assert [r["flows"] for r in web_in] == [0, 0, 0]


def test_an_acl_counts_replies_as_traffic_of_their_own(model, usage):
    rows = judge(model, usage).rows
    (replies,) = [r for r in rows if r["id"] == model.acls["web-acl"].id and r["rule"] == 130]
    assert replies["flows"] > 0 and replies["ports"] == "1024-65535"


def test_a_group_referencing_rule_matches_by_the_peer_interfaces_membership(model, usage):
    rows = judge(model, usage).rows
    (db_in,) = [r for r in rows if r["id"] == model.groups["db-sg"].id and r["peer"] == model.groups["app-sg"].id]
    assert db_in["peers"] == 2 and db_in["status"] == "used"


def test_a_world_open_rule_reached_from_few_networks_is_narrowed_and_from_many_is_used(model, usage):
    rows = {r["rule"]: r for r in judge(model, usage).rows if r["id"] == model.groups["web-sg"].id}
    ssh = next(r for r in rows.values() if r["ports"] == "22")
    https = next(r for r in rows.values() if r["ports"] == "443")
    assert (ssh["status"], ssh["suggest"]) == ("broader-than-traffic", "198.51.100.5/32")
    assert https["status"] == "used" and https["peers"] > 40


def test_records_of_an_interface_the_configuration_lacks_are_a_note_not_a_hit(model, usage):
    stranger = dict(usage[0], interface_id="eni-0000000000000dead", flows=7)
    audit = judge(model, [stranger])
    assert {r["flows"] for r in audit.rows} == {0}
    assert audit.notes == [{"note": "records of an interface the configuration does not have",
                            "where": "eni-0000000000000dead", "flows": 7}]


def test_a_reject_by_block_public_access_is_no_rules_doing(model, usage):
    row = next(u for u in usage if u["inbound"] and u["action"] == "ACCEPT" and not u["reply"])
    audit = judge(model, [dict(row, action="REJECT", reject_reason="BPA")])
    assert {r["flows"] for r in audit.rows} == {0}
    assert audit.notes[0]["note"] == "rejected by VPC Block Public Access, not by a rule"


@pytest.mark.parametrize("fmt", ["default", "v3"])
def test_the_truth_holds_without_flow_direction_or_tcp_flags(model, truth, tmp_path, fmt):
    """default: direction from the interfaces' own addresses, request or reply from ports; v3 adds tcp-flags."""
    simulate("rules-zoo", tmp_path / "logs", format=fmt)
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([tmp_path / "logs"])
        usage = traffic(store, model)
    expected = _expected(model, truth)
    got = {_key(r): r["status"] for r in judge(model, usage).rows if _key(r) in expected}
    assert got == expected

"""rules suggest and check: a proposal replayed over the window breaks nothing that was accepted; the change
as AWS CLI, Terraform and CloudFormation is compared with golden files; a bad proposal is refused whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import assert_golden
from vpcflow.rules import ProposalError, check, judge, load_proposal, proposed_topology, render, suggest

GOLDEN = Path(__file__).parent / "golden"


@settings(max_examples=15, deadline=None)
@given(max_cidrs=st.integers(1, 8), max_prefix=st.integers(8, 32))
def test_replaying_a_suggestion_breaks_nothing_that_was_accepted(model, usage, max_cidrs, max_prefix):
    proposal = suggest(judge(model, usage, max_cidrs=max_cidrs, max_prefix=max_prefix))
    result = check(model, proposed_topology(model, proposal), usage)
    assert result["newly_rejected"] == []
    assert result["unchanged_flows"]["accepted"] > 0


def test_the_suggestion_drops_unused_rules_and_narrows_broad_ones(model, usage):
    proposal = suggest(judge(model, usage))
    web = [r for r in proposal if r["id"] == model.groups["web-sg"].id and r["direction"] == "inbound"]
    assert [(r["ports"], r["peer"]) for r in web] == [("443", "0.0.0.0/0"), ("22", "198.51.100.5/32")]


def test_removing_the_rule_the_admin_uses_shows_what_would_break(model, usage):
    proposal = [r for r in suggest(judge(model, usage)) if r["ports"] != "22"]
    broken = check(model, proposed_topology(model, proposal), usage)["newly_rejected"]
    assert {(b["peer"], b["port"], b["protocol"]) for b in broken} == {("198.51.100.5", 22, "tcp")}
    assert all(b["flows"] > 0 and b["first_seen"] <= b["last_seen"] for b in broken)


@pytest.mark.parametrize("fmt,suffix", [("aws-cli", "sh"), ("terraform", "tf"), ("cloudformation", "yaml")])
def test_the_change_is_printed_as_golden(model, usage, fmt, suffix):
    audit = judge(model, usage)
    assert_golden(GOLDEN / f"rules-zoo.{suffix}", render(audit, suggest(audit), fmt))


def test_a_proposal_that_is_not_json_is_refused_with_its_line_and_column(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('[{"kind": "security-group",\n  "id": }]')
    with pytest.raises(ProposalError) as info:
        load_proposal(path)
    assert info.value.location == f"{path}:2:9"


@pytest.mark.parametrize("row,why", [
    ({"kind": "security-group", "id": "sg-0nothere", "direction": "inbound", "peer": "10.0.0.0/8"}, "unknown"),
    ({"kind": "network-acl", "direction": "inbound", "peer": "10.0.0.0/8", "rule": 0}, "rule is 0"),
    ({"direction": "sideways"}, "kind is"),
])
def test_a_malformed_rule_is_refused_at_its_place(model, row, why):
    row = dict(row)
    if row.get("kind") == "network-acl":
        row["id"] = model.acls["web-acl"].id
    with pytest.raises(ProposalError) as info:
        proposed_topology(model, [{"kind": "security-group", "id": model.groups["web-sg"].id,
                                   "direction": "inbound", "protocol": "tcp", "ports": "443",
                                   "peer": "0.0.0.0/0", "action": "allow"}, row], "p.json")
    assert why in str(info.value) and info.value.location == "p.json[1]"


def test_check_on_the_cli_prints_nothing_when_the_proposal_is_bad(cli, rules_zoo, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"kind": "security-group", "id": "sg-0nothere", "direction": "inbound"}]))
    result = cli("rules", "check", "--proposed", str(bad), "--db", str(rules_zoo), "--topology", "rules-zoo")
    assert result.code == 1 and result.out == ""
    assert "unknown security-group 'sg-0nothere'" in result.err and "bad.json[0]" in result.err


def test_suggest_then_check_on_the_cli(cli, rules_zoo, tmp_path):
    proposal = cli("rules", "suggest", "--db", str(rules_zoo), "--topology", "rules-zoo")
    assert proposal.code == 0, proposal.err
    path = tmp_path / "p.json"
    path.write_text(proposal.out)
    result = cli("rules", "check", "--proposed", str(path), "--db", str(rules_zoo), "--topology", "rules-zoo")
    assert result.code == 0, result.err
    assert result.json()["newly_rejected"] == []


def test_a_proposal_that_splits_the_ephemeral_range_is_replayed_port_by_range(rules_zoo, model):
    """web-acl's entry 130 lets replies in on 1024-65535; keeping only 1024-40000 breaks replies above 40000."""
    from vpcflow.rules import traffic
    from vpcflow.store import Store

    proposal = [dict(r, ports="1024-40000") if r["id"] == model.acls["web-acl"].id and r["rule"] == 130 else r
                for r in suggest(judge(model, usage_of(rules_zoo, model)))]
    changed = proposed_topology(model, proposal)
    with Store(rules_zoo, read_only=True) as store:
        usage = traffic(store, model, proposed=changed)
    broken = check(model, changed, usage)["newly_rejected"]
    assert broken and {b["direction"] for b in broken} == {"inbound"}
    assert all(b["by"] == f"{model.acls['web-acl'].id} rule *" for b in broken)


def usage_of(rules_zoo, model):
    from vpcflow.rules import traffic
    from vpcflow.store import Store

    with Store(rules_zoo, read_only=True) as store:
        return traffic(store, model)

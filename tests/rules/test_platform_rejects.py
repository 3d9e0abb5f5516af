"""A REJECT whose reject-reason (v8+) is BPA or EC was VPC Block Public Access's or encryption controls' doing:
diagnose names that, not a security group or network ACL, and rules audit counts it on no rule."""

from __future__ import annotations

from vpcflow.diagnose import diagnose
from vpcflow.network import load_topology
from vpcflow.rules import audit
from vpcflow.store import Store

HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
          "log-status flow-direction reject-reason")
T = 1767600000


def _store(tmp_path, model, reason: str) -> Store:
    web = model.roles["web"][0]
    lines = [HEADER, f"8 123456789010 {web.id} 203.0.113.9 {web.ip} 50000 443 6 2 120 {T} {T + 5} REJECT OK ingress "
             f"{reason}"]
    (tmp_path / "f.log").write_text("\n".join(lines) + "\n")
    store = Store(tmp_path / "s.duckdb")
    store.ingest([tmp_path / "f.log"])
    return store


def test_diagnose_names_block_public_access(tmp_path):
    model = load_topology("rules-zoo")
    with _store(tmp_path, model, "BPA") as store:
        (row,) = diagnose(store, topology=model)
    assert (row["verdict"], row["rule"]) == ("block-public-access", None)
    assert row["fix"].startswith("VPC Block Public Access rejected it")


def test_diagnose_names_encryption_controls(tmp_path):
    model = load_topology("rules-zoo")
    with _store(tmp_path, model, "EC") as store:
        (row,) = diagnose(store, topology=model)
    assert row["verdict"] == "encryption-controls"


def test_a_reject_without_a_platform_reason_is_still_a_rules_doing(tmp_path):
    model = load_topology("rules-zoo")
    with _store(tmp_path, model, "-") as store:
        (row,) = diagnose(store, topology=model)
    assert row["verdict"] == "security-group-or-network-acl"


def test_rules_audit_counts_a_bpa_reject_on_no_rule(tmp_path):
    model = load_topology("rules-zoo")
    with _store(tmp_path, model, "BPA") as store:
        result = audit(store, model)
    assert {r["flows"] for r in result.rows} == {0}
    assert [n["note"] for n in result.notes] == ["rejected by VPC Block Public Access, not by a rule"]

"""vpcflow rules on the command line: every output form, the grouped table with bars, notes on stderr, and the
errors a user meets first."""

from __future__ import annotations

import csv
import io

from vpcflow.rules import COLUMNS, STATUSES


def _run(cli, rules_zoo, *args):
    return cli("rules", *args, "--db", str(rules_zoo), "--topology", "rules-zoo")


def test_audit_json_has_the_issues_keys(cli, rules_zoo):
    result = _run(cli, rules_zoo, "audit", "--output", "json")
    assert result.code == 0, result.err
    rows = result.json()
    assert rows and set(COLUMNS) == set(rows[0])
    assert {r["status"] for r in rows} == set(STATUSES)


def test_audit_csv_has_one_line_per_rule(cli, rules_zoo):
    json_rows = _run(cli, rules_zoo, "audit", "--output", "json").json()
    result = _run(cli, rules_zoo, "audit", "--output", "csv")
    assert result.code == 0 and len(list(csv.DictReader(io.StringIO(result.out)))) == len(json_rows)


def test_audit_table_groups_by_group_and_acl_with_bars(cli, rules_zoo):
    result = _run(cli, rules_zoo, "audit")
    assert result.code == 0
    assert result.out.count("security-group sg-") == 4 and result.out.count("network-acl acl-") == 2
    assert "█" in result.out


def test_the_window_narrows_what_counts(cli, rules_zoo):
    rows = _run(cli, rules_zoo, "audit", "--output", "json", "--since", "2030-01-01").json()
    assert {r["flows"] for r in rows} == {0}


def test_audit_needs_one_source_of_configuration(cli, rules_zoo):
    result = cli("rules", "audit", "--db", str(rules_zoo))
    assert result.code == 1 and "give --aws or --topology SCENARIO|FILE (one)" in result.err and result.out == ""


def test_only_one_change_format_at_a_time(cli, rules_zoo):
    result = _run(cli, rules_zoo, "suggest", "--terraform", "--aws-cli")
    assert result.code == 1 and "choose one of --terraform, --cloudformation, --aws-cli" in result.err


def test_encryption_without_the_field_counts_unknown_and_blocks_nothing(cli, rules_zoo):
    result = _run(cli, rules_zoo, "encryption", "--output", "json")
    assert result.code == 0, result.err
    rows = result.json()
    assert rows and all(r["unknown"] == r["flows"] and not r["would_block"] and not r["needs_exclusion"]
                        for r in rows)


def test_encryption_on_v10_records_names_what_enforce_mode_would_block(cli, tmp_path):
    from vpcflow.network import load_topology

    model = load_topology("rules-zoo")
    web, app = model.roles["web"][0], model.roles["app"][0]
    header = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
              "action log-status flow-direction encryption-status")
    t = 1770000000
    lines = [header,
             f"10 123456789010 {web.id} {web.ip} {app.ip} 40000 8080 6 5 500 {t} {t + 5} ACCEPT OK egress 0",
             f"10 123456789010 {web.id} {web.ip} {app.ip} 40001 8080 6 5 500 {t} {t + 5} ACCEPT OK egress 1",
             f"10 123456789010 {web.id} 203.0.113.9 {web.ip} 50000 443 6 5 500 {t} {t + 5} ACCEPT OK ingress 0"]
    (tmp_path / "f.log").write_text("\n".join(lines) + "\n")
    db = tmp_path / "s.duckdb"
    assert cli("ingest", str(tmp_path / "f.log"), "--db", str(db)).code == 0
    result = cli("rules", "encryption", "--db", str(db), "--topology", "rules-zoo", "--output", "json")
    assert result.code == 0, result.err
    got = [(r["peer"], r["flows"], r["not_encrypted"], r["platform"], r["would_block"], r["needs_exclusion"])
           for r in result.json()]
    assert got == [(app.ip, 2, 1, 1, True, False), ("203.0.113.9", 1, 1, 0, False, True)]


def test_records_of_an_interface_the_configuration_lacks_are_named_on_stderr(cli, tmp_path):
    line = "2 123456789010 eni-0ffffffffffffff01 10.60.0.10 203.0.113.9 443 50000 6 5 500 1770000000 1770000005 ACCEPT OK"
    (tmp_path / "f.log").write_text(line + "\n")
    db = tmp_path / "s.duckdb"
    assert cli("ingest", str(tmp_path / "f.log"), "--db", str(db), "--format", "default").code == 0
    result = cli("rules", "audit", "--db", str(db), "--topology", "rules-zoo", "--output", "json")
    assert result.code == 0 and {r["flows"] for r in result.json()} == {0}
    assert ("note: eni-0ffffffffffffff01: records of an interface the configuration does not have (1 flows)"
            in result.err)

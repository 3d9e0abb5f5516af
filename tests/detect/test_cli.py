"""The command-line contract: JSON shapes of detect and diagnose, --list, enrich refresh, and an end-to-end run on
the emulator's seed-demo scenario."""

from __future__ import annotations

import json

import pytest

from vpcflow.detect import detections
from vpcflow.emulate import simulate

from .records import attack, benign, write

FINDING_KEYS = ["id", "detector", "severity", "src", "dst", "dst_port", "first_seen", "last_seen", "records",
                "summary"]
DIAGNOSE_KEYS = ["src", "dst", "dst_port", "dst_port_end", "protocol", "interface_id", "direction", "verdict",
                 "rule", "records", "first_seen", "last_seen", "fix", "flagged_by"]


@pytest.fixture(scope="module")
def seed_demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed-demo")
    simulate("seed-demo", out)
    labels = [json.loads(line) for line in (out / "labels.jsonl").read_text().splitlines()]
    return out, labels


def _ingest(cli, db, path, fmt="default"):
    assert cli("ingest", str(path), "--db", str(db), "--format", fmt).code == 0


def test_detect_json_has_the_contract_keys(cli, tmp_path):
    db = tmp_path / "v.duckdb"
    _ingest(cli, db, write(tmp_path / "f.log", benign() + attack("spam")))
    result = cli("detect", "--db", db, "--output", "json")
    (finding,) = result.json()
    assert list(finding) == FINDING_KEYS and finding["first_seen"].endswith("Z")


def test_detect_list_shows_every_detection_with_parameters(cli):
    rows = cli("detect", "--list", "--output", "json").json()
    assert [r["id"] for r in rows] == [d.id for d in detections()]
    spam = next(r for r in rows if r["id"] == "spam")
    assert spam["params"] == {k: p.default for k, p in next(d for d in detections() if d.id == "spam").params.items()}


def test_detect_says_which_detections_cannot_run(cli, tmp_path):
    db = tmp_path / "v.duckdb"
    _ingest(cli, db, write(tmp_path / "f.log", benign()))
    result = cli("detect", "--db", db, "--detector", "known-bad-peer", "--output", "json")
    assert result.json() == [] and "known-bad-peer: cannot-run: no threat list loaded" in result.err


def test_unknown_detector_is_a_one_line_error(cli, tmp_path):
    db = tmp_path / "v.duckdb"
    _ingest(cli, db, write(tmp_path / "f.log", benign()))
    result = cli("detect", "--db", db, "--detector", "nope")
    assert result.code == 1 and "no detection 'nope'" in result.err


def test_enrich_refresh_loads_a_downloaded_ip_ranges_file(cli, tmp_path):
    ranges = tmp_path / "ip-ranges.json"
    ranges.write_text(json.dumps({"prefixes": [{"ip_prefix": "3.5.140.0/22", "region": "ap-northeast-2",
                                                "service": "AMAZON", "network_border_group": "ap-northeast-2"}],
                                  "ipv6_prefixes": []}))
    result = cli("enrich", "refresh", "--from", ranges, "--db", tmp_path / "v.duckdb", "--output", "json")
    assert result.json()["prefixes"] == 1


def test_seed_demo_scan_is_found_with_the_attacker_as_source(cli, tmp_path, seed_demo):
    out, labels = seed_demo
    db = tmp_path / "v.duckdb"
    _ingest(cli, db, out / "cloudwatch")
    findings = cli("detect", "--db", db, "--output", "json").json()
    scan = next(lb for lb in labels if lb["kind"] == "port-scan-vertical")
    scans = [(f["detector"], f["src"], f["dst"]) for f in findings if f["detector"].startswith("port-scan")]
    assert scans == [("port-scan-vertical", scan["src"], scan["dst"])]


def test_seed_demo_nacl_case_is_diagnosed_as_network_acl(cli, tmp_path, seed_demo):
    out, labels = seed_demo
    db = tmp_path / "v.duckdb"
    _ingest(cli, db, out / "cloudwatch")
    nacl = next(lb for lb in labels if lb["kind"] == "nacl-blocks-return")
    rows = cli("diagnose", "--db", db, "--src", nacl["src"], "--dst", nacl["dst"], "--topology", "seed-demo",
               "--output", "json").json()
    assert list(rows[0]) == DIAGNOSE_KEYS
    assert [(r["verdict"], r["rule"]) for r in rows] == [("network-acl", nacl["rule"])]


@pytest.mark.parametrize("command", ["detect", "diagnose"])
def test_detect_and_diagnose_read_the_store_vpcflow_db_names(cli, tmp_path, monkeypatch, command):
    db = tmp_path / "named.duckdb"
    _ingest(cli, db, write(tmp_path / "f.log", benign() + attack("spam")))
    monkeypatch.setenv("VPCFLOW_DB", str(db))
    monkeypatch.chdir(tmp_path)  # no vpcflow.duckdb here: only VPCFLOW_DB can name the store
    result = cli(command, "--output", "json")
    assert result.code == 0, result.err
    assert isinstance(result.json(), list)


def test_enrich_refresh_loads_into_the_store_vpcflow_db_names(cli, tmp_path, monkeypatch):
    ranges = tmp_path / "ip-ranges.json"
    ranges.write_text(json.dumps({"syncToken": "1", "createDate": "2026-01-01-00-00-00", "prefixes": [
        {"ip_prefix": "198.51.100.0/24", "region": "us-east-1", "service": "S3", "network_border_group": "us-east-1"}],
        "ipv6_prefixes": []}))
    monkeypatch.setenv("VPCFLOW_DB", str(tmp_path / "named.duckdb"))
    monkeypatch.chdir(tmp_path)
    result = cli("enrich", "refresh", "--from", ranges, "--output", "json")
    assert result.code == 0, result.err
    assert (result.json()["prefixes"], result.json()["db"]) == (1, str(tmp_path / "named.duckdb"))
    assert (tmp_path / "named.duckdb").exists() and not (tmp_path / "vpcflow.duckdb").exists()

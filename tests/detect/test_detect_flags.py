"""vpcflow detect's severity, suppression, incident and threat-list flags, and enrich refresh --lists offline."""

from __future__ import annotations

import socket

from .records import CATEGORIES_CSV, LISTED, attack, benign, write


def _store(cli, tmp_path, lines):
    db = tmp_path / "v.duckdb"
    assert cli("ingest", str(write(tmp_path / "f.log", lines)), "--db", str(db), "--format", "default").code == 0
    return db


def test_min_severity_leaves_out_low_findings(cli, tmp_path):
    db = _store(cli, tmp_path, benign() + attack("port-scan-vertical") + attack("spam"))
    every = {f["detector"] for f in cli("detect", "--db", db, "--output", "json").json()}
    medium = {f["detector"] for f in cli("detect", "--db", db, "--min-severity", "medium", "--output", "json").json()}
    assert "port-scan-vertical" in every and medium == {"spam"}


def test_a_suppression_file_hides_findings_and_says_how_many(cli, tmp_path):
    db = _store(cli, tmp_path, benign() + attack("spam"))
    rules = tmp_path / "suppress.yaml"
    rules.write_text("- {detector: spam, src: 10.0.0.0/24, reason: the mail relay, expires: 2099-12-31}\n")
    result = cli("detect", "--db", db, "--suppress", rules, "--output", "json")
    assert result.json() == [] and "1 findings suppressed: spam 1" in result.err


def test_lists_with_categories_feed_the_intel_detections(cli, tmp_path):
    db = _store(cli, tmp_path, benign() + attack("c2-activity"))
    feeds = tmp_path / "feeds.csv"
    feeds.write_text(CATEGORIES_CSV)
    found = cli("detect", "--db", db, "--lists", feeds, "--detector", "c2-activity", "--output", "json").json()
    assert [(f["detector"], f["dst"], f["severity"]) for f in found] == [("c2-activity", LISTED["c2-activity"],
                                                                          "high")]


def test_incidents_group_the_findings_per_instance(cli, tmp_path):
    db = _store(cli, tmp_path, benign() + attack("spam") + attack("port-sweep"))
    rows = cli("detect", "--db", db, "--incidents", "--output", "json").json()
    assert [(r["subject"], r["severity"], r["detectors"]) for r in rows] == [("10.0.0.5", "high", "port-sweep,spam")]


def test_enrich_refresh_lists_offline_fails_with_a_hint(cli, tmp_path, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr("vpcflow.enrich.feeds.FEEDS", {"tor-exit": f"http://127.0.0.1:{port}/exits"})
    result = cli("enrich", "refresh", "--lists", "--into", tmp_path / "lists", "--db", tmp_path / "v.duckdb")
    assert result.code == 1 and "could not fetch http://127.0.0.1" in result.err and "--threat-list" in result.err

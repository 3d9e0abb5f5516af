"""Each detection fires on a small crafted dataset and stays silent on a benign one."""

from __future__ import annotations

import pytest

from vpcflow.detect import detections, evidence, load_threat_list, run, set_status
from vpcflow.detect.engine import SHARED
from vpcflow.detect.lists import load_lists
from vpcflow.store import Store

from .records import CATEGORIES_CSV, HOST, attack, benign, write

IDS = sorted(d.id for d in detections())


def _store(tmp_path, lines, name="flows.log"):
    store = Store(tmp_path / "vpcflow.duckdb")
    store.ingest([write(tmp_path / name, lines)], format="default")
    threats = tmp_path / "threats.txt"
    threats.write_text("# test list\n192.0.2.64/27\nExitAddress 198.18.0.1 2026-01-01 00:00:00\n")
    load_threat_list(store.con, threats)
    categorized = tmp_path / "categories.csv"
    categorized.write_text(CATEGORIES_CSV)
    load_lists(store.con, [(categorized, None)], replace=False)
    return store


@pytest.mark.parametrize("detector", IDS)
def test_detection_fires_on_its_crafted_attack(tmp_path, detector):
    with _store(tmp_path, benign() + attack(detector)) as store:
        report = run(store.con, detectors=[detector])
    assert [f.detector for f in report.findings] == [detector]


def test_no_detection_fires_on_benign_traffic(tmp_path):
    with _store(tmp_path, benign()) as store:
        report = run(store.con)
    assert report.findings == []


def test_port_scan_names_the_scanner_and_the_target(tmp_path):
    with _store(tmp_path, benign() + attack("port-scan-vertical")) as store:
        (finding,) = run(store.con, detectors=["port-scan-vertical"]).findings
    assert (finding.src, finding.dst, finding.records) == ("198.51.100.9", HOST, 200)


def test_rerunning_detect_upserts_instead_of_duplicating(tmp_path):
    with _store(tmp_path, benign() + attack("spam")) as store:
        first = run(store.con, detectors=["spam"]).findings
        second = run(store.con, detectors=["spam"]).findings
        count = store.con.execute("SELECT count(*) FROM findings").fetchall()[0][0]
    assert [f.id for f in first] == [f.id for f in second] and count == 1


def test_evidence_returns_the_records_behind_a_finding(tmp_path):
    with _store(tmp_path, benign() + attack("crypto-mining")) as store:
        (finding,) = run(store.con, detectors=["crypto-mining"]).findings
        records = evidence(store.con, finding.id)
    assert records.column("dstport").to_pylist() == [3333]


def test_set_status_marks_a_finding_reviewed_and_rerun_keeps_it(tmp_path):
    with _store(tmp_path, benign() + attack("spam")) as store:
        (finding,) = run(store.con, detectors=["spam"]).findings
        set_status(store.con, finding.id, "dismissed")
        run(store.con, detectors=["spam"])
        status = store.con.execute("SELECT status FROM findings").fetchall()[0][0]
    assert status == "dismissed"


def test_brute_force_without_tcp_flags_runs_degraded(tmp_path):
    with _store(tmp_path, benign() + attack("ssh-brute-force")) as store:
        report = run(store.con, detectors=["ssh-brute-force"])
    assert [(s.status, s.findings) for s in report.statuses] == [("degraded", 1)]


def test_brute_force_with_tcp_flags_runs_in_full(tmp_path):
    lines = [line + " 19" for line in benign() + attack("ssh-brute-force")]
    store = Store(tmp_path / "vpcflow.duckdb")
    store.ingest([write(tmp_path / "v5.log", lines)], format="${version} ${account-id} ${interface-id} ${srcaddr} "
                 "${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} "
                 "${log-status} ${tcp-flags}")
    with store:
        report = run(store.con, detectors=["ssh-brute-force"])
    assert [(s.status, s.findings) for s in report.statuses] == [("ok", 1)]


def test_detection_needing_a_missing_field_reports_it_cannot_run(tmp_path):
    lines = [" ".join(line.split()[:12]) + " OK" for line in benign() + attack("reject-spike")]
    store = Store(tmp_path / "vpcflow.duckdb")
    store.ingest([write(tmp_path / "noaction.log", lines)], format="${version} ${account-id} ${interface-id} "
                 "${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} "
                 "${log-status}")
    with store:
        report = run(store.con, detectors=["reject-spike"])
    assert [(s.status, s.note) for s in report.statuses] == [("cannot-run", "records lack action")]


def test_known_bad_peer_without_a_threat_list_reports_it_cannot_run(tmp_path):
    store = Store(tmp_path / "vpcflow.duckdb")
    store.ingest([write(tmp_path / "f.log", benign())], format="default")
    with store:
        report = run(store.con, detectors=["known-bad-peer"])
    assert report.statuses[0].status == "cannot-run" and "threat list" in report.statuses[0].note


def test_the_report_says_what_each_detection_that_ran_cost(tmp_path):
    with _store(tmp_path, benign() + attack("spam")) as store:
        store.con.execute("DELETE FROM threat_list").fetchall()
        report = run(store.con, detectors=["spam", "ssh-brute-force", "c2-activity"])
    # c2-activity cannot run without a threat list, so it took no time to report
    assert sorted(report.seconds) == sorted([SHARED, "spam", "ssh-brute-force"])
    assert all(s >= 0 for s in report.seconds.values())

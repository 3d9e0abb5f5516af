"""The demo, the README's first command, end to end on the embedded store."""

from __future__ import annotations

import pytest

from vpcflow.demo import run_demo
from vpcflow.errors import VpcFlowError


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("demo") / "out")


def test_everything_written_is_ingested_with_nothing_quarantined(demo):
    assert demo.ingest["records"] == demo.simulated > 10_000
    assert demo.ingest["quarantined"] == 0


def test_the_cloudwatch_layout_reads_back_to_the_same_records(demo):
    assert demo.cloudwatch_records == demo.simulated


def test_the_port_scan_is_found_with_the_attacker_as_source(demo):
    scans = [f for f in demo.findings if f["detector"] == "port-scan-vertical"]
    assert [f["src"] for f in scans] == ["198.51.100.77"]


def test_the_blocked_ping_reply_is_put_on_the_network_acl(demo):
    acl = [d for d in demo.diagnoses if d["verdict"] == "network-acl"]
    assert acl and all(d["src"] == "203.0.113.12" and d["rule"].endswith("rule 90") for d in acl)


def test_the_report_is_written(demo):
    assert demo.report.exists() and demo.report.stat().st_size > 10_000


def test_running_it_again_clears_only_its_own_folder(demo, tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(VpcFlowError, match="not made by the demo"):
        run_demo(tmp_path)
    assert (tmp_path / "mine.txt").exists()

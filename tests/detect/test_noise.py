"""On a noisy emulated internet day (a seed the thresholds were not chosen on), every detection that finds
medium-or-high findings is right about them, and every actionable attack is found: the benign look-alikes
(fleet heartbeats, backups, CDN fetches, QUIC uploads, a mail server, credential guessing, scanners on every
public address) raise nothing above low."""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from pathlib import Path

import pytest

from vpcflow.detect import run
from vpcflow.detect.model import severity_rank

BENCH = Path(__file__).resolve().parents[2] / "bench" / "detect_quality.py"
SEED = 29  # the bench and the thresholds' notes use 11, 12 and 13


def _bench():
    spec = importlib.util.spec_from_file_location("detect_quality", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    bench = _bench()
    summary, labels, report, _ = bench.day(SEED, 24, tmp_path_factory.mktemp("noise"))
    counts = defaultdict(lambda: defaultdict(int))
    bench.score(report.findings, labels, counts)
    return labels, report, counts


def test_the_day_is_noisy(scored):
    labels, report, counts = scored
    low = sum(1 for f in report.findings if severity_rank(f.severity) == 0)
    assert low > 10 * sum(1 for f in report.findings if severity_rank(f.severity) > 0)


FAMILIES = sorted({
    "port-scan-outbound", "port-sweep", "ssh-brute-force", "rdp-brute-force", "winrm-brute-force",
    "dos-outbound-tcp", "dos-outbound", "dos-outbound-dns", "udp-on-tcp-ports", "dos-outbound-unusual-protocol",
    "exfiltration", "spam", "dns-unusual-resolver", "dns-over-https", "dns-over-tls", "tor-relay", "tor-client",
    "c2-activity", "blackhole-traffic", "drop-point", "known-bad-peer", "crypto-mining", "beaconing",
    "unusual-port", "port-probe-unprotected", "port-probe-emr"})


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_finds_its_actionable_attacks(scored, family):
    counts = scored[2][family]
    assert counts["found"] and counts["missed"] == 0, dict(counts)


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_raises_nothing_medium_on_benign_look_alikes(scored, family):
    assert scored[2][family]["fp"] == 0, scored[2][family].get("fps")


def test_internet_background_is_summarised_at_low(scored):
    background = [f for f in scored[1].findings if f.detector == "internet-background"]
    assert background and {f.severity for f in background} == {"low"}


def test_run_is_importable_from_the_bench():
    assert _bench().run is run

"""Every GuardDuty EC2 finding type fed by VPC flow logs has a detection with the right mapping, and severity
follows who acted and whether traffic got through."""

from __future__ import annotations

import pytest

from vpcflow.detect import detections, get, run
from vpcflow.store import Store

from .records import HOST, T0, rec, write

# GuardDuty's 25 active EC2 finding types that rest on flow logs (its finding-type pages, read in 2026).
GUARDDUTY_EC2_FLOW_TYPES = [
    "Backdoor:EC2/C&CActivity.B", "Backdoor:EC2/DenialOfService.Tcp", "Backdoor:EC2/DenialOfService.Udp",
    "Backdoor:EC2/DenialOfService.Dns", "Backdoor:EC2/DenialOfService.UdpOnTcpPorts",
    "Backdoor:EC2/DenialOfService.UnusualProtocol", "Backdoor:EC2/Spambot", "Behavior:EC2/NetworkPortUnusual",
    "Behavior:EC2/TrafficVolumeUnusual", "CryptoCurrency:EC2/BitcoinTool.B", "DefenseEvasion:EC2/UnusualDNSResolver",
    "DefenseEvasion:EC2/UnusualDoHActivity", "DefenseEvasion:EC2/UnusualDoTActivity", "Impact:EC2/PortSweep",
    "Impact:EC2/WinRMBruteForce", "Recon:EC2/PortProbeUnprotectedPort", "Recon:EC2/PortProbeEMRUnprotectedPort",
    "Recon:EC2/Portscan", "Trojan:EC2/BlackholeTraffic", "Trojan:EC2/DropPoint",
    "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom", "UnauthorizedAccess:EC2/RDPBruteForce",
    "UnauthorizedAccess:EC2/SSHBruteForce", "UnauthorizedAccess:EC2/TorClient", "UnauthorizedAccess:EC2/TorRelay",
]


@pytest.mark.parametrize("finding_type", GUARDDUTY_EC2_FLOW_TYPES)
def test_every_guardduty_flow_finding_type_has_a_detection(finding_type):
    assert [d.id for d in detections() if d.guardduty == finding_type], finding_type


def test_every_mapping_names_a_real_guardduty_type_or_none():
    assert {d.guardduty for d in detections()} - {""} <= set(GUARDDUTY_EC2_FLOW_TYPES)


@pytest.mark.parametrize(("detector", "finding_type"), [
    ("winrm-brute-force", "Impact:EC2/WinRMBruteForce"), ("spam", "Backdoor:EC2/Spambot"),
    ("port-sweep", "Impact:EC2/PortSweep"), ("exfiltration", "Behavior:EC2/TrafficVolumeUnusual"),
    ("beaconing", ""), ("reject-spike", ""), ("dos-inbound", "")])
def test_mappings_the_review_found_wrong_are_right(detector, finding_type):
    assert get(detector).guardduty == finding_type


def _brute(src, dst, t, big_session=False):
    lines = [rec(src, dst, 33000 + k, 22, 6, 10, 2500, t + k * 8, t + k * 8 + 3) for k in range(60)]
    if big_session:
        lines.append(rec(src, dst, 39000, 22, 6, 400, 300_000, t + 500, t + 590))
    return lines


def _severities(tmp_path, lines):
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([write(tmp_path / "f.log", lines)], format="default")
        return [f.severity for f in run(store.con, detectors=["ssh-brute-force"]).findings]


def test_brute_force_against_the_instance_is_low(tmp_path):
    assert _severities(tmp_path, _brute("198.51.100.9", HOST, T0)) == ["low"]


def test_brute_force_that_gets_a_session_through_is_high(tmp_path):
    assert _severities(tmp_path, _brute("198.51.100.9", HOST, T0, big_session=True)) == ["high"]


def test_brute_force_by_the_instance_is_high(tmp_path):
    assert _severities(tmp_path, _brute(HOST, "192.0.2.170", T0)) == ["high"]


def test_rejected_inbound_scan_is_low_whatever_its_size(tmp_path):
    lines = [rec(f"198.51.100.{s}", HOST, 41000, p, 6, 1, 44, T0 + s, T0 + s, "REJECT")
             for s in range(1, 40) for p in range(1, 120)]
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([write(tmp_path / "f.log", lines)], format="default")
        found = run(store.con, detectors=["port-scan-vertical", "internet-background"]).findings
    assert found and {f.severity for f in found} == {"low"}


def test_an_exposed_elasticsearch_port_probed_from_the_internet_is_high(tmp_path):
    lines = [rec(f"198.51.100.{s}", HOST, 41000 + s, 9200, 6, 2, 84, T0 + s * 300) for s in range(5)]
    lines += [rec(f"198.51.100.{s}", HOST, 41000 + s, 443, 6, 2, 84, T0 + s * 300) for s in range(5)]
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([write(tmp_path / "f.log", lines)], format="default")
        found = run(store.con, detectors=["port-probe-unprotected"]).findings
    assert sorted((f.dst_port, f.severity) for f in found) == [(443, "low"), (9200, "high")]


def test_a_heartbeat_the_whole_fleet_sends_is_not_a_beacon(tmp_path):
    fleet = [f"10.0.0.{h}" for h in range(5, 10)]
    lines = [rec(host, "192.0.2.80", 34000 + k, 443, 6, 4, 400, T0 + k * 60 + h, T0 + k * 60 + h + 1)
             for h, host in enumerate(fleet) for k in range(120)]
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([write(tmp_path / "f.log", lines)], format="default")
        found = run(store.con, detectors=["beaconing"]).findings
    assert found == []


def test_ipv6_instances_are_the_vpcs_own(tmp_path):
    lines = [rec("2600:1f18:60:1::10", "2620:fe::fe", 41000 + k, 853, 6, 10, 2000, T0 + k * 60, T0 + k * 60 + 5)
             for k in range(5)]
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([write(tmp_path / "f.log", lines)], format="default")
        found = run(store.con, detectors=["dns-over-tls"]).findings
    assert [(f.src, f.dst, f.severity) for f in found] == [("2600:1f18:60:1::10", "2620:fe::fe", "medium")]

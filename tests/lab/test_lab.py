"""The lab on real packets: namespaces, nftables, nmap, ping and curl, through ingest, detect and diagnose.

Needs root, iproute2, nftables, nmap, curl and ping (installed by .ci/run); skips elsewhere, fails under CI=true.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from vpcflow import detect
from vpcflow.diagnose import diagnose
from vpcflow.lab import down, run, up
from vpcflow.lab.netns import NETNS_DIR, labs
from vpcflow.lab.scenario import topology_spec
from vpcflow.store import Store

from .conftest import lab_ready

WINDOW = 2.0


def _host_view() -> tuple[str, str]:
    """The host's own links and nftables ruleset: the lab must leave both as they were."""
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    rules = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True).stdout
    return "\n".join(sorted(line.split(":", 2)[1] for line in links.splitlines())), rules


def _ingest(out: Path, db: Path, format: str | None = None) -> Store:
    store = Store(db)
    result = store.ingest([out], format=format)  # CloudWatch lines carry no header: name a custom format
    assert result.records > 0 and result.quarantined == 0
    return store


def test_nacl_ping_gives_inbound_accept_and_outbound_reject(state_dir, tmp_path):
    lab_ready("ping")
    summary = run("nacl-ping", tmp_path / "out", window=WINDOW, state_dir=state_dir,
                  flow_log={"format": "v5"})
    with _ingest(tmp_path / "out", tmp_path / "lab.duckdb", "v5") as store:
        rows = store.query("SELECT srcaddr, dstaddr, flow_direction, action, sum(packets) AS packets, "
                           "sum(bytes) AS bytes FROM flows WHERE protocol = 1 GROUP BY ALL ORDER BY action").to_pylist()
    assert rows == [
        {"srcaddr": "203.0.113.12", "dstaddr": "172.31.16.139", "flow_direction": "ingress", "action": "ACCEPT",
         "packets": 4, "bytes": 336},
        {"srcaddr": "172.31.16.139", "dstaddr": "203.0.113.12", "flow_direction": "egress", "action": "REJECT",
         "packets": 4, "bytes": 336}]
    assert summary["interfaces"][0]["interface_id"] == "eni-1235b8ca123456789"


def test_diagnose_names_the_network_acl_for_the_ping_reply(state_dir, tmp_path):
    lab_ready("ping")
    run("nacl-ping", tmp_path / "out", window=WINDOW, state_dir=state_dir)
    with _ingest(tmp_path / "out", tmp_path / "lab.duckdb") as store:
        verdicts = diagnose(store.con)
    assert [(v["src"], v["dst"], v["verdict"]) for v in verdicts] == [("203.0.113.12", "172.31.16.139",
                                                                       "network-acl")]


def test_nmap_scan_is_detected_with_the_attacker_as_source(state_dir, tmp_path):
    lab_ready("nmap")
    run("nmap-scan", tmp_path / "out", window=WINDOW, state_dir=state_dir,
        flow_log={"destination": "s3", "format": "v5"})
    with _ingest(tmp_path / "out", tmp_path / "lab.duckdb") as store:
        report = detect.run(store.con)
    scans = {(f.detector, f.src) for f in report.findings if f.detector.startswith("port-scan")}
    assert ("port-scan-outbound", "10.1.9.4") in scans  # an own instance scanning: GuardDuty's Recon:EC2/Portscan


def test_record_totals_match_the_nftables_counters(state_dir, tmp_path):
    lab_ready("curl")
    summary = run("web", tmp_path / "out", window=WINDOW, state_dir=state_dir)
    with _ingest(tmp_path / "out", tmp_path / "lab.duckdb") as store:
        totals = {r["interface_id"]: r for r in store.query(
            "SELECT interface_id, sum(packets) AS packets, sum(bytes) AS bytes FROM flows "
            "WHERE log_status = 'OK' GROUP BY ALL").to_pylist()}
    for iface in summary["interfaces"]:
        counted = iface["counted"]
        packets = sum(c["packets"] for c in counted.values())
        nbytes = sum(c["bytes"] for c in counted.values())
        got = totals[iface["interface_id"]]
        assert packets > 50
        assert abs(got["packets"] - packets) <= packets * 0.01, iface["name"]
        assert abs(got["bytes"] - nbytes) <= nbytes * 0.01, iface["name"]
        assert iface["agent_kernel_drops"] == 0


def test_tcp_flags_show_syn_from_the_client_and_syn_ack_from_the_server(state_dir, tmp_path):
    lab_ready("curl")
    run("web", tmp_path / "out", window=WINDOW, state_dir=state_dir, flow_log={"format": "v3"})
    with _ingest(tmp_path / "out", tmp_path / "lab.duckdb", "v3") as store:
        requests = store.query("SELECT bit_or(tcp_flags) AS f FROM flows WHERE dstport = 80 AND srcaddr = "
                               "'203.0.113.25'").to_pylist()[0]["f"]
        replies = store.query("SELECT bit_or(tcp_flags) AS f FROM flows WHERE srcport = 80 AND dstaddr = "
                              "'203.0.113.25'").to_pylist()[0]["f"]
    assert requests & 2 and not requests & 16
    assert replies & 18 == 18


def test_lab_down_after_a_crash_removes_exactly_the_labs_namespaces(state_dir):
    lab_ready()
    before = _host_view()
    bystander = "vpcfl-keep-" + state_dir.parent.name[-6:]
    subprocess.run(["ip", "netns", "add", bystander], check=True)
    try:
        lab = up(topology_spec("nacl-ping"), state_dir)  # then "crash": no teardown by the caller
        made = {p.name for p in NETNS_DIR.iterdir() if p.name.startswith(lab.state.prefix)}
        assert len(made) == 3 and labs(state_dir)
        removed = down(state_dir)
        left = {p.name for p in NETNS_DIR.iterdir()}
        assert set(removed) == made and not made & left and bystander in left
        assert not labs(state_dir)
    finally:
        subprocess.run(["ip", "netns", "del", bystander], check=False)
    assert _host_view() == before


def test_traffic_stays_inside_the_lab(state_dir, tmp_path):
    lab_ready("ping")
    before = _host_view()
    summary = run("nacl-ping", tmp_path / "out", window=WINDOW, state_dir=state_dir)
    assert _host_view() == before
    assert not [p for p in NETNS_DIR.iterdir() if p.name.startswith(f"vpcfl-{summary['lab']}-")]
    assert not labs(state_dir)

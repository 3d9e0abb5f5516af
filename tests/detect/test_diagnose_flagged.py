"""diagnose never proposes opening a rule to traffic a detection flags, and a scan is one row per port range."""

from __future__ import annotations

from vpcflow import detect
from vpcflow.diagnose import diagnose
from vpcflow.network.load import load_topology
from vpcflow.store import Store

from .records import rec, write

SCANNER, CLIENT = "198.51.100.77", "203.0.113.121"
T = 1767627605


def _lines(ports):
    """A scanner probing web-1 on `ports` (none its security group allows), and one client refused on 3306."""
    topo = load_topology("seed-demo")
    web1 = topo.interface("web-1")
    scan = [rec(SCANNER, web1.ip, 41000, p, 6, 1, 44, T + (p - 1000) // 50, action="REJECT", eni=web1.id) for p in ports]
    mysql = [rec(CLIENT, web1.ip, 48170 + k, 3306, 6, 3, 180, T + 600 + k, action="REJECT", eni=web1.id)
             for k in range(2)]
    return topo, scan + mysql


def _store(tmp_path, lines) -> Store:
    store = Store(tmp_path / "vpcflow.duckdb")
    store.ingest([write(tmp_path / "f.log", lines)], format="default")
    return store


def test_a_scanner_the_detections_flag_gets_no_fix_naming_the_detection(tmp_path):
    topo, lines = _lines(range(1000, 1200))
    with _store(tmp_path, lines) as store:
        flagged = detect.run(store.con, store=False).findings
        rows = diagnose(store.con, topology=topo, flagged=flagged)
    scan = [r for r in rows if r["src"] == SCANNER]
    assert scan and all(r["fix"] == "no fix: flagged by port-scan-vertical" for r in scan)
    assert all(r["flagged_by"] == "port-scan-vertical" for r in scan)
    assert not any("allowing" in (r["fix"] or "") and SCANNER in r["fix"] for r in rows)


def test_traffic_no_detection_flags_keeps_its_fix(tmp_path):
    topo, lines = _lines(range(1000, 1200))
    with _store(tmp_path, lines) as store:
        rows = diagnose(store.con, topology=topo, flagged=detect.run(store.con, store=False).findings)
    (mysql,) = [r for r in rows if r["src"] == CLIENT]
    assert mysql["flagged_by"] is None
    assert mysql["fix"].startswith("add an inbound rule to ") and "tcp port 3306 from 203.0.113.121/32" in mysql["fix"]


def test_a_scan_of_contiguous_ports_is_one_row_with_the_range(tmp_path):
    topo, lines = _lines(range(1000, 1200))
    with _store(tmp_path, lines) as store:
        rows = diagnose(store.con, topology=topo)
    (scan,) = [r for r in rows if r["src"] == SCANNER]
    assert (scan["dst_port"], scan["dst_port_end"], scan["records"]) == (1000, 1199, 200)
    assert "allowing tcp ports 1000-1199 from 198.51.100.77/32" in scan["fix"]


def test_a_gap_in_the_ports_splits_the_range(tmp_path):
    topo, lines = _lines([*range(1020, 1031), *range(1001, 1011)])
    with _store(tmp_path, lines) as store:
        rows = diagnose(store.con, topology=topo)
    ranges = [(r["dst_port"], r["dst_port_end"], r["records"]) for r in rows if r["src"] == SCANNER]
    assert sorted(ranges) == [(1001, 1010, 10), (1020, 1030, 11)]


def test_the_diagnose_command_runs_the_detections_first(cli, tmp_path):
    _, lines = _lines(range(1000, 1200))
    db = tmp_path / "v.duckdb"
    assert cli("ingest", str(write(tmp_path / "f.log", lines)), "--db", str(db)).code == 0
    rows = cli("diagnose", "--db", db, "--topology", "seed-demo", "--output", "json").json()
    scan = [r for r in rows if r["src"] == SCANNER]
    assert len(scan) == 1 and scan[0]["fix"] == "no fix: flagged by port-scan-vertical"

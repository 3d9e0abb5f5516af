"""diagnose: which layer rejected traffic, with and without the configuration."""

from __future__ import annotations

from pathlib import Path

import yaml

from vpcflow.diagnose import diagnose
from vpcflow.network.load import load_topology
from vpcflow.store import Store

from .records import rec, write

# AWS's own example (flow log records documentation): a ping allowed in, its reply rejected going out.
PING = [
    "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK",
]


def _diagnose(tmp_path, lines, **kw):
    with Store(tmp_path / "vpcflow.duckdb") as store:
        store.ingest([write(tmp_path / "f.log", lines)], format="default")
        return diagnose(store.con, **kw)


def test_inbound_accept_with_rejected_reply_is_the_network_acl(tmp_path):
    (row,) = _diagnose(tmp_path, PING)
    assert (row["verdict"], row["direction"], row["src"], row["records"]) == ("network-acl", "inbound",
                                                                               "203.0.113.12", 2)


def test_inbound_reject_without_configuration_names_both_layers(tmp_path):
    lines = [rec("198.51.100.9", "10.0.0.5", 40000 + k, 3306, 6, 3, 180, 1767600000 + k, action="REJECT")
             for k in range(3)] + [rec("10.0.0.5", "10.0.1.7", 50000, 5432, 6, 5, 600, 1767600000)]
    (row,) = _diagnose(tmp_path, lines)
    assert (row["verdict"], row["direction"], row["dst_port"], row["records"], row["rule"], row["fix"]) == (
        "security-group-or-network-acl", "inbound", 3306, 3, None, None)


def test_outbound_reject_of_a_request_is_an_outbound_rule(tmp_path):
    lines = [rec("10.0.0.5", "192.0.2.10", 41000, 25, 6, 2, 120, 1767600000, action="REJECT"),
             rec("203.0.113.7", "10.0.0.5", 42000, 443, 6, 5, 600, 1767600000),
             rec("10.0.0.5", "203.0.113.7", 443, 42000, 6, 5, 6000, 1767600000)]
    (row,) = _diagnose(tmp_path, lines)
    assert (row["verdict"], row["direction"], row["dst"], row["dst_port"]) == (
        "security-group-or-network-acl", "outbound", "192.0.2.10", 25)


def test_times_are_the_first_and_last_seen(tmp_path):
    (row,) = _diagnose(tmp_path, PING)
    assert (row["first_seen"].isoformat(), row["last_seen"].isoformat()) == (
        "2015-05-29T16:30:27+00:00", "2015-05-29T16:32:22+00:00")


def _seed_demo_lines():
    topo = load_topology("seed-demo")
    web1, web2 = topo.interface("web-1"), topo.interface("web-2")
    ping = [rec("203.0.113.12", web2.ip, 0, 0, 1, 4, 336, 1767607335, eni=web2.id),
            rec(web2.ip, "203.0.113.12", 0, 0, 1, 4, 336, 1767607335, action="REJECT", eni=web2.id)]
    mysql = [rec("203.0.113.121", web1.ip, 48170 + k, 3306, 6, 3, 180, 1767627605 + k, action="REJECT", eni=web1.id)
             for k in range(2)]
    return topo, ping + mysql


def test_with_topology_the_network_acl_rule_and_fix_are_named(tmp_path):
    topo, lines = _seed_demo_lines()
    rows = _diagnose(tmp_path, lines, topology=topo)
    acl = next(r for r in rows if r["protocol"] == 1)
    acl_id = topo.acls["web-acl"].id
    assert (acl["verdict"], acl["rule"]) == ("network-acl", f"{acl_id} rule 90")
    assert acl["fix"] == (f"in the subnet's network ACL {acl_id}, add an outbound allow rule for icmp replies to "
                          "203.0.113.12 numbered below 90 (or remove rule 90)")


def test_with_topology_the_security_group_and_fix_are_named(tmp_path):
    topo, lines = _seed_demo_lines()
    rows = _diagnose(tmp_path, lines, topology=topo)
    sg = next(r for r in rows if r["dst_port"] == 3306)
    sg_id = topo.groups["web-sg"].id
    assert (sg["verdict"], sg["rule"], sg["records"]) == ("security-group", f"{sg_id} inbound", 2)
    assert sg["fix"] == f"add an inbound rule to {sg_id} allowing tcp port 3306 from 203.0.113.121/32 (or its CIDR)"


def test_filters_show_allowed_traffic_too(tmp_path):
    lines = [rec("203.0.113.7", "10.0.0.5", 42000, 443, 6, 5, 600, 1767600000),
             rec("10.0.0.5", "203.0.113.7", 443, 42000, 6, 5, 6000, 1767600000)]
    (row,) = _diagnose(tmp_path, lines, src="203.0.113.7", port=443)
    assert row["verdict"] == "allowed"


LAB_TOPOLOGY = Path(__file__).resolve().parents[2] / "vpcflow" / "lab" / "scenarios" / "nacl-ping.yaml"


def _lab_ping_lines(peer: str, eni: str = "eni-1235b8ca123456789"):
    """What the lab's agent writes for four pings over two capture windows: each request in, its reply dropped."""
    return [line for t in (1795398560, 1795398561) for line in (
        rec(peer, "172.31.16.139", 0, 0, 1, 2, 168, t, t, eni=eni),
        rec("172.31.16.139", peer, 0, 0, 1, 2, 168, t, t, action="REJECT", eni=eni))]


def test_lab_topology_names_the_acl_rule_for_the_ping_reply(tmp_path):
    acl_id = load_topology(str(LAB_TOPOLOGY)).acls["web-acl"].id
    (row,) = _diagnose(tmp_path, _lab_ping_lines("203.0.113.12"), topology=str(LAB_TOPOLOGY))
    assert (row["verdict"], row["rule"], row["records"]) == ("network-acl", f"{acl_id} rule 90", 4)


def _east_west_topology() -> dict:
    """The lab's ping topology with a second subnet whose instance pings the web instance (both private)."""
    spec = yaml.safe_load(LAB_TOPOLOGY.read_text())["topology"]
    spec["subnets"].append({"name": "app", "cidr": "172.31.32.0/20", "az_id": "use1-az4"})
    spec["interfaces"].append({"name": "app", "subnet": "app", "ip": "172.31.32.5", "security_groups": ["web-sg"],
                               "id": "eni-0ff0000000000000a"})
    return spec


def test_reply_dropped_on_the_way_out_names_the_outbound_rule_between_private_hosts(tmp_path):
    # Both addresses appear equally often and both are private: only the configuration tells whose interface it is.
    spec = _east_west_topology()
    acl_id = load_topology(spec).acls["web-acl"].id
    (row,) = _diagnose(tmp_path, _lab_ping_lines("172.31.32.5"), topology=spec)
    assert (row["direction"], row["verdict"], row["rule"]) == ("inbound", "network-acl", f"{acl_id} rule 90")
    assert row["fix"] == (f"in the subnet's network ACL {acl_id}, add an outbound allow rule for icmp replies to "
                          "172.31.32.5 numbered below 90 (or remove rule 90)")


def test_tcp_reply_dropped_on_the_way_out_asks_for_an_outbound_ephemeral_rule(tmp_path):
    spec = yaml.safe_load(LAB_TOPOLOGY.read_text())["topology"]
    spec["network_acls"][0]["outbound"] = [{"rule": 100, "protocol": "icmp", "cidr": "0.0.0.0/0", "action": "allow"}]
    acl_id = load_topology(spec).acls["web-acl"].id
    eni = "eni-1235b8ca123456789"
    lines = [rec("203.0.113.12", "172.31.16.139", 51000, 80, 6, 3, 180, 1795398560, eni=eni),
             rec("172.31.16.139", "203.0.113.12", 80, 51000, 6, 2, 120, 1795398560, action="REJECT", eni=eni)]
    (row,) = _diagnose(tmp_path, lines, topology=spec)
    assert (row["direction"], row["rule"]) == ("inbound", f"{acl_id} rule *")
    assert row["fix"] == (f"in the subnet's network ACL {acl_id}, add an outbound allow rule for tcp replies to "
                          "203.0.113.12 on ephemeral ports 1024-65535")

"""Built-in scenarios, labels, scenario errors and the `simulate` command."""

from __future__ import annotations

import json

import pytest

from vpcflow.emulate import Emulation, ScenarioError, builtin_names, simulate
from vpcflow.emulate.events import KINDS
from vpcflow.errors import NotFound

DETECTORS = {"port-scan-vertical", "port-scan-horizontal", "slow-scan", "port-sweep", "ssh-brute-force",
             "rdp-brute-force", "winrm-brute-force", "exfiltration", "beaconing", "dos-inbound", "dos-outbound",
             "udp-on-tcp-ports", "crypto-mining", "unusual-port", "spam", "known-bad-peer", "reject-spike",
             "diagnose"}


def test_builtin_scenarios_are_listed():
    names = builtin_names()
    assert names == sorted(names) and {"attack-zoo", "cost-demo", "enterprise", "seed-demo"} <= set(names)


def test_every_event_kind_names_a_known_detector():
    assert {k.detector for k in KINDS.values()} <= DETECTORS


def test_attack_zoo_injects_every_kind_several_times():
    labels = Emulation("attack-zoo").labels()
    counts = {kind: sum(1 for label in labels if label["kind"] == kind) for kind in KINDS}
    assert min(counts.values()) >= 3


def test_block_labels_name_the_layer_and_rule():
    labels = [label for label in Emulation("attack-zoo").labels() if label["expected_detector"] == "diagnose"]
    layers = {label["kind"]: (label["layer"], label["rule"]) for label in labels}
    assert layers["nacl-blocks-return"][0] == "network-acl" and " rule 90" in layers["nacl-blocks-return"][1]
    assert layers["sg-blocks-service"][0] == "security-group" and layers["sg-blocks-service"][1].startswith("sg-")


def test_enterprise_has_three_tiers_and_fifty_interfaces():
    emulation = Emulation("enterprise")
    assert len(emulation.topology.interfaces) >= 50
    assert {"web-a", "app-a", "db-a", "nat-a"} <= set(emulation.topology.roles)
    assert emulation.end - emulation.start == 7 * 86400


def test_labels_are_written_with_iso_times(tmp_path):
    simulate("attack-zoo", tmp_path, duration="8h", destination="firehose")
    labels = [json.loads(line) for line in (tmp_path / "labels.jsonl").read_text().splitlines()]
    assert len(labels) == 19
    assert all(label["start"].endswith("Z") and label["start"] <= label["end"] for label in labels)


def test_seed_demo_day_is_fast_enough_to_build_on(tmp_path):
    summary = simulate("seed-demo", tmp_path)
    assert summary.records > 10_000 and summary.nodata > 0 and summary.unlogged_sessions > 0


def _mini(**changes) -> dict:
    spec = {"topology": {"vpc": {"cidr": "10.0.0.0/16"},
                         "subnets": [{"name": "s", "cidr": "10.0.0.0/24", "public": True}],
                         "interfaces": [{"name": "web", "subnet": "s", "public": True}],
                         "peers": [{"name": "x", "ip": "203.0.113.9"}]},
            "duration": "1h"}
    spec.update(changes)
    return spec


def test_unknown_subnet_is_reported_with_its_location():
    spec = _mini()
    spec["topology"]["interfaces"][0]["subnet"] = "nope"
    with pytest.raises(ScenarioError, match=r"topology.interfaces\[0\]: unknown subnet 'nope'"):
        Emulation(spec)


def test_unknown_event_kind_lists_the_kinds():
    with pytest.raises(ScenarioError, match=r"events\[0\]: unknown event kind 'teleport'.*port-scan-vertical"):
        Emulation(_mini(events=[{"kind": "teleport"}]))


def test_block_event_the_topology_does_not_block_is_refused():
    with pytest.raises(ScenarioError, match="does not drop the reply at a network ACL"):
        Emulation(_mini(events=[{"kind": "nacl-blocks-return", "from": "x", "to": "web"}]))


def test_missing_scenario_file_names_the_built_ins():
    with pytest.raises(NotFound, match="seed-demo"):
        Emulation("no-such-scenario.yaml")


def test_cli_lists_scenarios(cli):
    result = cli("simulate", "--list", "-o", "json")
    assert result.code == 0
    names = [row["scenario"] for row in result.json()]
    assert names == builtin_names() and "cost-demo" in names


def test_cli_simulates_into_a_folder(cli, tmp_path):
    result = cli("simulate", "seed-demo", "--out", tmp_path, "--duration", "1h", "--destination", "s3",
                 "--file-format", "parquet", "--per-hour", "-o", "json")
    assert result.code == 0, result.err
    assert result.json()["records"] > 0
    assert list((tmp_path / "AWSLogs").rglob("*.log.parquet"))


def test_cli_error_is_one_line(cli, tmp_path):
    result = cli("simulate", "seed-demo", "--out", tmp_path, "--duration", "soon")
    assert result.code == 1
    assert "bad duration 'soon'" in result.err and len(result.err.strip().splitlines()) == 1

"""The emulated internet: seeded and deterministic, scanners at the configured rate on every public address,
periodic fleet traffic on its period, and attack labels that say which events are actionable."""

from __future__ import annotations

import copy
import json

import pytest

from vpcflow.emulate import Emulation, load_scenario, simulate
from vpcflow.emulate.internet import Internet
from vpcflow.errors import VpcFlowError


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_seed_writes_the_same_day(tmp_path):
    simulate("internet-day", tmp_path / "a", seed=5, duration="2h", destination="cloudwatch")
    simulate("internet-day", tmp_path / "b", seed=5, duration="2h", destination="cloudwatch")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def _sessions(spec: dict, hours: int):
    emu = Emulation(spec, duration=f"{hours}h")
    out = []
    for h in range(hours):
        emu.internet.sessions(emu.start + h * 3600, emu.start, emu.end, out)
    return emu, out


def test_each_public_address_sees_the_configured_scanners_a_day():
    spec = copy.deepcopy(load_scenario("internet-day").spec)
    spec["internet"].update(scanners_per_day=1000, hit_share=0.8)
    emu, sessions = _sessions(spec, 24)
    web = emu.topology.roles["web-1"][0]
    research = set(emu.internet.research)
    scanners = {s.client for s in sessions if s.server is web and s.shape.startswith("probe") and
                s.client not in research}
    assert 700 <= len(scanners) <= 900  # 1000 a day, 80% of them reach any one address


def test_a_periodic_heartbeat_keeps_its_period():
    spec = copy.deepcopy(load_scenario("internet-day").spec)
    emu, sessions = _sessions(spec, 2)
    monitoring = emu.topology.peers["monitoring"].ips[0]
    web = emu.topology.roles["web-1"][0]
    beats = sorted(s.t0 for s in sessions if s.client is web and s.server == monitoring)
    gaps = [b - a for a, b in zip(beats, beats[1:], strict=False)]
    assert len(beats) >= 118 and all(54 <= g <= 66 for g in gaps)


def test_attack_labels_say_which_are_actionable(tmp_path):
    simulate("internet-day", tmp_path, seed=5, duration="24h", destination="cloudwatch")
    labels = [json.loads(line) for line in (tmp_path / "labels.jsonl").read_text().splitlines()]
    rated = [lb for lb in labels if lb["kind"] == "ssh-brute-force"]
    assert sorted((lb["strength"], lb["actionable"]) for lb in rated) == [(0.5, False), (1.25, True), (2.0, True)]


def test_an_unknown_attack_family_names_its_entry():
    spec = copy.deepcopy(load_scenario("internet-day").spec)
    spec["attacks"] = [{"family": "port-knock", "from": "app-1", "to": "victims"}]
    with pytest.raises(VpcFlowError) as err:
        Emulation(spec)
    assert err.value.location == "attacks[0]" and "unknown attack family 'port-knock'" in err.value.message


def test_a_periodic_entry_naming_nothing_is_refused():
    spec = copy.deepcopy(load_scenario("internet-day").spec)
    with pytest.raises(VpcFlowError) as err:
        Internet(Emulation(spec).topology, {"periodic": [{"from": "nobody", "to": "monitoring"}]}, 1, {})
    assert err.value.location == "internet.periodic[0]"

"""Small fixed VPCs for the emulator tests, built through the library (no files)."""

from __future__ import annotations

from vpcflow.deliver.records import Renderer
from vpcflow.emulate.capture import Capture
from vpcflow.fields import LogFormat
from vpcflow.network import build_topology
from vpcflow.network.evaluator import Rules


def capture_lines(topology_spec: dict, sessions, *, start: int, end: int, interval: int = 600,
                  format: str = "default", interfaces: list[str] | None = None, keep_nodata: bool = False):
    """The lines a flow log on `interfaces` (default: all) writes for hand-built sessions, windows aligned."""
    topology = build_topology(topology_spec)
    rules = Rules(topology)
    capture = Capture(topology, rules, interval, start, end, aligned=True)
    for make in sessions:
        capture.add(make(topology))
    records = capture.flush(float("inf"))
    wanted = {i.index for name in interfaces for i in topology.roles[name]} if interfaces else None
    records = [r for r in records if (wanted is None or r[0] in wanted) and (keep_nodata or r[11] == "OK")]
    return Renderer(LogFormat.parse(format), topology).lines(records)

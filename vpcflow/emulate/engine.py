"""simulate(): a scenario in, AWS-shaped flow-log files and ground-truth labels out."""

from __future__ import annotations

import gc
import json
import random
from bisect import bisect_left
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path

from ..deliver.base import writer_for
from ..network.build import build_topology
from ..network.evaluator import Rules
from ..network.topology import Interface, ScenarioError
from .attacks import attacks
from .capture import Capture
from .events import KINDS, Event
from .internet import Internet
from .paths import PathTruth
from .scenario import Scenario, flow_logs, load_scenario, parse_time, seconds
from .traffic import Conversation, Session

DEFAULT_START = "2026-01-05T00:00:00Z"
_T0 = itemgetter(0)  # a Session's first packet


@dataclass
class SimulationSummary:
    """What a run wrote."""

    scenario: str
    out: Path
    start: datetime
    end: datetime
    sessions: int = 0
    records: int = 0  # records written, summed over flow logs
    nodata: int = 0
    skipdata: int = 0
    unlogged_sessions: int = 0  # sessions AWS never logs (Amazon DNS, metadata, Time Sync, DHCP)
    labels: int = 0
    files: list[Path] = field(default_factory=list)
    flow_logs: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"scenario": self.scenario, "out": str(self.out), "start": self.start, "end": self.end,
                "sessions": self.sessions, "records": self.records, "nodata": self.nodata,
                "skipdata": self.skipdata, "unlogged_sessions": self.unlogged_sessions, "labels": self.labels,
                "files": len(self.files), "flow_logs": ",".join(self.flow_logs)}


class Emulation:
    """A loaded scenario: topology, rules, conversations and events, ready to produce sessions hour by hour."""

    def __init__(self, scenario, *, seed: int | None = None, start=None, duration=None, overrides=None):
        self.scenario: Scenario = load_scenario(scenario)
        spec = self.scenario.spec
        self.seed = int(seed if seed is not None else spec.get("seed", 1))
        self.start = parse_time(start or spec.get("start", DEFAULT_START))
        self.end = self.start + seconds(duration or spec.get("duration", "24h"))
        if self.end <= self.start:
            raise ScenarioError("duration must be positive")
        self.topology = build_topology(spec.get("topology"))
        self.rules = Rules(self.topology)
        self.flow_logs = flow_logs(spec.get("flow_logs"), self.topology, overrides or {})
        self.skipdata_rate = float(spec.get("skipdata_rate", 0.0))
        self.conversations = [Conversation(self.topology, c, f"conversations[{n}]")
                              for n, c in enumerate(spec.get("conversations") or [])]
        self.traffic_rng = random.Random(f"{self.seed}:traffic")
        self.events = self._events(spec.get("events") or [])
        self.internet = Internet(self.topology, spec["internet"], self.seed, self.listening()) \
            if spec.get("internet") else None  # background radiation, fleets' periodic traffic
        self.attacks = attacks(self.topology, spec.get("attacks"), self.seed, self.start, self.end)
        self.event_sessions = sorted((s for e in self.events + self.attacks for s in e.sessions if s.t0 < self.end),
                                     key=lambda s: s.t0)
        self._event_starts = [s.t0 for s in self.event_sessions]

    def listening(self) -> dict[str, set[int]]:
        """Ports each server address answers on: its conversations' ports and the topology's `listens`."""
        ports: dict[str, set[int]] = {}
        for conv in self.conversations:
            for server in conv.servers.all:
                if isinstance(server, Interface):
                    ports.setdefault(server.ip, set()).add(conv.port)
        for spec in self.scenario.spec.get("topology", {}).get("interfaces") or []:
            for iface in self.topology.roles.get(spec["name"], []):
                ports.setdefault(iface.ip, set()).update(int(p) for p in spec.get("listens") or [])
        return ports

    def _events(self, specs: list) -> list[Event]:
        rng = random.Random(f"{self.seed}:events")
        listening = self.listening()
        events = []
        for n, spec in enumerate(specs):
            where = f"events[{n}]"
            if spec.get("kind") not in KINDS:
                raise ScenarioError(f"unknown event kind {spec.get('kind')!r}", location=where,
                                    hint=f"use one of {', '.join(sorted(KINDS))}")
            first = self.start + seconds(spec.get("at", 0), where + ".at")
            every = seconds(spec.get("every", "6h"), where + ".every")
            for k in range(int(spec.get("repeat", 1))):
                t = first + k * every
                if t < self.end:
                    events.append(Event(self.topology, self.rules, listening, spec, t, rng, where))
        return events

    def hour(self, hour_start: int) -> list[Session]:
        """Every session that starts in the hour, conversations first, in start order."""
        out: list[Session] = []
        for conv in self.conversations:
            conv.sessions(self.traffic_rng, hour_start, out)
        if self.internet is not None:
            self.internet.sessions(hour_start, self.start, self.end, out)
        hour_end = min(hour_start + 3600, self.end)
        out = [s for s in out if self.start <= s.t0 < hour_end]
        events = self.event_sessions  # sorted by start: the hour's are one slice
        out.extend(events[bisect_left(self._event_starts, hour_start):bisect_left(self._event_starts, hour_end)])
        out.sort(key=_T0)
        return out

    def labels(self) -> list[dict]:
        return sorted((e.label for e in self.events + self.attacks), key=lambda label: (label["start"] or "", label["kind"]))


def simulate(scenario, out, *, seed: int | None = None, start: str | datetime | None = None,
             duration: str | int | None = None, destination: str | None = None, file_format: str | None = None,
             hive: bool | None = None, per_hour: bool | None = None, format: str | None = None,
             interval: int | None = None, traffic_type: str | None = None,
             compression: str | None = None) -> SimulationSummary:
    """Emulate a scenario and write its flow logs under `out` in AWS's layouts, plus `out/labels.jsonl`.

    `scenario` is a built-in name (see `builtin_names()`), a YAML path or a mapping. The keyword options
    override every flow log of the scenario. The same scenario and seed give byte-identical files.
    """
    overrides = {"destination": destination, "file_format": file_format, "hive": hive, "per_hour": per_hour,
                 "format": format, "interval": interval, "traffic_type": traffic_type, "compression": compression}
    emu = Emulation(scenario, seed=seed, start=start, duration=duration, overrides=overrides)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    writers = [writer_for(fl, emu.topology, out) for fl in emu.flow_logs]
    captures = {interval: Capture(emu.topology, emu.rules, interval, emu.start, emu.end, emu.skipdata_rate,
                                  emu.seed) for interval in sorted({fl.interval for fl in emu.flow_logs})}
    truth = PathTruth(emu.topology)
    next(iter(captures.values())).observe = truth.observe
    summary = SimulationSummary(emu.scenario.name, out, datetime.fromtimestamp(emu.start, UTC),
                                datetime.fromtimestamp(emu.end, UTC), flow_logs=[fl.id for fl in emu.flow_logs])
    with _no_cycle_collection():
        hour = emu.start - emu.start % 3600
        while hour < emu.end:
            sessions = emu.hour(hour)
            summary.sessions += len(sessions)
            upto = min(hour + 3600, emu.end)
            last = upto >= emu.end
            for interval, capture in captures.items():
                add = capture.add
                for s in sessions:
                    add(s)
                _deliver(capture.flush(float("inf") if last else upto), interval, writers,
                         float("inf") if last else upto - interval)
            hour += 3600
    for w in writers:
        w.close()
        summary.records += w.records
        summary.files.extend(w.files)
    summary.nodata = sum(capture.nodata_windows for capture in captures.values())
    summary.skipdata = sum(capture.skipped_windows for capture in captures.values())
    first = next(iter(captures.values()))
    summary.unlogged_sessions = first.unlogged
    truth.write(out)
    labels = emu.labels()
    (out / "labels.jsonl").write_text("".join(json.dumps(label, sort_keys=False) + "\n" for label in labels))
    summary.labels = len(labels)
    return summary


@contextmanager
def _no_cycle_collection():
    """Sessions and records hold no cycles; the collector would only keep re-walking the pending windows."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _deliver(records, interval, writers, complete_before) -> None:
    for w in writers:
        if w.flow_log.interval == interval:
            w.write(records, complete_before)

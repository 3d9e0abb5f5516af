"""Injected events: attacks and misconfigurations, each turned into sessions and one ground-truth label.

A kind is a row of KINDS: the detector expected to find it, its defaults, and the function that makes its
sessions. Times in a label are the first and last packet of the event.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ..network.evaluator import Rules
from ..network.topology import Interface, ScenarioError, Topology, protocol_number
from .traffic import FLOW, PROBE_CLOSED, PROBE_OPEN, SYN, TCP, Endpoints, Session, packets_for


@dataclass(frozen=True)
class Kind:
    detector: str
    make: Callable
    defaults: dict


def iso(t: float) -> str:
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def address(endpoint) -> str:
    return endpoint.ip if isinstance(endpoint, Interface) else endpoint


class Event:
    """One occurrence of an injected event: its parameters, sessions and label."""

    def __init__(self, topology: Topology, rules: Rules, listening: dict, spec: dict, t: float,
                 rng: random.Random, where: str):
        self.kind_name = spec["kind"]
        self.kind = KINDS[self.kind_name]
        self.p = {**self.kind.defaults, **spec}
        self.topology, self.rules, self.listening, self.rng, self.where = topology, rules, listening, rng, where
        self.t = t
        self.protocol = protocol_number(self.p.get("protocol", "tcp"))
        self.sessions: list[Session] = []
        self.label: dict = {}
        self.kind.make(self)
        if self.sessions:
            self.label.setdefault("start", iso(min(s.t0 for s in self.sessions)))
            self.label.setdefault("end", iso(max(s.t1 for s in self.sessions)))
        self.label = {"kind": self.kind_name, "src": self.label.get("src"), "dst": self.label.get("dst"),
                      "dst_port": self.label.get("dst_port"), "start": self.label.get("start"),
                      "end": self.label.get("end"), "expected_detector": self.kind.detector,
                      **{k: v for k, v in self.label.items() if k in ("layer", "rule")}}

    def side(self, key: str) -> Endpoints:
        if key not in self.p:
            raise ScenarioError(f"event {self.kind_name} needs '{key}'", location=self.where)
        return Endpoints.of(self.topology, self.p[key], False, f"{self.where}.{key}")

    def one(self, key: str):
        side = self.side(key)
        return side.all[0] if len(side.all) == 1 else side.pick(self.rng)

    def ports(self) -> list[int]:
        value = self.p["ports"]
        if isinstance(value, list):
            return [int(v) for v in value]
        low, _, high = str(value).partition("-")
        return list(range(int(low), int(high or low) + 1))

    def probe(self, t, src, dst, port, sport, nbytes) -> None:
        """One SYN probe: answered by SYN-ACK when the target listens on the port, else by RST."""
        shape = PROBE_OPEN if port in self.listening.get(address(dst), ()) else PROBE_CLOSED
        self.add(t, t, src, dst, port, 1, nbytes, 0, 0, shape, sport)

    def add(self, t0, t1, src, dst, port, req_packets, req_bytes, resp_packets, resp_bytes, shape, sport=None):
        sport = sport if sport is not None else self.rng.randint(32768, 60999) if self.protocol in (6, 17) else 0
        port = port if self.protocol in (6, 17) else 0
        self.sessions.append(Session(t0, t1, src, dst, self.protocol, sport, port, req_packets, req_bytes,
                                     resp_packets, resp_bytes, shape))

    def connection(self, t, src, dst, port, req: float, resp: float, duration: float) -> None:
        rp, rb = packets_for(req, self.protocol, 4)
        sp, sb = packets_for(resp, self.protocol, 3)
        self.add(t, t + duration, src, dst, port, rp, rb, sp, sb, TCP if self.protocol == 6 else FLOW)

    def span(self, rate_per_min: float, minutes: float):
        """Times of `rate_per_min` events a minute over `minutes`, with jitter."""
        n = max(1, int(rate_per_min * minutes))
        gap = minutes * 60 / n
        return [self.t + k * gap + self.rng.random() * gap * 0.5 for k in range(n)]

    def set_label(self, src, dst, port) -> None:
        self.label.update(src=address(src) if src is not None else None,
                          dst=address(dst) if dst is not None else None,
                          dst_port=port if self.protocol in (6, 17) else None)


def _vertical(e: Event) -> None:
    src, dst = e.one("from"), e.one("to")
    sport, nbytes, gap = e.rng.randint(40000, 60000), e.rng.choice((40, 44, 48, 60)), 1 / float(e.p["rate"])
    for k, port in enumerate(e.ports()):
        e.probe(e.t + k * gap, src, dst, port, sport, nbytes)
    e.set_label(src, dst, None)


def _slow(e: Event) -> None:
    src, dst = e.one("from"), e.one("to")
    sport, nbytes, t = e.rng.randint(40000, 60000), e.rng.choice((40, 44, 48, 60)), e.t
    for port in e.ports():
        e.probe(t, src, dst, port, sport, nbytes)
        t += float(e.p["interval"]) * (0.7 + 0.6 * e.rng.random())
    e.set_label(src, dst, None)


def _horizontal(e: Event) -> None:
    src, targets, ports = e.one("from"), e.side("to").all, e.ports()
    sport, nbytes, gap, k = e.rng.randint(40000, 60000), e.rng.choice((40, 44, 48, 60)), 1 / float(e.p["rate"]), 0
    for port in ports:
        for dst in targets:
            e.probe(e.t + k * gap, src, dst, port, sport, nbytes)
            k += 1
    e.set_label(src, None, ports[0] if len(ports) == 1 else None)


def _sweep(e: Event) -> None:
    src, targets, port = e.one("from"), e.side("to").all, int(e.p["port"])
    gap = 1 / float(e.p["rate"])
    for k, dst in enumerate(targets):
        e.add(e.t + k * gap, e.t + k * gap, src, dst, port, 1, 60, 0, 0, SYN)
    e.set_label(src, None, port)


def _brute(e: Event) -> None:
    src, dst, port = e.one("from"), e.one("to"), int(e.p["port"])
    for t in e.span(float(e.p["rate"]), float(e.p["minutes"])):
        e.connection(t, src, dst, port, 2200 + e.rng.random() * 800, 2800 + e.rng.random() * 1200,
                     1.5 + e.rng.random() * 2.5)
    e.set_label(src, dst, port)


def _exfiltration(e: Event) -> None:
    src, dst, port = e.one("from"), e.one("to"), int(e.p["port"])
    streams, seconds = int(e.p["streams"]), float(e.p["minutes"]) * 60
    for k in range(streams):
        t0 = e.t + k * 5
        nbytes = float(e.p["bytes"]) / streams
        rp, rb = packets_for(nbytes, 6, 4)
        e.add(t0, t0 + seconds, src, dst, port, rp, rb, rp // 2 + 3, (rp // 2 + 3) * 52, TCP)
    e.set_label(src, dst, port)


def _beaconing(e: Event) -> None:
    src, dst, port = e.one("from"), e.one("to"), int(e.p["port"])
    period, jitter, t, stop = float(e.p["period"]), float(e.p["jitter"]), e.t, e.t + float(e.p["minutes"]) * 60
    while t < stop:
        e.connection(t, src, dst, port, 350 + e.rng.random() * 100, 300 + e.rng.random() * 400, 0.3)
        t += period * (1 + jitter * (2 * e.rng.random() - 1))
    e.set_label(src, dst, port)


def _flood(e: Event) -> None:
    sources, dst, port = e.side("from").all[: int(e.p["sources"])], e.one("to"), int(e.p["port"])
    seconds = float(e.p["minutes"]) * 60
    packets = max(1, int(float(e.p["pps"]) * seconds / len(sources)))
    size = int(e.p["packet_bytes"])
    for src in sources:
        if e.protocol == 6:
            e.add(e.t, e.t + seconds, src, dst, port, packets, packets * size, 0, 0, SYN)
        else:
            e.add(e.t, e.t + seconds, src, dst, port, packets, packets * size, 0, 0, FLOW)
    e.set_label(sources[0] if len(sources) == 1 else None, dst, port)


def _sessions(e: Event) -> None:
    """A few ordinary-looking connections: what matters is where they go (unusual port, pool, bad peer)."""
    src, dst, port = e.one("from"), e.one("to"), int(e.p["port"])
    for t in e.span(float(e.p["rate"]), float(e.p["minutes"])):
        e.connection(t, src, dst, port, float(e.p["request_bytes"]), float(e.p["response_bytes"]),
                     float(e.p["duration"]))
    e.set_label(src, dst, port)


def _spam(e: Event) -> None:
    src, targets, port = e.one("from"), e.side("to").all, int(e.p["port"])
    for k, t in enumerate(e.span(float(e.p["rate"]), float(e.p["minutes"]))):
        e.connection(t, src, targets[k % len(targets)], port, 4000 + e.rng.random() * 8000, 600, 2.0)
    e.set_label(src, None, port)


def _reject_spike(e: Event) -> None:
    sources, dst, port = e.side("from").all, e.one("to"), int(e.p["port"])
    for k, t in enumerate(e.span(float(e.p["rate"]), float(e.p["minutes"]))):
        e.connection(t, sources[k % len(sources)], dst, port, 600, 600, 1.0)
    e.set_label(None, dst, port)


def _blocked(layer: str) -> Callable:
    def make(e: Event) -> None:
        src, dst, port = e.one("from"), e.one("to"), int(e.p.get("port", 0))
        port = port if e.protocol in (6, 17) else 0
        out, delivered = e.rules.leg(src, dst, e.protocol, 40000, port, False, 40000)
        if layer == "network-acl":  # the request gets in; the reply is dropped by the stateless ACL
            back, answered = e.rules.leg(dst, src, e.protocol, port, 40000, True, 40000) if delivered else ([], 0)
            reason = back[-1].reason if back and not answered else None
            if not delivered or reason is None or not reason.startswith("acl-"):
                raise ScenarioError("nacl-blocks-return: the topology does not drop the reply at a network ACL",
                                    location=e.where, hint="add an outbound deny rule to the target's ACL")
        else:
            reason = out[-1].reason if not delivered else None
            if reason is None or reason.startswith("acl-"):
                raise ScenarioError("sg-blocks-service: no security group drops this request", location=e.where,
                                    hint="target a port the target's security groups do not allow")
        for t in e.span(float(e.p["rate"]), float(e.p["minutes"])):
            if e.protocol == 6:
                e.connection(t, src, dst, port, 600, 1200, 1.0)
            else:
                e.add(t, t + 0.5, src, dst, port, 4, 4 * int(e.p["packet_bytes"]), 4, 4 * int(e.p["packet_bytes"]),
                      FLOW, 0 if e.protocol == 1 else None)
        e.set_label(src, dst, port)
        e.label.update(layer=layer, rule=reason)
    return make


_SCAN = {"from": "scanner", "ports": "1-1024", "rate": 200}
_BRUTE = {"rate": 20, "minutes": 15}
_FEW = {"rate": 0.5, "minutes": 20, "request_bytes": 800, "response_bytes": 1500, "duration": 2.0}
KINDS: dict[str, Kind] = {
    "port-scan-vertical": Kind("port-scan-vertical", _vertical, _SCAN),
    "port-scan-horizontal": Kind("port-scan-horizontal", _horizontal, {**_SCAN, "ports": [22, 3389, 445]}),
    "slow-scan": Kind("slow-scan", _slow, {**_SCAN, "ports": "20-140", "interval": 45}),
    "port-sweep": Kind("port-sweep", _sweep, {"port": 445, "rate": 5}),
    "ssh-brute-force": Kind("ssh-brute-force", _brute, {**_BRUTE, "port": 22}),
    "rdp-brute-force": Kind("rdp-brute-force", _brute, {**_BRUTE, "port": 3389}),
    "winrm-brute-force": Kind("winrm-brute-force", _brute, {**_BRUTE, "port": 5985}),
    "exfiltration": Kind("exfiltration", _exfiltration, {"port": 443, "bytes": 3e9, "minutes": 25, "streams": 4}),
    "beaconing": Kind("beaconing", _beaconing, {"port": 443, "period": 60, "jitter": 0.1, "minutes": 360}),
    "dos-inbound": Kind("dos-inbound", _flood, {"port": 80, "pps": 20000, "minutes": 10, "sources": 20,
                                                 "packet_bytes": 60}),
    "dos-outbound": Kind("dos-outbound", _flood, {"port": 53, "protocol": "udp", "pps": 30000, "minutes": 10,
                                                   "sources": 1, "packet_bytes": 512}),
    "udp-on-tcp-ports": Kind("udp-on-tcp-ports", _flood, {"port": 443, "protocol": "udp", "pps": 8000,
                                                           "minutes": 10, "sources": 1, "packet_bytes": 1200}),
    "crypto-mining": Kind("crypto-mining", _sessions, {**_FEW, "port": 3333, "rate": 0.05, "minutes": 240,
                                                      "duration": 1200, "request_bytes": 60000,
                                                      "response_bytes": 90000}),
    "unusual-port": Kind("unusual-port", _sessions, {**_FEW, "port": 31337}),
    "spam": Kind("spam", _spam, {"port": 25, "rate": 60, "minutes": 10}),
    "known-bad-peer": Kind("known-bad-peer", _sessions, {**_FEW, "port": 443}),
    "reject-spike": Kind("reject-spike", _reject_spike, {"rate": 60, "minutes": 5}),
    "nacl-blocks-return": Kind("diagnose", _blocked("network-acl"), {"protocol": "icmp", "rate": 1,
                                                                     "minutes": 3, "packet_bytes": 84}),
    "sg-blocks-service": Kind("diagnose", _blocked("security-group"), {"rate": 2, "minutes": 10,
                                                                       "packet_bytes": 84}),
}

"""The internet around an internet-facing VPC: what every public address receives and what every fleet sends,
written as sessions beside a scenario's conversations, from the scenario's `internet:` mapping.

- background radiation: scanners a day per public address, each probing a few ports (weights below), the
  security groups accepting or rejecting them as they would;
- research scanners sweeping many ports of every public address slowly over the day;
- credential guessing on exposed login ports (a few attempts per source);
- periodic traffic (`periodic:`): fleet heartbeats to monitoring, update checks, health checks, backups.

Rates and their sources are in docs/detections.md ("The emulated internet"). Every draw comes from a generator
seeded by the scenario's seed and the hour, so the same seed gives the same day.
"""

from __future__ import annotations

import random
import zlib

from ..network.topology import Interface, ScenarioError, Topology
from .traffic import FLOW, PROBE_CLOSED, PROBE_OPEN, TCP, Session, poisson

# Ports scanners probe, weighted: Telnet, SSH and SQL lead (a 24-hour capture of one home connection: 1,018
# sources, 1,167 ports; the rest spread thinly), then the web, remote desktop, SMB, and data stores.
SCAN_PORTS = {23: 14, 22: 10, 1433: 8, 445: 6, 80: 6, 443: 5, 3389: 5, 8080: 4, 2323: 3, 5900: 3, 3306: 3,
              6379: 2, 9200: 2, 2375: 2, 8088: 1.5, 5432: 2, 27017: 1.5, 25: 1, 21: 2, 8443: 2, 81: 1, 7547: 2,
              5555: 1.5, 11211: 1, 9300: 0.5, 10250: 0.5}
HIGH_PORTS = 0.2  # share of probes to a random port 1024-65535 (the long tail)
FIRST_OCTETS = [o for o in range(1, 224) if o not in (10, 100, 127, 169, 172, 192, 198, 203)]


def _address(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_OCTETS)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


class Internet:
    """The `internet:` mapping of a scenario, turned into sessions hour by hour."""

    def __init__(self, topology: Topology, spec: dict | None, seed: int, listening: dict[str, set[int]]):
        spec = spec or {}
        self.topology, self.seed, self.listening = topology, seed, listening
        self.public = [i for i in topology.interfaces if i.public and i.kind == "instance"]
        self.scanners_per_day = float(spec.get("scanners_per_day", 1000))
        self.ports_per_scanner = int(spec.get("ports_per_scanner", 3))
        self.hit_share = float(spec.get("hit_share", 0.8))
        research = spec.get("research") or {}
        self.research = [f"198.18.{k}.{10 + k}" for k in range(int(research.get("scanners", 6)))]
        self.research_ports = int(research.get("ports", 40))
        guessing = spec.get("login_guessing") or {}
        self.guess_rate = float(guessing.get("per_hour", 60))  # attempts an hour per exposed login port
        self.login_ports = [int(p) for p in guessing.get("ports", [22, 3389])]
        self.periodic = [self._periodic(p, f"internet.periodic[{n}]") for n, p in
                         enumerate(spec.get("periodic") or [])]

    def _periodic(self, spec: dict, where: str) -> dict:
        def side(name):
            if name in self.topology.roles:
                return list(self.topology.roles[name])
            if name in self.topology.peers:
                return list(self.topology.peers[name].ips)
            raise ScenarioError(f"{name!r} is neither an interface nor a peer", location=where)
        every = float(spec.get("every", 60))
        if every <= 0:
            raise ScenarioError("every must be positive", location=where)
        return {"clients": side(spec["from"]), "servers": side(spec["to"]), "port": int(spec.get("port", 443)),
                "protocol": 17 if str(spec.get("protocol", "tcp")).lower() == "udp" else 6, "every": every,
                "jitter": float(spec.get("jitter", 0.05)), "request": float(spec.get("request_bytes", 600)),
                "response": float(spec.get("response_bytes", 1500)), "duration": float(spec.get("duration", 0.5))}

    def sessions(self, hour_start: int, start: int, end: int, out: list[Session]) -> None:
        """Append the sessions that start in the hour (clipped to the run's [start, end))."""
        rng = random.Random(f"{self.seed}:internet:{hour_start}")
        lo, hi = max(hour_start, start), min(hour_start + 3600, end)
        if lo >= hi:
            return
        made: list[Session] = []
        self._background(rng, lo, hi, made)
        self._research(rng, lo, hi, made)
        self._guessing(rng, lo, hi, made)
        for p in self.periodic:
            self._repeat(rng, p, lo, hi, made)
        out.extend(s for s in made if lo <= s.t0 < hi)

    def _probe(self, t: float, src: str, iface: Interface, port: int, rng: random.Random, out: list) -> None:
        shape = PROBE_OPEN if port in self.listening.get(iface.ip, ()) else PROBE_CLOSED
        out.append(Session(t, t, src, iface, 6, rng.randint(32768, 65000), port, 1, rng.choice((40, 44, 60)), 0, 0,
                           shape))

    def _port(self, rng: random.Random) -> int:
        if rng.random() < HIGH_PORTS:
            return rng.randint(1024, 65535)
        return rng.choices(list(SCAN_PORTS), weights=list(SCAN_PORTS.values()))[0]

    def _background(self, rng, lo, hi, out) -> None:
        for _ in range(poisson(rng, self.scanners_per_day * (hi - lo) / 86400)):
            src, t = _address(rng), lo + rng.random() * (hi - lo)
            ports = [self._port(rng) for _ in range(1 + int(rng.random() * self.ports_per_scanner))]
            for k, iface in enumerate(self.public):  # internet-wide scanners walk the whole range in seconds
                if rng.random() < self.hit_share:
                    for j, port in enumerate(ports):
                        self._probe(t + k * 0.5 + j * 0.1, src, iface, port, rng, out)

    def _research(self, rng, lo, hi, out) -> None:
        """Each research scanner visits each public address for its ports spread evenly over the day."""
        step = 86400 / max(self.research_ports, 1)
        for n, src in enumerate(self.research):
            offset = (n * 7919) % int(step)
            for k in range(self.research_ports):
                t = (lo - lo % 86400) + offset + k * step
                if lo <= t < hi:
                    port = (k * 2654435761 + n * 97) % 65535 + 1
                    for j, iface in enumerate(self.public):
                        self._probe(t + j, src, iface, port, rng, out)

    def _guessing(self, rng, lo, hi, out) -> None:
        """Credential guessing: sources making a handful of login attempts each on exposed login ports."""
        for iface in self.public:
            for port in self.login_ports:
                if port not in self.listening.get(iface.ip, ()):
                    continue
                attempts = poisson(rng, self.guess_rate * (hi - lo) / 3600)
                while attempts > 0:
                    src, tries = _address(rng), min(attempts, 1 + int(rng.random() * 6))
                    t = lo + rng.random() * (hi - lo)
                    for _ in range(tries):
                        out.append(Session(t, t + 2 + rng.random() * 3, src, iface, 6, rng.randint(32768, 65000),
                                           port, 12, int(2200 + rng.random() * 900), 10,
                                           int(2600 + rng.random() * 1200), TCP))
                        t += 5 + rng.random() * 20
                    attempts -= tries

    def _repeat(self, rng, p: dict, lo, hi, out) -> None:
        shape, header = (TCP, 52) if p["protocol"] == 6 else (FLOW, 28)
        least = 4 if p["protocol"] == 6 else 1
        for n, client in enumerate(p["clients"]):
            server = p["servers"][n % len(p["servers"])]
            phase = zlib.crc32(f"{getattr(client, 'ip', client)}:{p['port']}".encode()) % 997 / 997 * p["every"]
            t = lo - (lo % p["every"]) + phase
            while t < hi:
                if t >= lo:
                    when = t + p["every"] * p["jitter"] * (2 * rng.random() - 1)
                    req = max(least, int(p["request"] // 1400) + 1)
                    resp = max(least - 1, int(p["response"] // 1400) + 1)
                    out.append(Session(when, when + p["duration"], client, server, p["protocol"],
                                       rng.randint(32768, 60999), p["port"], req,
                                       max(int(p["request"]), req * header), resp,
                                       max(int(p["response"]), resp * header), shape))
                t += p["every"]

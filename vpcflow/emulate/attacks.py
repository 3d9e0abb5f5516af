"""Attacks for scoring detections on a noisy day: each a GuardDuty-style family at a strength relative to
the default threshold of the detection that should find it (0.5: below it, not actionable; 1.25 and 2: above
it, actionable), with a ground-truth label saying which events someone should act on.

The base intensities are the detections' default thresholds, copied here (the emulator does not import the
detections): a change to a default is a change to this table too, and the quality bench says so if not.
An `attacks:` entry: {family, from, to, strength (default 1.25), at, port, success, ipv6}.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from ..network.topology import Interface, ScenarioError, Topology
from .scenario import seconds
from .traffic import FLOW, SYN, TCP, Session

# family -> (intensity at strength 1, what it counts)
BASE = {"port-scan-outbound": (20, "distinct ports a window"), "port-sweep": (20, "addresses a window"),
        "ssh-brute-force": (30, "attempts a window"), "rdp-brute-force": (30, "attempts a window"),
        "winrm-brute-force": (30, "attempts a window"), "dos-outbound-tcp": (2000, "packets a second"),
        "dos-outbound": (2000, "packets a second"), "dos-outbound-dns": (2000, "packets a second"),
        "udp-on-tcp-ports": (2000, "packets a second"), "dos-outbound-unusual-protocol": (2000, "packets a second"),
        "exfiltration": (100e6, "bytes"), "spam": (10, "mail servers a window"),
        "dns-unusual-resolver": (10, "queries"), "dns-over-https": (3, "connections"),
        "dns-over-tls": (3, "connections"), "tor-relay": (3, "peers"), "tor-client": (3, "relays"),
        "c2-activity": (5, "connections"), "blackhole-traffic": (5, "connections"),
        "drop-point": (5, "connections"), "known-bad-peer": (5, "connections"),
        "crypto-mining": (1, "sessions"), "beaconing": (120, "callbacks"), "unusual-port": (5, "connections"),
        "port-probe-unprotected": (0, "exposure"), "port-probe-emr": (0, "exposure")}
SUSTAIN = 1800  # rate attacks run 30 minutes: every full 10-minute window inside holds the rate
FLOOD = {"dos-outbound-tcp": (6, 9999, 60), "dos-outbound": (17, 9987, 512), "dos-outbound-dns": (17, 53, 80),
         "udp-on-tcp-ports": (17, 443, 1200), "dos-outbound-unusual-protocol": (2, 0, 40)}


def _iso(t: float) -> str:
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Attack:
    """One attack entry: its sessions and its label."""

    def __init__(self, topology: Topology, spec: dict, start: int, end: int, rng: random.Random, where: str):
        self.family = str(spec.get("family"))
        if self.family not in BASE:
            raise ScenarioError(f"unknown attack family {self.family!r}", location=where,
                                hint="use one of " + ", ".join(sorted(BASE)))
        self.topology, self.rng, self.where = topology, rng, where
        self.v6 = bool(spec.get("ipv6", False))
        self.strength = float(spec.get("strength", 1.25))
        self.n = BASE[self.family][0] * self.strength
        self.t = start + seconds(spec.get("at", 0), where + ".at")
        self.port = spec.get("port")
        self.success = bool(spec.get("success", False))
        self.src = self._side(spec.get("from"))
        self.dst = self._side(spec.get("to"))
        self.sessions: list[Session] = []
        self.label_src, self.label_dst, self.label_port = self._addr(self.src[0]), self._addr(self.dst[0]), None
        getattr(self, "_" + self.family.replace("-", "_"), self._listed)()
        first = min((s.t0 for s in self.sessions), default=start)
        last = max((s.t1 for s in self.sessions), default=end)
        actionable = self.strength >= 1 or self.family in ("beaconing", "crypto-mining")
        self.label = {"kind": self.family, "src": self.label_src, "dst": self.label_dst, "dst_port": self.label_port,
                      "start": _iso(first), "end": _iso(last), "expected_detector": self.family,
                      "actionable": actionable, "strength": self.strength}

    def _side(self, name) -> list:
        if name is None:
            return [None]
        if name in self.topology.roles:
            return list(self.topology.roles[name])
        if name in self.topology.peers:
            peer = self.topology.peers[name]
            return list(peer.ipv6 if self.v6 else peer.ips)
        raise ScenarioError(f"{name!r} is neither an interface nor a peer", location=self.where)

    def _addr(self, end) -> str | None:
        if isinstance(end, Interface):
            return end.ipv6 if self.v6 else end.ip
        return end

    def add(self, t0, t1, src, dst, protocol, port, req_packets, req_bytes, resp_packets, resp_bytes, shape):
        sport = self.rng.randint(32768, 60999) if protocol in (6, 17) else 0
        self.sessions.append(Session(t0, t1, src, dst, protocol, sport, port, req_packets, req_bytes, resp_packets,
                                     resp_bytes, shape, self.v6))

    def spread(self, count: int, span: float = SUSTAIN) -> list[float]:
        count = max(1, int(round(count)))
        return [self.t + k * span / count + self.rng.random() * span / count * 0.5 for k in range(count)]

    def connect(self, t, dst, port, req=2000, resp=3000, duration=2.0, src=None):
        self.add(t, t + duration, src or self.src[0], dst, 6, port, 4 + int(req // 1400), int(req),
                 3 + int(resp // 1400), int(resp), TCP)

    # families ---------------------------------------------------------------------------------------------
    def _port_scan_outbound(self):
        times = self.spread(self.n * SUSTAIN / 600)
        for t, port in zip(times, self.rng.sample(range(1, 20000), len(times)), strict=True):
            self.add(t, t, self.src[0], self.dst[0], 6, port, 1, 44, 0, 0, SYN)

    def _port_sweep(self):
        self.label_port, self.label_dst = int(self.port or 445), None
        for t in self.spread(self.n * SUSTAIN / 600):
            target = f"{self.rng.randint(11, 99)}.{self.rng.randrange(256)}.{self.rng.randrange(256)}.7"
            self.add(t, t, self.src[0], target, 6, self.label_port, 1, 60, 0, 0, SYN)

    def _brute(self, port: int):
        self.label_port = port
        for t in self.spread(self.n * SUSTAIN / 600):
            self.connect(t, self.dst[0], port, 2200 + self.rng.random() * 800, 2800 + self.rng.random() * 1200,
                         1.5 + self.rng.random() * 2)
        if self.success:  # the login that got through: a session's worth of bytes
            self.connect(self.t + SUSTAIN + 30, self.dst[0], port, 300_000, 900_000, 400)

    def _ssh_brute_force(self):
        self._brute(int(self.port or 22))

    def _rdp_brute_force(self):
        self._brute(int(self.port or 3389))

    def _winrm_brute_force(self):
        self._brute(int(self.port or 5985))

    def _flood(self):
        protocol, port, size = FLOOD[self.family]
        port = int(self.port or port)
        self.label_port = port if protocol in (6, 17) else None
        packets = int(self.n * 900)
        self.add(self.t, self.t + 900, self.src[0], self.dst[0], protocol, port, packets, packets * size, 0, 0,
                 SYN if protocol == 6 else FLOW)

    _dos_outbound_tcp = _dos_outbound = _dos_outbound_dns = _udp_on_tcp_ports = _flood
    _dos_outbound_unusual_protocol = _flood

    def _exfiltration(self):
        self.label_port = int(self.port or 443)
        for k in range(4):
            nbytes = self.n / 4
            packets = int(nbytes // 1400) + 4
            self.add(self.t + k * 5, self.t + 1200, self.src[0], self.dst[0], 6, self.label_port, packets,
                     int(nbytes), packets // 2 + 3, (packets // 2 + 3) * 52, TCP)

    def _spam(self):
        self.label_port, self.label_dst = 25, None
        servers = self.dst
        for k, t in enumerate(self.spread(self.n * SUSTAIN / 600)):
            self.connect(t, servers[k % len(servers)], 25, 6000 + self.rng.random() * 6000, 600, 2.0)

    def _dns_unusual_resolver(self):
        self.label_port = 53
        for t in self.spread(self.n, 1200):
            self.add(t, t + 0.05, self.src[0], self.dst[0], 17, 53, 1, 70, 1, 160, FLOW)

    def _encrypted_dns(self, port):
        self.label_port = port
        for t in self.spread(self.n, 1200):
            self.connect(t, self.dst[0], port, 3000, 6000, 30)

    def _dns_over_https(self):
        self._encrypted_dns(443)

    def _dns_over_tls(self):
        self._encrypted_dns(853)

    def _tor_client(self):
        self.label_dst = None
        for k, t in enumerate(self.spread(self.n, 600)):
            self.connect(t, self.dst[k % len(self.dst)], 9001, 40_000, 90_000, 600)

    def _tor_relay(self):
        self.label_src, self.label_port = None, 9001
        for k, t in enumerate(self.spread(self.n, 300)):
            self.connect(t, self.dst[0], 9001, 40_000, 90_000, 300, src=self.src[k % len(self.src)])

    def _crypto_mining(self):
        self.label_port = int(self.port or 3333)
        self.connect(self.t, self.dst[0], self.label_port, 60_000, 90_000, 1500)

    def _beaconing(self):
        self.label_port = int(self.port or 443)
        t = self.t
        for _ in range(int(self.n)):
            self.connect(t, self.dst[0], self.label_port, 350 + self.rng.random() * 100,
                         300 + self.rng.random() * 400, 0.3)
            t += 60 * (1 + 0.1 * (2 * self.rng.random() - 1))

    def _unusual_port(self):
        self.label_port = int(self.port or 31337)
        for t in self.spread(self.n, 1200):
            self.connect(t, self.dst[0], self.label_port, 800, 1500, 2.0)

    def _listed(self):
        """Calls to a listed peer (c2, blackhole, drop point, the user's list)."""
        self.label_port = int(self.port or 443)
        for t in self.spread(self.n, 1200):
            self.connect(t, self.dst[0], self.label_port, 900, 1600, 2.0)

    def _exposure(self):
        self.label_src, self.label_port = None, int(self.port)
        self.sessions = []

    _port_probe_unprotected = _port_probe_emr = _exposure


def attacks(topology: Topology, specs: list | None, seed: int, start: int, end: int) -> list[Attack]:
    rng = random.Random(f"{seed}:attacks")
    return [Attack(topology, spec, start, end, rng, f"attacks[{n}]") for n, spec in enumerate(specs or [])]


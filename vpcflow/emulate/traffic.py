"""Ordinary traffic: conversations turned into sessions (one connection or one datagram exchange each).

A session is the ground truth the records must add up to: who talked to whom, when, and how many packets and
bytes each way. How the packets look on the wire (TCP flags) is its `shape`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import NamedTuple

from ..network.topology import Interface, ScenarioError, Topology, protocol_number

# shape of a session: which TCP flags its packets carry, and whether the server answers
TCP = "tcp"  # SYN .. FIN from the client, SYN-ACK .. FIN from the server
PROBE_OPEN = "probe-open"  # SYN, answered by SYN-ACK, then the prober's RST (nmap -sS on an open port)
PROBE_CLOSED = "probe-closed"  # SYN, answered by RST
SYN = "syn"  # SYN only, never answered (floods, probes of dark addresses)
FLOW = "flow"  # no TCP flags: UDP, ICMP, other protocols

DAILY = {
    "flat": [1.0] * 24,
    "business": [0.08, 0.05, 0.05, 0.05, 0.06, 0.1, 0.2, 0.45, 0.8, 1.0, 1.0, 0.95,
                 0.9, 1.0, 1.0, 0.95, 0.85, 0.6, 0.4, 0.3, 0.22, 0.18, 0.14, 0.1],
    "evening": [0.3, 0.2, 0.12, 0.08, 0.06, 0.06, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45,
                0.5, 0.5, 0.5, 0.55, 0.6, 0.7, 0.85, 0.95, 1.0, 0.95, 0.8, 0.5],
    "night": [1.0, 1.0, 0.9, 0.8, 0.5, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
              0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 0.9],
}


class Session(NamedTuple):
    t0: float  # first packet (unix seconds)
    t1: float  # last packet
    client: object  # Interface or an internet address (str)
    server: object
    protocol: int
    cport: int
    sport: int
    req_packets: int
    req_bytes: int
    resp_packets: int  # 0: the server never answers
    resp_bytes: int
    shape: str
    v6: bool = False


@dataclass(frozen=True)
class Size:
    """A log-normal size: median and spread (sigma of the log)."""

    median: float
    sigma: float = 0.0
    low: float = 0.0

    @classmethod
    def of(cls, value, default: float, where: str) -> Size:
        if value is None:
            return cls(default)
        if isinstance(value, (int, float)):
            return cls(float(value))
        if isinstance(value, dict) and "median" in value:
            return cls(float(value["median"]), float(value.get("sigma", 0.0)), float(value.get("min", 0.0)))
        raise ScenarioError(f"bad size {value!r}", location=where, hint="write a number or {median: 800, sigma: 1}")

    def draw(self, rng: random.Random) -> float:
        value = self.median if self.sigma <= 0 else rng.lognormvariate(math.log(self.median), self.sigma)
        return max(value, self.low)


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def packets_for(nbytes: float, protocol: int, least: int) -> tuple[int, int]:
    """Packets and bytes for a payload: about 1,400 bytes a packet, at least `least` packets and 40 bytes each."""
    header = 52 if protocol == 6 else 28
    packets = max(least, math.ceil(nbytes / 1400))
    return packets, max(int(nbytes), packets * header)


@dataclass
class Endpoints:
    """A conversation side: interfaces, or internet addresses of a peer."""

    interfaces: list[Interface]
    addresses: list[str]

    @classmethod
    def of(cls, topology: Topology, name: str, v6: bool, where: str) -> Endpoints:
        if name in topology.roles:
            found = topology.roles[name]
            if v6 and not all(i.ipv6 for i in found):
                raise ScenarioError(f"interface {name!r} has no ipv6 address", location=where)
            return cls(found, [])
        if name in topology.peers:
            peer = topology.peers[name]
            addresses = peer.ipv6 if v6 else peer.ips
            if not addresses:
                raise ScenarioError(f"peer {name!r} has no {'IPv6' if v6 else 'IPv4'} address", location=where)
            return cls([], list(addresses))
        raise ScenarioError(f"{name!r} is neither an interface nor a peer", location=where)

    def pick(self, rng: random.Random):
        choices = self.interfaces or self.addresses
        return choices[int(rng.random() * len(choices))]

    @property
    def all(self) -> list:
        return list(self.interfaces) or list(self.addresses)


class Conversation:
    """Clients talking to a server port at a rate that follows a daily pattern."""

    def __init__(self, topology: Topology, spec: dict, where: str):
        self.name = spec.get("name", where)
        self.protocol = protocol_number(spec.get("protocol", "tcp"))
        self.v6 = bool(spec.get("ipv6", False))
        self.clients = Endpoints.of(topology, spec["client"], self.v6, where + ".client")
        self.servers = Endpoints.of(topology, spec["server"], self.v6, where + ".server")
        self.port = int(spec.get("port", 0)) if self.protocol in (6, 17) else 0
        self.client_port = spec.get("client_port")
        self.rate = float(spec.get("rate", 1.0))  # sessions a minute at the busiest hour
        daily = spec.get("daily", "flat")
        self.daily = DAILY.get(daily) if isinstance(daily, str) else [float(x) for x in daily]
        if not self.daily or len(self.daily) != 24:
            raise ScenarioError(f"bad daily pattern {daily!r}", location=where,
                                hint=f"use one of {', '.join(DAILY)} or 24 numbers")
        self.weekend = float(spec.get("weekend", 1.0))
        self.request = Size.of(spec.get("request_bytes"), 600, where + ".request_bytes")
        self.response = Size.of(spec.get("response_bytes"), 4000 if self.protocol == 6 else 600,
                                where + ".response_bytes")
        self.duration = Size.of(spec.get("duration"), 1.0 if self.protocol == 6 else 0.05, where + ".duration")
        self.responds = bool(spec.get("responds", True))

    def sessions(self, rng: random.Random, hour_start: int, out: list[Session]) -> None:
        """Append the sessions that start in the hour beginning at hour_start.

        The hot loop of the emulator: Endpoints.pick, Size.draw and packets_for written inline, same draws in
        the same order.
        """
        hour = (hour_start // 3600) % 24
        weekday = (hour_start // 86400 + 3) % 7  # 1970-01-01 was a Thursday
        weight = self.daily[hour] * (self.weekend if weekday >= 5 else 1.0)
        protocol, port, v6, responds = self.protocol, self.port, self.v6, self.responds
        tcp = protocol == 6
        shape, header = (TCP, 52) if tcp else (FLOW, 28)
        req_least, resp_least = (4, 3) if tcp else (1, 1)
        clients = self.clients.interfaces or self.clients.addresses
        servers = self.servers.interfaces or self.servers.addresses
        n_clients, n_servers = len(clients), len(servers)
        fixed_cport = int(self.client_port) if self.client_port is not None else None
        ported = protocol in (6, 17)
        rq, rs, du = self.request, self.response, self.duration
        rq_mu = math.log(rq.median) if rq.sigma > 0 else 0.0
        rs_mu = math.log(rs.median) if rs.sigma > 0 else 0.0
        du_mu = math.log(du.median) if du.sigma > 0 else 0.0
        rand, lognormal, ceil, new = rng.random, rng.lognormvariate, math.ceil, tuple.__new__
        for _ in range(poisson(rng, self.rate * 60 * weight)):
            t0 = hour_start + rand() * 3600
            client = clients[int(rand() * n_clients)]
            server = servers[int(rand() * n_servers)]
            if client is server:
                continue
            nbytes = rq.median if rq.sigma <= 0 else lognormal(rq_mu, rq.sigma)
            if rq.low > nbytes:
                nbytes = rq.low
            req_packets = ceil(nbytes / 1400)
            if req_least >= req_packets:
                req_packets = req_least
            req_bytes = int(nbytes)
            if req_packets * header > req_bytes:
                req_bytes = req_packets * header
            if responds:
                nbytes = rs.median if rs.sigma <= 0 else lognormal(rs_mu, rs.sigma)
                if rs.low > nbytes:
                    nbytes = rs.low
                resp_packets = ceil(nbytes / 1400)
                if resp_least >= resp_packets:
                    resp_packets = resp_least
                resp_bytes = int(nbytes)
                if resp_packets * header > resp_bytes:
                    resp_bytes = resp_packets * header
            else:
                resp_packets = resp_bytes = 0
            cport = fixed_cport if fixed_cport is not None else 32768 + int(rand() * 28232) if ported else 0
            seconds = du.median if du.sigma <= 0 else lognormal(du_mu, du.sigma)
            if du.low > seconds:
                seconds = du.low
            out.append(new(Session, (t0, t0 + seconds, client, server, protocol, cport, port, req_packets, req_bytes,
                                     resp_packets, resp_bytes, shape, v6)))

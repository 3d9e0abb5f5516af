"""Capture windows: sessions become the records each interface writes, one per direction per 5-tuple per window.

Each interface has its own capture windows (AWS does not align them across interfaces): window w of interface i
covers [base_i + w * interval, base_i + (w + 1) * interval). A record's start and end are the first and last
packet of the flow inside the window; TCP flags are OR-ed over the window, using only FIN, SYN, RST and SYN-ACK.
An interface with no traffic in a window writes one NODATA record; now and then a window is SKIPDATA.
"""

from __future__ import annotations

import hashlib
import math
import random
from bisect import bisect_right
from operator import itemgetter

from ..deliver.columns import (  # noqa: F401  (the lab and tests read them here too)
    I_ACTION,
    I_BYTES,
    I_DIRECTION,
    I_DPORT,
    I_DST,
    I_END,
    I_FLAGS,
    I_IFACE,
    I_PACKETS,
    I_PATH,
    I_PKT_DST,
    I_PKT_SRC,
    I_PROTO,
    I_SPORT,
    I_SRC,
    I_START,
    I_STATUS,
)
from ..network.evaluator import Rules
from ..network.topology import Topology
from .traffic import FLOW, PROBE_CLOSED, PROBE_OPEN, SYN, TCP, Session

FIN, SYN_FLAG, RST, SYN_ACK = 1, 2, 4, 18

_BY_START = itemgetter(I_START)


def phase_of(interface_id: str, interval: int) -> int:
    """Where an interface's capture windows start, in seconds past the minute (or ten minutes)."""
    return int(hashlib.sha256(interface_id.encode()).hexdigest()[:8], 16) % interval


class Capture:
    """Collects the records of every interface for one aggregation interval."""

    def __init__(self, topology: Topology, rules: Rules, interval: int, start: int, end: int,
                 skipdata_rate: float = 0.0, seed: int = 0, aligned: bool = False):
        self.topology, self.rules, self.interval = topology, rules, interval
        self.start, self.end = start, end
        # aligned: every window starts on a multiple of the interval (handy for hand-checked examples)
        self.base = [(start - start % interval if aligned else start + phase_of(i.id, interval)) - interval
                     for i in topology.interfaces]
        self.next_window = [0] * len(topology.interfaces)
        self.pending: list[dict[int, dict]] = [{} for _ in topology.interfaces]  # per interface: window -> records
        self.skipdata_rate = skipdata_rate
        self.skip_rng = random.Random(seed * 7919 + interval)
        self.unlogged = 0
        self.skipped_windows = 0
        self.nodata_windows = 0
        self._legs: dict[tuple, list] = {}  # (client, server, protocol, v6) -> [request _Leg, reply _Leg or None]
        self.observe = None  # called with each direction's hops and bytes (vpcflow.emulate.paths' ground truth)

    # sessions -> pending records ------------------------------------------------------------------------
    def add(self, s: Session) -> None:
        client, server, protocol, cport, sport = s.client, s.server, s.protocol, s.cport, s.sport
        c_ip = isinstance(client, str)
        s_ip = isinstance(server, str)
        if (c_ip and self.topology.unlogged(client, cport, protocol)) or (
                s_ip and self.topology.unlogged(server, sport, protocol)):
            self.unlogged += 1
            return
        nat_port = 1024 + (cport * 7919 + int(s.t0)) % 64000
        key = (client if c_ip else client.index, server if s_ip else server.index, protocol, s.v6)
        legs = self._legs.get(key)
        if legs is None:
            legs = self._legs[key] = [_Leg(self.rules.plan(client, server, protocol, False, s.v6).compact), None]
        out_leg = legs[0]
        out, delivered = out_leg.fixed or out_leg.at(sport, nat_port)
        shape = s.shape
        answers = delivered and shape != SYN and (s.resp_packets > 0 or shape in (PROBE_OPEN, PROBE_CLOSED))
        if answers:
            back_leg = legs[1]
            if back_leg is None:
                back_leg = legs[1] = _Leg(self.rules.plan(server, client, protocol, True, s.v6).compact)
            back, answered = back_leg.fixed or back_leg.at(cport, nat_port)
        else:
            back, answered = (), False
        t0, t1 = s.t0, s.t1
        direction = self._direction
        if shape == TCP:
            if answered:
                direction(protocol, out, cport, sport, nat_port, t0, t1, s.req_packets, s.req_bytes, SYN_FLAG, 0, FIN)
                direction(protocol, back, sport, cport, nat_port, t0 + 0.001, t1, s.resp_packets, s.resp_bytes,
                          SYN_ACK, 0, FIN)
                return
            tries = min(s.req_packets, 3)  # unanswered SYN: the client retries with backoff
            end = t0 + (0, 1, 3)[tries - 1]
            direction(protocol, out, cport, sport, nat_port, t0, end, tries, 60 * tries, SYN_FLAG, SYN_FLAG,
                      SYN_FLAG)
            if back:
                direction(protocol, back, sport, cport, nat_port, t0 + 0.001, end + 0.001, tries, 44 * tries,
                          SYN_ACK, SYN_ACK, SYN_ACK)
        elif shape == PROBE_OPEN or shape == PROBE_CLOSED:
            if answered and shape == PROBE_OPEN:  # SYN, then RST after the SYN-ACK
                direction(protocol, out, cport, sport, nat_port, t0, t0 + 0.002, 2, s.req_bytes + 40, SYN_FLAG, 0,
                          RST)
            else:
                direction(protocol, out, cport, sport, nat_port, t0, t0, 1, s.req_bytes, SYN_FLAG, SYN_FLAG,
                          SYN_FLAG)
            if back:
                flag = SYN_ACK if shape == PROBE_OPEN else RST
                direction(protocol, back, sport, cport, nat_port, t0 + 0.001, t0 + 0.001, 1,
                          44 if flag == SYN_ACK else 40, flag, flag, flag)
        elif shape == SYN:
            direction(protocol, out, cport, sport, nat_port, t0, t1, s.req_packets, s.req_bytes, SYN_FLAG, SYN_FLAG,
                      SYN_FLAG)
        else:
            assert shape == FLOW, shape
            direction(protocol, out, cport, sport, nat_port, t0, t1, s.req_packets, s.req_bytes, 0, 0, 0)
            if back:
                direction(protocol, back, sport, cport, nat_port, t0 + 0.001, t1, s.resp_packets, s.resp_bytes,
                          0, 0, 0)

    def _direction(self, protocol, hops, sport, dport, nat_port, t0, t1, packets, nbytes, first, every,
                   last) -> None:
        """One direction's packets into the windows of each interface on its path, up to where it is dropped."""
        if self.observe is not None:
            self.observe(hops, nbytes)
        interval, bases, pendings = self.interval, self.base, self.pending
        limit = self.end - 0.001
        if limit < t1:
            t1 = limit
        if t1 < t0:
            t0 = t1
        for idx, src, dst, sport_nat, dport_nat, tail in hops:
            key = (src, dst, nat_port if sport_nat else sport, nat_port if dport_nat else dport, protocol)
            base = bases[idx]
            w0 = int((t0 - base) // interval)
            if packets == 1 or w0 == int((t1 - base) // interval):  # the common case, merged inline: one window
                one = packets == 1
                pending = pendings[idx]
                window = pending.get(w0)
                if window is None:
                    window = pending[w0] = {}
                rec = window.get(key)
                start = int(t0)
                end = start if one else int(t1)
                flags = first if one else first | every | last
                if rec is None:
                    window[key] = [packets, nbytes, start, end, flags, tail]
                else:
                    rec[0] += packets
                    rec[1] += nbytes
                    rec[2] = min(rec[2], start)
                    rec[3] = max(rec[3], end)
                    rec[4] |= flags
            else:
                w1 = int((t1 - base) // interval)
                span, done = t1 - t0, 0
                for w in range(w0, w1 + 1):
                    c = packets if w == w1 else min(packets, math.ceil((base + (w + 1) * interval - t0)
                                                                       * (packets - 1) / span))
                    if c <= done:
                        continue
                    flags = every | (first if done == 0 else 0) | (last if c == packets else 0)
                    self._merge(idx, w, key, tail, c - done, nbytes * c // packets - nbytes * done // packets,
                                int(t0 + done * span / (packets - 1)), int(t0 + (c - 1) * span / (packets - 1)),
                                flags)
                    done = c

    def _merge(self, idx, w, key, tail, packets, nbytes, start, end, flags) -> None:
        pending = self.pending[idx]
        window = pending.get(w)
        if window is None:
            window = pending[w] = {}
        rec = window.get(key)
        if rec is None:
            window[key] = [packets, nbytes, start, end, flags, tail]
        else:
            rec[0] += packets
            rec[1] += nbytes
            rec[2] = min(rec[2], start)
            rec[3] = max(rec[3], end)
            rec[4] |= flags

    # pending records -> emitted records ------------------------------------------------------------------
    def flush(self, upto: float) -> list[tuple]:
        """Emit every window that ends by `upto` (all sessions starting before it have been added).

        Records come interface by interface, each interface's in time order (as a log stream holds them).
        """
        out: list[tuple] = []
        interval, end = self.interval, self.end
        for iface in self.topology.interfaces:
            idx = iface.index
            base = self.base[idx]
            pending = self.pending[idx]
            w = self.next_window[idx]
            while base + (w + 1) * interval <= upto and base + w * interval < end:
                window = pending.pop(w, None)
                ws = base + w * interval
                if window:
                    if self.skipdata_rate and self.skip_rng.random() < self.skipdata_rate:
                        self.skipped_windows += 1
                        out.append(self._status(idx, ws, "SKIPDATA"))
                    else:
                        records = _records(idx, window)
                        if len(records) > 1:
                            records.sort(key=_BY_START)
                        out.extend(records)
                elif ws >= self.start:
                    self.nodata_windows += 1
                    out.append(self._status(idx, ws, "NODATA"))
                w += 1
            self.next_window[idx] = w
        return out

    def _status(self, idx: int, ws: int, status: str) -> tuple:
        return (idx, None, None, None, None, None, None, None, ws, ws + self.interval - 2, None, status,
                None, None, None, None, None)


class _Leg:
    """One direction's plan with its verdicts resolved: the hops that see the packet, and whether it arrives.

    A verdict depends on the destination port only through the plan's port ranges, so it is resolved once per
    stretch of ports between two range bounds (or once for good when no step depends on the port).
    """

    __slots__ = ("steps", "bounds", "by_nat", "resolved", "fixed")

    def __init__(self, steps: tuple):
        self.steps = steps
        ranged = [step for step in steps if step[6] is not True and step[6] is not False]
        self.by_nat = any(step[5] for step in ranged)  # a reply checked on its translated port: resolved each time
        self.bounds = sorted({edge for step in ranged for low, high in step[6] for edge in (low, high + 1)})
        self.resolved: dict[int, tuple] = {}
        self.fixed = _resolve(steps, 0, 0) if not ranged else None

    def at(self, dport: int, nat_port: int) -> tuple[tuple, bool]:
        if self.by_nat:
            return _resolve(self.steps, dport, nat_port)
        stretch = bisect_right(self.bounds, dport)
        found = self.resolved.get(stretch)
        if found is None:
            found = self.resolved[stretch] = _resolve(self.steps, dport, nat_port)
        return found


def _resolve(steps: tuple, dport: int, nat_port: int) -> tuple[tuple, bool]:
    """(interface, srcaddr, dstaddr, srcport is NAT's, dstport is NAT's, record tail) per hop up to a drop."""
    hops = []
    for idx, src, dst, sport_nat, dport_nat, check_nat, allowed, accept_tail, reject_tail in steps:
        if allowed is True or allowed is False:
            accept = allowed
        else:
            port = nat_port if check_nat else dport
            accept = any(low <= port <= high for low, high in allowed)
        hops.append((idx, src, dst, sport_nat, dport_nat, accept_tail if accept else reject_tail))
        if not accept:  # the hops past a drop never see the packet
            return tuple(hops), False
    return tuple(hops), True


def _records(idx: int, window: dict) -> list[tuple]:
    """A window's pending records as emitted tuples (the tail holds action, pkt addresses, direction, path)."""
    return [(idx, src, dst, sport, dport, proto, packets, nbytes, start, end, tail[0], "OK",
             flags if proto == 6 else 0, tail[1], tail[2], tail[3], tail[4])
            for (src, dst, sport, dport, proto), (packets, nbytes, start, end, flags, tail) in window.items()]

"""The capture agent of one interface: packets and firewall verdicts in, flow-log records out.

It reads every IPv4 packet crossing the interface's device (an AF_PACKET socket in the instance's namespace)
and the drops the firewall logs for it (NFLOG: security groups in the instance's namespace, network ACLs in the
router's). It aggregates per direction, 5-tuple and capture window; each record's action comes from the
verdicts, its tcp-flags are OR-ed over the window (FIN 1, SYN 2, RST 4, SYN-ACK 18); an idle window gives
NODATA. Records go to a spool file (one JSON list per line, the emulator's record tuple) that
`vpcflow.lab.spool` delivers in any format and layout.

Run as `python -m vpcflow.lab agent CONFIG.json` (root): it enters the namespaces itself.
"""

from __future__ import annotations

import json
import selectors
import signal
import socket
import struct
import time
from dataclasses import dataclass

from . import firewall
from .netns import enter
from .nflog import NflogSocket

ETH_P_ALL, PACKET_OUTGOING = 0x0003, 4
SOL_PACKET, PACKET_STATISTICS = 263, 6
SNAP = 96  # bytes of each packet the kernel copies: headers only


def _bpf(outgoing: bool) -> bytes:
    """Classic BPF: IPv4 (skb->protocol 0x0800) of one direction (pkttype OUTGOING or not), first SNAP bytes.

    One socket per direction: the direction is known without asking recvfrom for each packet's address.
    """
    accept, drop = (0, 1) if outgoing else (1, 0)
    return struct.pack("HBBI" * 6, 0x28, 0, 0, 0xFFFFF000, 0x15, 0, 3, 0x0800, 0x20, 0, 0, 0xFFFFF004,
                       0x15, accept, drop, PACKET_OUTGOING, 0x06, 0, 0, SNAP, 0x06, 0, 0, 0)
SO_ATTACH_FILTER = 26
# the AWS tcp-flags bits of a raw TCP flags byte: FIN, SYN, RST, and SYN-ACK as 18
AWS_FLAGS = bytes((raw & 7) | (16 if raw & 0x12 == 0x12 else 0) for raw in range(256))
INGRESS, EGRESS = 0, 1
# how a logged drop changes the counts: "move" a packet the device saw to REJECT, or "add" one it never saw
_DROPS = {firewall.SG_IN: (INGRESS, True), firewall.NACL_IN: (INGRESS, False),
          firewall.SG_OUT: (EGRESS, False), firewall.NACL_OUT: (EGRESS, True)}


@dataclass
class AgentConfig:
    netns: str  # the instance's namespace
    router: str  # the router's namespace (network ACL drops)
    index: int  # the interface's position in the topology (the record's interface)
    group: int  # its NFLOG group
    window: float  # capture window, seconds
    origin: float  # windows start at origin + k * window
    spool: str  # where records go
    device: str = firewall.DEVICE
    count_only: bool = False  # benchmark baseline: count packets, build no records
    rcvbuf: int = 32 << 20  # packets wait here while the agent is busy

    @classmethod
    def load(cls, path: str) -> AgentConfig:
        with open(path) as f:
            return cls(**json.load(f))


def open_packet_socket(device: str, outgoing: bool, rcvbuf: int = 32 << 20) -> socket.socket:
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, struct.pack("HL", 6, _addr(_bpf(outgoing))))
    try:
        sock.setsockopt(socket.SOL_SOCKET, 33, rcvbuf)  # SO_RCVBUFFORCE
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.bind((device, ETH_P_ALL))
    sock.setblocking(False)
    return sock


_keep = []


def _addr(program: bytes) -> int:
    import ctypes

    buf = ctypes.create_string_buffer(program)
    _keep.append(buf)
    return ctypes.addressof(buf)


def kernel_drops(sock: socket.socket) -> int:
    """Packets the kernel dropped because the socket's buffer was full (since the last call)."""
    _, drops = struct.unpack("II", sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
    return drops


class Windows:
    """Per capture window: accepted and rejected packets per direction and flow key."""

    def __init__(self, config: AgentConfig):
        self.config = config
        self.open: dict[int, list[list[dict]]] = {}  # window -> [direction][accepted, rejected] -> key -> entry
        self.first = int((time.time() - config.origin) // config.window)

    def window(self, now: float) -> list[list[dict]]:
        w = int((now - self.config.origin) // self.config.window)
        found = self.open.get(w)
        if found is None:
            found = self.open[w] = [[{}, {}], [{}, {}]]
        return found

    def drop(self, prefix: str, pkt: bytes, now: float) -> None:
        verdict = _DROPS.get(prefix.strip())
        if verdict is None or len(pkt) < 20:
            return
        direction, seen = verdict
        proto, key, length, flags = flow_key(pkt)
        w = int((now - self.config.origin) // self.config.window)
        target = self.window(now)[direction]
        if seen:  # the device counted it as accepted: take it back (from this window or the one before)
            for candidate in (w, w - 1):
                tables = self.open.get(candidate)
                accepted = tables[direction][0].get(proto) if tables else None
                entry = accepted.get(key) if accepted else None
                if entry is not None:
                    entry[0] -= 1
                    entry[1] -= length
                    if entry[0] <= 0:
                        del accepted[key]
                    target = tables[direction]
                    break
        sec = int(now)
        rejected = target[1].setdefault(proto, {})
        entry = rejected.get(key)
        if entry is None:
            rejected[key] = [1, length, sec, sec, AWS_FLAGS[flags]]
        else:
            entry[0] += 1
            entry[1] += length
            entry[3] = sec
            entry[4] |= AWS_FLAGS[flags]

    def due(self, now: float, grace: float, final: bool = False) -> list[tuple]:
        """Records of every window that ended `grace` seconds ago (all of them when `final`)."""
        cfg = self.config
        current = int((now - cfg.origin) // cfg.window)
        last = current if final else int((now - grace - cfg.origin) // cfg.window) - 1
        records = []
        for w in range(self.first, last + 1):
            tables = self.open.pop(w, None)
            start = int(cfg.origin + w * cfg.window)
            if tables and any(t for d in (0, 1) for a in (0, 1) for t in tables[d][a].values()):
                records += self._records(tables)
            elif w < current:
                records.append((cfg.index, None, None, None, None, None, None, None, start,
                                int(cfg.origin + (w + 1) * cfg.window), None, "NODATA", None, None, None, None,
                                None))
        self.first = max(self.first, last + 1)
        records.sort(key=lambda r: r[8])
        return records

    def _records(self, tables) -> list[tuple]:
        out = []
        for direction in (INGRESS, EGRESS):
            for action, table in zip(("ACCEPT", "REJECT"), tables[direction], strict=True):
                for proto, key, (packets, nbytes, first, last, flags) in (
                        (p, k, e) for p, entries in table.items() for k, e in entries.items()):
                    src, dst = socket.inet_ntoa(key[0:4]), socket.inet_ntoa(key[4:8])
                    sport, dport = (struct.unpack("!HH", key[8:12]) if proto in (6, 17) else (0, 0))
                    out.append((self.config.index, src, dst, sport, dport, proto, packets, nbytes, first, last,
                                action, "OK", flags if proto == 6 else 0, src, dst,
                                "egress" if direction == EGRESS else "ingress", None))
        return out


def flow_key(pkt: bytes) -> tuple[int, bytes, int, int]:
    """(protocol, addresses + ports, IP length, raw TCP flags) of an IPv4 packet; ICMP and others: ports 0."""
    ihl = (pkt[0] & 15) * 4
    proto = pkt[9]
    length = (pkt[2] << 8) | pkt[3]
    if proto == 6 or proto == 17:
        flags = pkt[ihl + 13] if proto == 6 and len(pkt) > ihl + 13 else 0
        return proto, pkt[12:20] + pkt[ihl:ihl + 4], length, flags
    return proto, pkt[12:20] + b"\0\0\0\0", length, 0


def _count(recv) -> tuple[int, int]:
    """The benchmark's baseline: the same reads, no records."""
    n = 0
    while True:
        try:
            recv(SNAP)
        except BlockingIOError:
            return n, 0
        n += 1


def _aggregate(recv, accepted: dict, sec: int) -> tuple[int, int]:
    """The hot loop: each waiting packet into its flow's entry [packets, bytes, first, last, tcp-flags]."""
    tcp = accepted.setdefault(6, {})
    udp = accepted.setdefault(17, {})
    n = nbytes = 0
    while True:
        try:
            pkt = recv(SNAP)
        except BlockingIOError:
            return n, nbytes
        n += 1
        length = (pkt[2] << 8) | pkt[3]
        nbytes += length
        if pkt[0] == 0x45 and pkt[9] == 6:  # TCP without IP options: addresses and ports are bytes 12-23
            key = pkt[12:24]
            entry = tcp.get(key)
            if entry is None:
                tcp[key] = [1, length, sec, sec, AWS_FLAGS[pkt[33]]]
            else:
                entry[0] += 1
                entry[1] += length
                entry[3] = sec
                entry[4] |= AWS_FLAGS[pkt[33]]
            continue
        if pkt[0] == 0x45 and pkt[9] == 17:
            key = pkt[12:24]
            entry = udp.get(key)
            if entry is None:
                udp[key] = [1, length, sec, sec, 0]
            else:
                entry[0] += 1
                entry[1] += length
                entry[3] = sec
            continue
        proto, key, length, flags = flow_key(pkt)
        table = accepted.setdefault(proto, {})
        entry = table.get(key)
        if entry is None:
            table[key] = [1, length, sec, sec, AWS_FLAGS[flags]]
        else:
            entry[0] += 1
            entry[1] += length
            entry[3] = sec
            entry[4] |= AWS_FLAGS[flags]


class Agent:
    def __init__(self, config: AgentConfig):
        self.config = config
        enter(config.router)
        self.nacl = NflogSocket(config.group)
        enter(config.netns)  # stays here: `ip netns pids` finds the agent in the instance's namespace
        self.sg = NflogSocket(config.group)
        self.incoming = open_packet_socket(config.device, False, config.rcvbuf)
        self.outgoing = open_packet_socket(config.device, True, config.rcvbuf)
        self.windows = Windows(config)
        self.stats = {"packets": 0, "bytes": 0, "drops_logged": 0, "kernel_drops": 0, "records": 0}
        self.running = True
        self.spool = open(config.spool, "a", buffering=1)

    def stop(self, *_) -> None:
        self.running = False

    def drain_packets(self, now: float) -> None:
        """Read every waiting packet into the current window, both directions."""
        tables = None if self.config.count_only else self.windows.window(now)
        for direction, sock in ((INGRESS, self.incoming), (EGRESS, self.outgoing)):
            if tables is None:
                n, nbytes = _count(sock.recv)
            else:
                n, nbytes = _aggregate(sock.recv, tables[direction][0], int(now))
            self.stats["packets"] += n
            self.stats["bytes"] += nbytes

    def drain_verdicts(self, now: float) -> None:
        for sock in (self.sg, self.nacl):
            for prefix, pkt in sock.read():
                self.stats["drops_logged"] += 1
                if not self.config.count_only:
                    self.windows.drop(prefix, pkt, now)

    def emit(self, records: list[tuple]) -> None:
        if records:
            self.spool.write("".join(json.dumps(r) + "\n" for r in records))
            self.stats["records"] += len(records)

    def run(self) -> dict:
        sel = selectors.DefaultSelector()
        for sock in (self.incoming, self.outgoing, self.sg, self.nacl):
            sel.register(sock, selectors.EVENT_READ)
        grace = min(0.5, self.config.window / 4)
        while self.running:
            ready = sel.select(timeout=0.1)
            now = time.time()
            if ready:
                self.drain_packets(now)  # before the verdicts: a logged drop may take back a seen packet
                self.drain_verdicts(now)
            if not self.config.count_only:
                self.emit(self.windows.due(now, grace))
        now = time.time()
        self.drain_packets(now)
        self.drain_verdicts(now)
        if not self.config.count_only:
            self.emit(self.windows.due(now, grace, final=True))
        self.stats["kernel_drops"] += kernel_drops(self.incoming) + kernel_drops(self.outgoing)
        self.spool.close()
        return self.stats


def main(argv: list[str]) -> int:
    config = AgentConfig.load(argv[0])
    agent = Agent(config)
    signal.signal(signal.SIGTERM, agent.stop)
    signal.signal(signal.SIGINT, agent.stop)
    with open(config.spool + ".ready", "w") as f:
        f.write("ready\n")
    stats = agent.run()
    with open(config.spool + ".stats.json", "w") as f:
        json.dump(stats, f)
    return 0


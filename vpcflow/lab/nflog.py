"""The firewall's verdicts: an NFLOG netlink socket bound to one group, yielding (prefix, IP packet) pairs.

nftables rules `log prefix "..." group N` copy a dropped packet's headers to group N of their namespace;
the socket is opened inside that namespace. Protocol: linux/netfilter/nfnetlink_log.h.
"""

from __future__ import annotations

import socket
import struct

NETLINK_NETFILTER = 12
NFNL_SUBSYS_ULOG = 4
NFULNL_MSG_PACKET, NFULNL_MSG_CONFIG = 0, 1
NFULA_CFG_CMD, NFULA_CFG_MODE, NFULA_CFG_NLBUFSIZ, NFULA_CFG_TIMEOUT, NFULA_CFG_QTHRESH = 1, 2, 3, 4, 5
NFULNL_CFG_CMD_BIND = 1
NFULNL_COPY_PACKET = 2
NFULA_PAYLOAD, NFULA_PREFIX = 9, 10
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
_NLMSG = struct.Struct("=IHHII")
_NLA = struct.Struct("=HH")


def _attr(kind: int, payload: bytes) -> bytes:
    body = _NLA.pack(_NLA.size + len(payload), kind) + payload
    return body + b"\0" * (-len(body) % 4)


def _config(group: int, attrs: bytes, seq: int) -> bytes:
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(group)) + attrs
    kind = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG
    return _NLMSG.pack(_NLMSG.size + len(body), kind, NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body


class NflogSocket:
    """One NFLOG group in the namespace the caller is in when it is created."""

    def __init__(self, group: int, copy_bytes: int = 96, rcvbuf: int = 8 << 20):
        self.group = group
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, 33, rcvbuf)  # SO_RCVBUFFORCE: root may exceed rmem_max
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.bind((0, 0))
        self._request(_attr(NFULA_CFG_CMD, bytes([NFULNL_CFG_CMD_BIND])), 1)
        self._request(_attr(NFULA_CFG_MODE, struct.pack(">IBB", copy_bytes, NFULNL_COPY_PACKET, 0)), 2)
        self._request(_attr(NFULA_CFG_TIMEOUT, struct.pack(">I", 1)), 3)  # flush batches every 10 ms
        self.sock.setblocking(False)

    def _request(self, attrs: bytes, seq: int) -> None:
        self.sock.send(_config(self.group, attrs, seq))
        reply = self.sock.recv(65536)
        _, kind, _, _, _ = _NLMSG.unpack_from(reply)
        if kind == NLMSG_ERROR:
            (code,) = struct.unpack_from("=i", reply, _NLMSG.size)
            if code:
                raise OSError(-code, f"NFLOG group {self.group}: configuration refused")

    def fileno(self) -> int:
        return self.sock.fileno()

    def read(self) -> list[tuple[str, bytes]]:
        """Every message waiting now: (prefix, IP packet headers). Empty when nothing is waiting."""
        out: list[tuple[str, bytes]] = []
        while True:
            try:
                data = self.sock.recv(1 << 18)
            except BlockingIOError:
                return out
            except OSError as exc:  # ENOBUFS: the kernel dropped messages; keep reading what is left
                if exc.errno == 105:
                    continue
                raise
            out.extend(parse(data))


def parse(data: bytes) -> list[tuple[str, bytes]]:
    """The packet messages in one netlink datagram."""
    out = []
    offset, end = 0, len(data)
    packet_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET
    while offset + _NLMSG.size <= end:
        length, kind, _, _, _ = _NLMSG.unpack_from(data, offset)
        if length < _NLMSG.size:
            break
        if kind == packet_type:
            prefix, payload = "", b""
            a = offset + _NLMSG.size + 4  # past the nfgenmsg
            stop = offset + length
            while a + 4 <= stop:
                alen, atype = _NLA.unpack_from(data, a)
                if alen < 4:
                    break
                atype &= 0x3FFF
                if atype == NFULA_PAYLOAD:
                    payload = data[a + 4: a + alen]
                elif atype == NFULA_PREFIX:
                    prefix = data[a + 4: a + alen].rstrip(b"\0").decode("ascii", "replace")
                a += (alen + 3) & ~3
            out.append((prefix, payload))
        offset += (length + 3) & ~3
    return out

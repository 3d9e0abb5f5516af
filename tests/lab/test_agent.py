"""The capture agent's record building, on hand-made IPv4 headers (no root): flags, verdicts, windows, NFLOG."""

from __future__ import annotations

import socket
import struct

import pytest

from vpcflow.emulate import capture as c
from vpcflow.lab import firewall
from vpcflow.lab.agent import AWS_FLAGS, EGRESS, INGRESS, AgentConfig, Windows, _aggregate, flow_key
from vpcflow.lab.nflog import NFNL_SUBSYS_ULOG, NFULA_PAYLOAD, NFULA_PREFIX, parse

ORIGIN = 1_700_000_000.0


def ip_packet(src: str, dst: str, proto: int = 6, sport: int = 40000, dport: int = 80, flags: int = 0x02,
              length: int = 60) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length, 1, 0, 64, proto, 0, socket.inet_aton(src),
                         socket.inet_aton(dst))
    if proto == 6:
        return header + struct.pack("!HHIIBBHHH", sport, dport, 0, 0, 0x50, flags, 0, 0, 0)
    if proto == 17:
        return header + struct.pack("!HHHH", sport, dport, 8, 0)
    return header + b"\x08\x00\x00\x00\x00\x01\x00\x01"


def windows() -> Windows:
    w = Windows(AgentConfig("ns", "router", 0, 10, 5.0, ORIGIN, "/dev/null"))
    w.first = 0
    return w


def see(w: Windows, pkt: bytes, direction: int, now: float) -> None:
    """The agent's hot loop reading one packet the device saw (a socket's recv, then nothing waiting)."""
    waiting = [pkt]

    def recv(size):
        if not waiting:
            raise BlockingIOError
        return waiting.pop()[:size]

    assert _aggregate(recv, w.window(now)[direction][0], int(now)) == (1, flow_key(pkt)[2])


@pytest.mark.parametrize(("raw", "aws"), [(0x02, 2), (0x12, 18), (0x10, 0), (0x18, 0), (0x11, 1), (0x04, 4),
                                          (0x14, 4), (0x42, 2)])
def test_tcp_flags_keep_only_fin_syn_rst_and_syn_ack(raw, aws):
    assert AWS_FLAGS[raw] == aws


def test_flags_are_ored_over_the_window_per_direction():
    w = windows()
    for flags in (0x02, 0x10, 0x18, 0x11):
        see(w, ip_packet("10.0.0.5", "10.0.1.10", flags=flags), INGRESS, ORIGIN + 1)
    (record,) = w.due(ORIGIN + 6, 0.5)
    assert record[c.I_FLAGS] == 3 and record[c.I_PACKETS] == 4 and record[c.I_BYTES] == 240


def test_security_group_drop_turns_a_seen_inbound_packet_into_reject():
    w = windows()
    pkt = ip_packet("203.0.113.9", "10.0.1.10", dport=3306)
    see(w, pkt, INGRESS, ORIGIN + 1)
    w.drop(firewall.SG_IN, pkt, ORIGIN + 1.01)
    (record,) = w.due(ORIGIN + 6, 0.5)
    assert (record[c.I_ACTION], record[c.I_PACKETS], record[c.I_DIRECTION]) == ("REJECT", 1, "ingress")


def test_network_acl_drop_of_a_reply_gives_accept_in_and_reject_out():
    w = windows()
    request = ip_packet("203.0.113.12", "172.31.16.139", proto=1, length=84)
    reply = ip_packet("172.31.16.139", "203.0.113.12", proto=1, length=84)
    for k in range(4):
        see(w, request, INGRESS, ORIGIN + 1 + k / 10)
        see(w, reply, EGRESS, ORIGIN + 1 + k / 10)
        w.drop(firewall.NACL_OUT, reply, ORIGIN + 1 + k / 10)
    records = {r[c.I_DIRECTION]: r for r in w.due(ORIGIN + 6, 0.5)}
    assert records["ingress"][c.I_ACTION] == "ACCEPT" and records["ingress"][c.I_BYTES] == 336
    assert records["egress"][c.I_ACTION] == "REJECT" and records["egress"][c.I_PACKETS] == 4
    assert (records["egress"][c.I_SPORT], records["egress"][c.I_DPORT]) == (0, 0)


def test_drop_logged_just_after_the_boundary_takes_back_the_packet_of_the_window_before():
    w = windows()
    pkt = ip_packet("10.0.1.10", "203.0.113.12", proto=17, dport=53)
    see(w, pkt, EGRESS, ORIGIN + 4.99)
    w.drop(firewall.NACL_OUT, pkt, ORIGIN + 5.01)
    records = [r for r in w.due(ORIGIN + 11, 0.5) if r[c.I_STATUS] == "OK"]
    assert [(r[c.I_ACTION], r[c.I_PACKETS]) for r in records] == [("REJECT", 1)]


def test_packet_with_ip_options_lands_in_the_same_flow():
    w = windows()
    plain = ip_packet("10.0.0.5", "10.0.1.10", flags=0x02)
    options = bytes([0x46]) + plain[1:2] + (64).to_bytes(2, "big") + plain[4:20] + b"\x01\x01\x01\x00" + plain[20:]
    see(w, plain, INGRESS, ORIGIN + 1)
    see(w, options, INGRESS, ORIGIN + 1)
    (record,) = w.due(ORIGIN + 6, 0.5)
    assert (record[c.I_PACKETS], record[c.I_BYTES], record[c.I_SPORT], record[c.I_DPORT]) == (2, 124, 40000, 80)


def test_idle_window_gives_one_nodata_record():
    w = windows()
    see(w, ip_packet("10.0.0.5", "10.0.1.10"), INGRESS, ORIGIN + 1)
    records = w.due(ORIGIN + 11, 0.5)
    assert [r[c.I_STATUS] for r in records] == ["OK", "NODATA"]
    assert records[1][c.I_START] == ORIGIN + 5 and records[1][c.I_ACTION] is None


def test_nflog_message_gives_prefix_and_packet():
    payload = ip_packet("203.0.113.12", "10.0.1.10")

    def attr(kind, data):
        body = struct.pack("=HH", 4 + len(data), kind) + data
        return body + b"\0" * (-len(body) % 4)

    body = struct.pack("=BBH", 2, 0, socket.htons(10)) + attr(NFULA_PREFIX, b"nacl-in\0") + attr(NFULA_PAYLOAD, payload)
    message = struct.pack("=IHHII", 16 + len(body), NFNL_SUBSYS_ULOG << 8, 0, 0, 0) + body
    assert parse(message + message) == [("nacl-in", payload), ("nacl-in", payload)]

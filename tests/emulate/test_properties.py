"""Properties over random small VPCs and sessions: totals add up, flags are ones AWS can write, REJECTs have a cause."""

from __future__ import annotations

import ipaddress
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vpcflow.emulate.capture import (
    I_ACTION,
    I_BYTES,
    I_DIRECTION,
    I_DPORT,
    I_DST,
    I_FLAGS,
    I_IFACE,
    I_PACKETS,
    I_PROTO,
    I_SPORT,
    I_SRC,
    I_STATUS,
    Capture,
)
from vpcflow.emulate.traffic import FLOW, PROBE_CLOSED, PROBE_OPEN, SYN, TCP, Session
from vpcflow.network import build_topology
from vpcflow.network.evaluator import Rules

START = 1767571200
REACHABLE_FLAGS = set(range(8)) | {18, 19, 22, 23}
PEERS = ["203.0.113.5", "198.51.100.9", "192.0.2.44"]
NAMES = ["a", "b", "c"]  # a, b public in the public subnet; c private, behind the NAT gateway
ALLOW_ALL = [{"protocol": "all", "cidr": "0.0.0.0/0"}]
PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1}


def topology_spec(sg_in=ALLOW_ALL, sg_out=ALLOW_ALL, acl_in=None, acl_out=None) -> dict:
    acl_in = acl_in if acl_in is not None else [{"rule": 100, "cidr": "0.0.0.0/0"}]
    acl_out = acl_out if acl_out is not None else [{"rule": 100, "cidr": "0.0.0.0/0"}]
    return {
        "vpc": {"cidr": "10.0.0.0/16"},
        "subnets": [{"name": "pub", "cidr": "10.0.0.0/24", "public": True, "network_acl": "acl"},
                    {"name": "priv", "cidr": "10.0.1.0/24", "nat_gateway": "nat", "network_acl": "acl"}],
        "security_groups": [{"name": "sg", "inbound": sg_in, "outbound": sg_out}],
        "network_acls": [{"name": "acl", "inbound": acl_in, "outbound": acl_out}],
        "interfaces": [{"name": "nat", "type": "nat_gateway", "subnet": "pub"},
                       {"name": "a", "subnet": "pub", "public": True, "security_groups": ["sg"]},
                       {"name": "b", "subnet": "pub", "public": True, "security_groups": ["sg"]},
                       {"name": "c", "subnet": "priv", "security_groups": ["sg"]}],
    }


@st.composite
def sessions(draw, shapes=(TCP, FLOW)):
    items = []
    for _ in range(draw(st.integers(1, 12))):
        client = draw(st.sampled_from(NAMES + PEERS))
        servers = [n for n in NAMES + PEERS if n != client and not (client in PEERS and n in PEERS + ["c"])]
        server = draw(st.sampled_from(servers))
        shape = draw(st.sampled_from(shapes))
        protocol = 6 if shape != FLOW else draw(st.sampled_from([6, 17, 1]))
        if shape == FLOW and protocol == 6:
            shape = TCP
        ported = protocol in (6, 17)
        cport = draw(st.integers(1024, 65535)) if ported else 0
        sport = draw(st.sampled_from([22, 53, 80, 123, 443, 3389, 8080])) if ported else 0
        t0 = START + draw(st.floats(0, 1800))
        t1 = t0 + draw(st.sampled_from([0.0, 0.5, 30.0, 200.0, 1500.0]))
        least = (4, 3) if shape == TCP else (1, 1)
        req = draw(st.integers(least[0], 3000))
        resp = draw(st.integers(least[1], 3000)) if shape != SYN else 0
        items.append((client, server, protocol, cport, sport, t0, t1, req, resp, shape,
                      draw(st.integers(0, 2000))))
    return items


def run(spec: dict, items, interval: int):
    topology = build_topology(spec)
    capture = Capture(topology, Rules(topology), interval, START, START + 3600)
    made = []
    for client, server, protocol, cport, sport, t0, t1, req, resp, shape, extra in items:
        c = topology.interface(client) if client in NAMES else client
        s = topology.interface(server) if server in NAMES else server
        session = Session(t0, t1, c, s, protocol, cport, sport, req, req * 60 + extra, resp, resp * 60 + extra, shape)
        made.append(session)
        capture.add(session)
    return topology, made, capture.flush(float("inf"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=sessions(), interval=st.sampled_from([60, 600]))
def test_packet_and_byte_totals_per_5_tuple_equal_the_sessions(items, interval):
    topology, made, records = run(topology_spec(), items, interval)
    truth: Counter = Counter()
    for s in made:
        client_ip = s.client.ip if not isinstance(s.client, str) else s.client
        server_ip = s.server.ip if not isinstance(s.server, str) else s.server
        for end in (s.client, s.server):
            if isinstance(end, str):
                continue
            truth[(end.index, client_ip, server_ip, s.cport, s.sport, s.protocol, "p")] += s.req_packets
            truth[(end.index, client_ip, server_ip, s.cport, s.sport, s.protocol, "b")] += s.req_bytes
            truth[(end.index, server_ip, client_ip, s.sport, s.cport, s.protocol, "p")] += s.resp_packets
            truth[(end.index, server_ip, client_ip, s.sport, s.cport, s.protocol, "b")] += s.resp_bytes
    nat = topology.interface("nat").index
    seen: Counter = Counter()
    for r in records:
        if r[I_STATUS] == "OK" and r[I_IFACE] != nat:
            key = (r[I_IFACE], r[I_SRC], r[I_DST], r[I_SPORT], r[I_DPORT], r[I_PROTO])
            seen[key + ("p",)] += r[I_PACKETS]
            seen[key + ("b",)] += r[I_BYTES]
    assert +seen == +truth


_rules = st.lists(st.fixed_dictionaries({
    "protocol": st.sampled_from(["tcp", "udp", "icmp", "all"]),
    "ports": st.sampled_from(["22", "80", "443", "1024-65535", "1-1023", "all"]),
    "cidr": st.sampled_from(["0.0.0.0/0", "10.0.0.0/16", "10.0.0.0/24", "203.0.113.0/24", "198.51.100.0/24"]),
}), max_size=4)


@st.composite
def acl_rules(draw):
    rules = draw(_rules)
    return [{**r, "rule": 10 * (n + 1), "action": draw(st.sampled_from(["allow", "deny"]))}
            for n, r in enumerate(rules)]


def _independent_verdict(rules: list[dict], protocol: int, port: int, other: str, first_match: bool) -> bool:
    """Allowed? Written apart from the emulator's evaluator: ACLs take the first rule by number, SGs any rule."""
    address = ipaddress.ip_address(other)
    ordered = sorted(rules, key=lambda r: r.get("rule", 0))
    for r in ordered:
        proto = r.get("protocol", "all")
        if proto != "all" and PROTOCOLS[proto] != protocol:
            continue
        low, _, high = str(r.get("ports", "all")).partition("-")
        if proto in ("tcp", "udp") and low != "all" and not (int(low) <= port <= int(high or low)):  # AWS: else no ports
            continue
        if address not in ipaddress.ip_network(r["cidr"]):
            continue
        allowed = r.get("action", "allow") == "allow"
        if first_match or allowed:
            return allowed
    return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=sessions(shapes=(TCP, FLOW, SYN, PROBE_OPEN, PROBE_CLOSED)), sg_in=_rules, sg_out=_rules,
       acl_in=acl_rules(), acl_out=acl_rules(), interval=st.sampled_from([60, 600]))
def test_every_reject_is_explained_by_a_rule_and_flags_are_reachable(items, sg_in, sg_out, acl_in, acl_out,
                                                                     interval):
    topology, _, records = run(topology_spec(sg_in, sg_out, acl_in, acl_out), items, interval)
    for r in records:
        if r[I_STATUS] != "OK":
            continue
        assert r[I_FLAGS] in REACHABLE_FLAGS if r[I_PROTO] == 6 else r[I_FLAGS] == 0
        if r[I_ACTION] != "REJECT":
            continue
        iface = topology.interfaces[r[I_IFACE]]
        inbound = r[I_DIRECTION] == "ingress"
        other = r[I_SRC] if inbound else r[I_DST]
        acl_ok = _independent_verdict(acl_in if inbound else acl_out, r[I_PROTO], r[I_DPORT], other, True)
        sg_ok = iface.kind == "nat_gateway" or _independent_verdict(sg_in if inbound else sg_out, r[I_PROTO],
                                                                    r[I_DPORT], other, False)
        assert not (acl_ok and sg_ok), f"REJECT with no rule to blame: {r}"

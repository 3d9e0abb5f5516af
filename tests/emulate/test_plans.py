"""Cached route plans: a verdict worked out once for a stretch of ports is the verdict at every port in it."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vpcflow.emulate.capture import I_STATUS, Capture
from vpcflow.emulate.traffic import FLOW, TCP, Session
from vpcflow.network import build_topology
from vpcflow.network.evaluator import Rules

from .test_properties import NAMES, START, _rules, acl_rules, topology_spec

# ports either side of every bound the rule strategies use, in an order that crosses bounds back and forth
EDGE_PORTS = [443, 0, 65535, 22, 1024, 21, 1023, 80, 23, 444, 79, 81, 442, 1025, 1, 65534]
PAIRS = [("203.0.113.5", "a"), ("a", "203.0.113.5"), ("c", "198.51.100.9"), ("a", "c"), ("c", "b")]


def _sessions(topology, protocol: int) -> list[Session]:
    sessions, k = [], 0
    for client, server in PAIRS:
        c = topology.interface(client) if client in NAMES else client
        s = topology.interface(server) if server in NAMES else server
        for cport, sport in zip(EDGE_PORTS, reversed(EDGE_PORTS), strict=True):
            t0 = START + k * 600 + 5  # one session a window: nothing merges
            shape = TCP if protocol == 6 else FLOW
            sessions.append(Session(t0, t0 + 1, c, s, protocol, cport, sport, 6, 900, 5, 1200, shape))
            k += 1
    return sessions


def _ok_records(capture: Capture) -> list[tuple]:
    return [r for r in capture.flush(float("inf")) if r[I_STATUS] == "OK"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sg_in=_rules, sg_out=_rules, acl_in=acl_rules(), acl_out=acl_rules(), protocol=st.sampled_from([6, 17]))
def test_records_with_plans_shared_across_ports_equal_records_of_a_fresh_evaluation(sg_in, sg_out, acl_in, acl_out,
                                                                                   protocol):
    topology = build_topology(topology_spec(sg_in, sg_out, acl_in, acl_out))
    sessions = _sessions(topology, protocol)
    end = START + len(sessions) * 600 + 600
    shared = Capture(topology, Rules(topology), 60, START, end, aligned=True)
    fresh = []
    for session in sessions:
        shared.add(session)
        alone = Capture(topology, Rules(topology), 60, START, end, aligned=True)  # no plan seen before
        alone.add(session)
        fresh.extend(_ok_records(alone))
    assert sorted(_ok_records(shared), key=repr) == sorted(fresh, key=repr)

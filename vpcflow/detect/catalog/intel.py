"""Peers named by threat lists, by category (vpcflow.detect.lists loads them): command-and-control servers,
sinkholes, drop points, Tor relays, and the user's own list. Tor also shows in behaviour (its default ORPort
9001 and DirPort 9030); each finding's `basis` says whether a list or a port named it.
"""

from __future__ import annotations

from ..model import Detection, Param
from ..registry import register
from .common import CATEGORIES, OWN, PUBLIC_SERVICE_PORTS, TOR_PORTS, episodes, listed, own
from .thresholds import WHY

_GAP = Param(3600, "windows at most this many seconds apart form one finding")


def _calls(id_: str, title: str, category: str, severity: str, guardduty: str, mitre: str) -> Detection:
    """The instance calls an address on the list's category (accepted or not: the attempt is the news)."""
    return register(Detection(
        id=id_, thresholds=WHY[id_], title=title, severity=severity, category="threat-intel",
        summary="{src} called {dst}:{dst_port}, listed as " + category,
        params={"category": Param(category, "the threat-list category"), "gap": _GAP, **OWN},
        reads=("flow_windows", "threat_list"), actor="instance", lists=(category,), guardduty=guardduty,
        mitre=mitre, doc=f"docs/detections.md#{id_}",
        sql=episodes(f"""
WITH out AS (SELECT * FROM flow_windows WHERE requests > 0 AND {own('src')} AND NOT {own('dst')}),
bad AS ({listed("SELECT DISTINCT dstaddr AS address FROM out", "t.list = $category")})
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       sum(bytes) AS metric, '{severity}' AS severity, 'threat list' AS basis
FROM out
WHERE dstaddr IN (SELECT address FROM bad)
GROUP BY srcaddr, dstaddr, dstport, protocol, window_start""")))


_calls("c2-activity", "Command-and-control server contacted", "c2", "high", "Backdoor:EC2/C&CActivity.B",
       "T1071 Application Layer Protocol")
_calls("blackhole-traffic", "Sinkholed address contacted", "blackhole", "medium", "Trojan:EC2/BlackholeTraffic",
       "T1071 Application Layer Protocol")
_calls("drop-point", "Drop point for stolen data contacted", "drop-point", "medium", "Trojan:EC2/DropPoint",
       "T1041 Exfiltration Over C2 Channel")

register(Detection(
    id="known-bad-peer", thresholds=WHY["known-bad-peer"], title="Traffic with an address on your own threat list", severity="medium",
    category="threat-intel", summary="{src} and {dst} exchanged traffic; one is on your threat list",
    params={"categories": Param([c for c in CATEGORIES if c != "custom"],
                                "categories with a detection of their own; every other entry is the user's"),
            "gap": _GAP, **OWN},
    reads=("flow_windows", "threat_list"), actor="either", lists=("custom",),
    guardduty="UnauthorizedAccess:EC2/MaliciousIPCaller.Custom", mitre="T1071 Application Layer Protocol",
    doc="docs/detections.md#known-bad-peer",
    sql=episodes(f"""
WITH seen AS (SELECT * FROM flow_windows WHERE requests > 0 OR action = 'REJECT'),
bad AS ({listed("SELECT srcaddr AS address FROM seen UNION SELECT dstaddr AS address FROM seen",
                "NOT array_contains($categories, t.list)")})
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       sum(bytes) AS metric,
       CASE WHEN {own('src')} OR max(CASE WHEN action = 'ACCEPT' THEN 1 ELSE 0 END) = 1 THEN 'medium'
            ELSE 'low' END AS severity, 'threat list' AS basis
FROM seen
WHERE srcaddr IN (SELECT address FROM bad) OR dstaddr IN (SELECT address FROM bad)
GROUP BY srcaddr, dstaddr, dstport, protocol, window_start, src_private, src_prefix""")))

register(Detection(
    id="tor-client", thresholds=WHY["tor-client"], title="The instance connects to Tor", severity="high", category="threat-intel",
    summary="{src} connected to {metric} Tor relays ({basis})",
    params={"categories": Param(["tor-relay", "tor-exit"], "threat-list categories of Tor relays"),
            "or_ports": Param(TOR_PORTS, "Tor's default ORPort and DirPort"),
            "min_relays": Param(3, "distinct relays on Tor's ports when no list names them (a circuit is 3 hops)"),
            "gap": _GAP, **OWN},
    actor="instance", lists=("tor-relay", "tor-exit"), guardduty="UnauthorizedAccess:EC2/TorClient",
    mitre="T1090.003 Multi-hop Proxy", doc="docs/detections.md#tor-client",
    sql=episodes(f"""
WITH out AS (SELECT * FROM flow_windows WHERE requests > 0 AND {own('src')} AND NOT {own('dst')}
                                          AND protocol = 6 AND action = 'ACCEPT'),
relays AS ({listed("SELECT DISTINCT dstaddr AS address FROM out", "array_contains($categories, t.list)")}),
marked AS (SELECT out.*, dstaddr IN (SELECT address FROM relays) AS on_list FROM out)
SELECT srcaddr AS src, CASE WHEN count(DISTINCT dstaddr) = 1 THEN min(dstaddr) END AS dst,
       CAST(NULL AS INTEGER) AS dst_port, protocol, min(first_start) AS first_seen, max(last_end) AS last_seen,
       sum(records) AS records, count(DISTINCT dstaddr) AS metric,
       CASE WHEN bool_or(on_list) THEN 'high' ELSE 'medium' END AS severity,
       CASE WHEN bool_or(on_list) THEN 'threat list' ELSE 'Tor ports' END AS basis
FROM marked
WHERE on_list OR array_contains($or_ports, dstport)
GROUP BY srcaddr, protocol, window_start
HAVING bool_or(on_list) OR count(DISTINCT dstaddr) >= $min_relays""")))

register(Detection(
    id="tor-relay", thresholds=WHY["tor-relay"], title="The instance acts as a Tor relay", severity="high", category="threat-intel",
    summary="{dst} accepted Tor connections from {metric} peers on port {dst_port} ({basis})",
    params={"categories": Param(["tor-relay"], "threat-list categories of Tor relays"),
            "or_ports": Param(TOR_PORTS, "Tor's default ORPort and DirPort"),
            "public_ports": Param(PUBLIC_SERVICE_PORTS, "web ports: Tor users visit websites, that is no relay"),
            "min_peers": Param(3, "distinct peers whose connections (not probes) a relay port accepted"),
            "gap": _GAP, **OWN},
    actor="instance", lists=("tor-relay",), guardduty="UnauthorizedAccess:EC2/TorRelay",
    mitre="T1090.003 Multi-hop Proxy", doc="docs/detections.md#tor-relay",
    sql=episodes(f"""
WITH inbound AS (SELECT * FROM flow_windows WHERE requests > probes AND {own('dst')} AND NOT {own('src')}
                                              AND protocol = 6 AND action = 'ACCEPT'
                                              AND NOT array_contains($public_ports, dstport)),
relays AS ({listed("SELECT DISTINCT srcaddr AS address FROM inbound", "array_contains($categories, t.list)")}),
marked AS (SELECT inbound.*, srcaddr IN (SELECT address FROM relays) AS on_list FROM inbound)
SELECT CAST(NULL AS VARCHAR) AS src, dstaddr AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(DISTINCT srcaddr) AS metric, 'high' AS severity,
       CASE WHEN bool_or(on_list) THEN 'threat list' ELSE 'Tor ports' END AS basis
FROM marked
WHERE on_list OR array_contains($or_ports, dstport)
GROUP BY dstaddr, dstport, protocol, window_start
HAVING count(DISTINCT srcaddr) >= $min_peers""")))

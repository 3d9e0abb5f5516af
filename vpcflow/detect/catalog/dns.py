"""DNS that goes around the VPC's resolver: plain DNS to an outside resolver (the VPC's own resolver at
base+2 is never in flow logs, so any logged DNS from an instance to the internet went elsewhere), DNS over
HTTPS to a public resolver, and DNS over TLS (port 853, RFC 7858; DNS over QUIC uses UDP 853, RFC 9250).

Public resolvers come from a small curated list shipped with the package (public_resolvers.csv, each row with
its provider's page), extended by threat-list entries of category doh-resolver or dot-resolver.
"""

from __future__ import annotations

import csv
from importlib import resources

from ..model import Detection, Param
from ..registry import register
from .common import OWN, episodes, listed, own
from .thresholds import WHY

_GAP = Param(3600, "windows at most this many seconds apart form one finding")


def public_resolvers(category: str) -> list[str]:
    """Addresses of the shipped list in a category (doh-resolver, dot-resolver)."""
    text = (resources.files(__package__) / "public_resolvers.csv").read_text()
    return [row["network"] for row in csv.DictReader(line for line in text.splitlines()
                                                     if not line.startswith("#")) if row["category"] == category]


register(Detection(
    id="dns-unusual-resolver", thresholds=WHY["dns-unusual-resolver"], title="DNS to a resolver outside the VPC", severity="medium", category="dns",
    summary="{src} sent {metric} DNS queries to {dst}, not the VPC's resolver",
    params={"min_queries": Param(10, "DNS queries (client ports) to one outside resolver in an episode"),
            "gap": _GAP, **OWN},
    actor="instance", guardduty="DefenseEvasion:EC2/UnusualDNSResolver", mitre="T1071.004 DNS",
    doc="docs/detections.md#dns-unusual-resolver",
    sql=episodes(f"""
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       sum(requests) AS metric, 'medium' AS severity, 'port 53 to the internet' AS basis
FROM flow_windows
WHERE requests > 0 AND dstport = 53 AND protocol IN (6, 17) AND {own('src')} AND NOT {own('dst')}
GROUP BY srcaddr, dstaddr, dstport, protocol, window_start""", metric="sum", having="sum(metric) >= $min_queries")))


def _encrypted(id_: str, title: str, ports: list[int], category: str, guardduty: str, any_host: bool) -> Detection:
    """DNS over an encrypted transport to a public resolver (on the shipped list or the threat list's)."""
    where_port = "array_contains($ports, dstport)"
    named = "(array_contains($resolvers, lower(dstaddr)) OR dstaddr IN (SELECT address FROM listed_resolvers))"
    return register(Detection(
        id=id_, thresholds=WHY[id_], title=title, severity="medium", category="dns",
        summary="{src} made {metric} connections to resolver {dst}:{dst_port} ({basis})",
        params={"ports": Param(ports, "the transport's ports"),
                "resolvers": Param(public_resolvers(category), "well-known public resolvers (shipped list)"),
                "category": Param(category, "threat-list category of more resolvers"),
                "min_connections": Param(3, "connections (client ports) in an episode"), "gap": _GAP, **OWN},
        actor="instance", lists=(category,), guardduty=guardduty, mitre="T1572 Protocol Tunneling",
        doc=f"docs/detections.md#{id_}",
        sql=episodes(f"""
WITH out AS (SELECT * FROM flow_windows
             WHERE requests > 0 AND {where_port} AND {own('src')} AND NOT {own('dst')}),
listed_resolvers AS ({listed("SELECT DISTINCT dstaddr AS address FROM out", "t.list = $category")})
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       sum(requests) AS metric, 'medium' AS severity,
       CASE WHEN {named} THEN 'known resolver' ELSE 'port' END AS basis
FROM out
WHERE {named if not any_host else "TRUE"}
GROUP BY srcaddr, dstaddr, dstport, protocol, window_start""", metric="sum",
            having="sum(metric) >= $min_connections")))


_encrypted("dns-over-https", "DNS over HTTPS to a public resolver", [443], "doh-resolver",
           "DefenseEvasion:EC2/UnusualDoHActivity", any_host=False)
_encrypted("dns-over-tls", "DNS over TLS (or QUIC) to a public resolver", [853], "dot-resolver",
           "DefenseEvasion:EC2/UnusualDoTActivity", any_host=True)

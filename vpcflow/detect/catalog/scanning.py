"""Scanning: vertical and horizontal port scans, slow scans, port sweeps across the internet.

A probe is a request record of at most two small packets (a SYN, or a SYN and a retry): what scanners send.
"""

from __future__ import annotations

from ..aggregates import episodes
from ..model import Detection, Param
from ..registry import register

_GAP = Param(1800, "hits of one key at most this many seconds apart form one finding")

register(Detection(
    id="port-scan-vertical", title="Vertical port scan", severity="medium", category="scanning",
    summary="{src} probed {metric} ports on {dst}",
    params={"min_ports": Param(50, "distinct destination ports probed on one host in one window"), "gap": _GAP},
    guardduty="Recon:EC2/Portscan", mitre="T1046 Network Service Discovery", doc="docs/detections.md#port-scan-vertical",
    sql=episodes("""
SELECT srcaddr AS src, dstaddr AS dst, CAST(NULL AS INTEGER) AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(DISTINCT dstport) AS metric
FROM flow_windows
WHERE probes > 0 AND protocol IN (6, 17)
GROUP BY srcaddr, dstaddr, protocol, window_start
HAVING count(DISTINCT dstport) >= $min_ports""")))

register(Detection(
    id="port-scan-horizontal", title="Horizontal port scan", severity="medium", category="scanning",
    summary="{src} probed {metric} private hosts",
    params={"min_hosts": Param(3, "distinct private hosts probed in one window"),
            "min_probes": Param(6, "probes in that window"),
            "min_probe_share": Param(0.5, "share of the source's requests in the window that are probes"),
            "gap": _GAP},
    guardduty="Recon:EC2/Portscan", mitre="T1046 Network Service Discovery",
    doc="docs/detections.md#port-scan-horizontal",
    sql=episodes("""
SELECT srcaddr AS src, CAST(NULL AS VARCHAR) AS dst, CAST(NULL AS INTEGER) AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(DISTINCT CASE WHEN probes > 0 THEN dstaddr END) AS metric
FROM flow_windows
WHERE dst_private AND protocol IN (6, 17) AND requests > 0
GROUP BY srcaddr, protocol, window_start
HAVING count(DISTINCT CASE WHEN probes > 0 THEN dstaddr END) >= $min_hosts AND sum(probes) >= $min_probes
   AND sum(probes) >= $min_probe_share * sum(requests)""")))

register(Detection(
    id="slow-scan", title="Slow port scan", severity="medium", category="scanning",
    summary="{src} probed about {metric} ports on {dst}, a few each window",
    params={"min_window_ports": Param(3, "distinct ports probed on the host in a window to count it"),
            "max_window_ports": Param(49, "more than this in a window is a fast (vertical) scan instead"),
            "min_ports": Param(20, "ports probed over the whole episode"),
            "min_windows": Param(3, "windows the episode spans"), "gap": _GAP},
    guardduty="Recon:EC2/Portscan", mitre="T1046 Network Service Discovery", doc="docs/detections.md#slow-scan",
    sql=episodes("""
SELECT srcaddr AS src, dstaddr AS dst, CAST(NULL AS INTEGER) AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(DISTINCT dstport) AS metric
FROM flow_windows
WHERE probes > 0 AND protocol IN (6, 17)
GROUP BY srcaddr, dstaddr, protocol, window_start
HAVING count(DISTINCT dstport) BETWEEN $min_window_ports AND $max_window_ports""",
        metric="sum", having="sum(metric) >= $min_ports AND count(*) >= $min_windows")))

register(Detection(
    id="port-sweep", title="Port sweep across public addresses", severity="high", category="scanning",
    summary="{src} probed port {dst_port} on {metric} public addresses",
    params={"min_hosts": Param(20, "distinct public addresses probed on one port in one window"), "gap": _GAP},
    guardduty="Recon:EC2/Portscan (outbound: the instance is scanning)", mitre="T1046 Network Service Discovery",
    doc="docs/detections.md#port-sweep",
    sql=episodes("""
SELECT srcaddr AS src, CAST(NULL AS VARCHAR) AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(DISTINCT dstaddr) AS metric
FROM flow_windows
WHERE probes > 0 AND NOT dst_private AND protocol IN (6, 17)
GROUP BY srcaddr, dstport, protocol, window_start
HAVING count(DISTINCT dstaddr) >= $min_hosts""")))

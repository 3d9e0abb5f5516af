"""Scanning, from both sides. The instance as the scanner (Recon:EC2/Portscan, Impact:EC2/PortSweep) pages
someone; the internet scanning the VPC is the weather: GuardDuty has no finding for it, so inbound scans are
`low` whatever their count, and only a probe a port accepted (PortProbeUnprotectedPort) rises, by port.

A probe is a request record of at most two small packets (a SYN, or a SYN and the prober's RST). The inbound
scans count distinct ports or hosts in two steps (a row per port or host, then count(*)): count(DISTINCT ...)
beside other aggregates costs DuckDB a second aggregate and a join, about a third of these detections' time.
"""

from __future__ import annotations

from ..model import Detection, Param
from ..registry import register
from .common import DATA_STORE_PORTS, EMR_PORTS, GAP, OWN, episodes, own
from .thresholds import WHY


def _probes(alias: str = "") -> str:
    """SQL over flow_windows: probes from outside, over TCP or UDP."""
    a = f"{alias}." if alias else ""
    return f"{a}probes > 0 AND {a}protocol IN (6, 17) AND NOT {own('src', alias)}"


def _probed_ports(least: str) -> str:
    """One row per (source, host, protocol, window, port) probed from outside: vertical and slow scans count the
    rows. Only for the (source, host, window)s with at least `least` rows of probes: a port is one or two rows
    (accepted, rejected), so fewer rows cannot make enough ports, and most sources probe one port of a host."""
    return f"""busy AS (
  SELECT srcaddr, dstaddr, protocol, window_start FROM flow_windows WHERE {_probes()}
  GROUP BY srcaddr, dstaddr, protocol, window_start HAVING count(*) >= {least}
),
probed_ports AS (
  SELECT f.srcaddr, f.dstaddr, f.protocol, f.window_start, f.dstport, min(f.first_start) AS first_start,
         max(f.last_end) AS last_end, sum(f.records) AS records
  FROM flow_windows f
  JOIN busy b ON f.srcaddr = b.srcaddr AND f.dstaddr IS NOT DISTINCT FROM b.dstaddr AND f.protocol = b.protocol
             AND f.window_start = b.window_start
  WHERE {_probes('f')}
  GROUP BY f.srcaddr, f.dstaddr, f.protocol, f.window_start, f.dstport
)"""


register(Detection(
    id="port-scan-vertical", thresholds=WHY["port-scan-vertical"], title="Inbound vertical port scan", severity="low", category="scanning",
    summary="{src} probed {metric} ports on {dst}",
    params={"min_ports": Param(50, "distinct destination ports probed on one host in one window"), "gap": GAP,
            **OWN},
    actor="remote", guardduty="", mitre="T1595 Active Scanning", doc="docs/detections.md#port-scan-vertical",
    sql=episodes(f"""
WITH {_probed_ports("$min_ports")}
SELECT srcaddr AS src, dstaddr AS dst, CAST(NULL AS INTEGER) AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(*) AS metric, 'low' AS severity, 'behaviour' AS basis
FROM probed_ports
GROUP BY srcaddr, dstaddr, protocol, window_start
HAVING count(*) >= $min_ports""")))

# Hosts are counted only for the (source, window)s whose rows could pass: a host is one row or more, and the
# probe and request sums are the same over rows as over hosts (0.24 -> 0.11 s of CPU at 10M records).
register(Detection(
    id="port-scan-horizontal", thresholds=WHY["port-scan-horizontal"], title="Inbound horizontal port scan", severity="low", category="scanning",
    summary="{src} probed {metric} of the VPC's hosts",
    params={"min_hosts": Param(3, "distinct own hosts probed in one window"),
            "min_probes": Param(6, "probes in that window"),
            "min_probe_share": Param(0.5, "share of the source's requests in the window that are probes"),
            "gap": GAP, **OWN},
    actor="remote", guardduty="", mitre="T1595 Active Scanning", doc="docs/detections.md#port-scan-horizontal",
    sql=episodes(f"""
WITH busy AS (
  SELECT srcaddr, protocol, window_start FROM flow_windows
  WHERE {own('dst')} AND NOT {own('src')} AND protocol IN (6, 17) AND requests > 0
  GROUP BY srcaddr, protocol, window_start
  HAVING count(*) FILTER (WHERE probes > 0) >= $min_hosts AND sum(probes) >= $min_probes
     AND sum(probes) >= $min_probe_share * sum(requests)
),
per_host AS (
  SELECT f.srcaddr, f.protocol, f.window_start, f.dstaddr, min(f.first_start) AS first_start,
         max(f.last_end) AS last_end, sum(f.records) AS records, sum(f.probes) AS probes,
         sum(f.requests) AS requests
  FROM flow_windows f
  JOIN busy b ON f.srcaddr = b.srcaddr AND f.protocol = b.protocol AND f.window_start = b.window_start
  WHERE {own('dst', 'f')} AND NOT {own('src', 'f')} AND f.protocol IN (6, 17) AND f.requests > 0
  GROUP BY f.srcaddr, f.protocol, f.window_start, f.dstaddr
)
SELECT srcaddr AS src, CAST(NULL AS VARCHAR) AS dst, CAST(NULL AS INTEGER) AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(*) FILTER (WHERE probes > 0) AS metric, 'low' AS severity, 'behaviour' AS basis
FROM per_host
GROUP BY srcaddr, protocol, window_start
HAVING count(*) FILTER (WHERE probes > 0) >= $min_hosts AND sum(probes) >= $min_probes
   AND sum(probes) >= $min_probe_share * sum(requests)""")))

register(Detection(
    id="slow-scan", thresholds=WHY["slow-scan"], title="Inbound slow port scan", severity="low", category="scanning",
    summary="{src} probed about {metric} ports on {dst}, a few each window",
    params={"min_window_ports": Param(3, "distinct ports probed on the host in a window to count it"),
            "max_window_ports": Param(49, "more than this in a window is a fast (vertical) scan instead"),
            "min_ports": Param(20, "ports probed over the whole episode"),
            "min_windows": Param(3, "windows the episode spans"), "gap": GAP, **OWN},
    actor="remote", guardduty="", mitre="T1595 Active Scanning", doc="docs/detections.md#slow-scan",
    sql=episodes(f"""
WITH {_probed_ports("$min_window_ports")}
SELECT srcaddr AS src, dstaddr AS dst, CAST(NULL AS INTEGER) AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(*) AS metric, 'low' AS severity, 'behaviour' AS basis
FROM probed_ports
GROUP BY srcaddr, dstaddr, protocol, window_start
HAVING count(*) BETWEEN $min_window_ports AND $max_window_ports""",
        metric="sum", having="sum(metric) >= $min_ports AND count(*) >= $min_windows")))

register(Detection(
    id="port-scan-outbound", thresholds=WHY["port-scan-outbound"], title="The instance scans ports", severity="medium", category="scanning",
    summary="{src} probed {metric} TCP ports of {dst}",
    params={"min_ports": Param(20, "distinct TCP ports the instance probed in one window"), "gap": GAP, **OWN},
    actor="instance", guardduty="Recon:EC2/Portscan", mitre="T1046 Network Service Discovery",
    doc="docs/detections.md#port-scan-outbound",
    sql=episodes(f"""
SELECT srcaddr AS src, CASE WHEN min(dstaddr) = max(dstaddr) THEN min(dstaddr) END AS dst,
       CAST(NULL AS INTEGER) AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(DISTINCT dstport) AS metric, 'medium' AS severity, 'behaviour' AS basis
FROM flow_windows
WHERE probes > 0 AND protocol = 6 AND {own('src')}
GROUP BY srcaddr, protocol, window_start
HAVING count(DISTINCT dstport) >= $min_ports""")))

register(Detection(
    id="port-sweep", thresholds=WHY["port-sweep"], title="The instance sweeps one port across the internet", severity="high",
    category="scanning", summary="{src} probed port {dst_port} on {metric} public addresses",
    params={"min_hosts": Param(20, "distinct public addresses probed on one port in one window"), "gap": GAP,
            **OWN},
    actor="instance", guardduty="Impact:EC2/PortSweep", mitre="T1046 Network Service Discovery",
    doc="docs/detections.md#port-sweep",
    sql=episodes(f"""
SELECT srcaddr AS src, CAST(NULL AS VARCHAR) AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(DISTINCT dstaddr) AS metric, 'high' AS severity, 'behaviour' AS basis
FROM flow_windows
WHERE probes > 0 AND {own('src')} AND NOT {own('dst')} AND protocol IN (6, 17)
GROUP BY srcaddr, dstport, protocol, window_start
HAVING count(DISTINCT dstaddr) >= $min_hosts""")))


def _probed(id_: str, title: str, ports_doc: str, emr: bool, guardduty: str) -> Detection:
    """Probes from the internet that a port accepted: the security group leaves it open to scanners."""
    choose = "array_contains($emr_ports, dstport)" if emr else "NOT array_contains($emr_ports, dstport)"
    rate = "'high'" if emr else "CASE WHEN array_contains($sensitive_ports, dstport) THEN 'high' ELSE 'low' END"
    params = {"min_sources": Param(3, "distinct internet sources whose probes the port accepted in a period"),
              "period": Param(86400, "seconds over which sources are counted"),
              "emr_ports": Param(EMR_PORTS, "EMR's web and API ports (ResourceManager 8088, ...)"),
              "gap": Param(86400, "periods at most this many seconds apart form one finding"), **OWN}
    if not emr:
        params["sensitive_ports"] = Param(DATA_STORE_PORTS, ports_doc)
    return register(Detection(
        id=id_, thresholds=WHY[id_], title=title, severity="high" if emr else "low", category="exposure",
        summary="port {dst_port} of {dst} accepted probes from {metric} internet scanners",
        params=params, actor="remote", guardduty=guardduty, mitre="T1595 Active Scanning",
        doc=f"docs/detections.md#{id_}",
        sql=episodes(f"""
SELECT CASE WHEN count(DISTINCT srcaddr) = 1 THEN min(srcaddr) END AS src, dstaddr AS dst, dstport AS dst_port,
       protocol, min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(DISTINCT srcaddr) AS metric, {rate} AS severity, 'behaviour' AS basis
FROM flow_windows
WHERE action = 'ACCEPT' AND probes > 0 AND protocol = 6 AND {own('dst')} AND NOT {own('src')} AND {choose}
GROUP BY dstaddr, dstport, protocol, window_start - window_start % $period
HAVING count(DISTINCT srcaddr) >= $min_sources""")))


_probed("port-probe-unprotected", "An exposed port accepts internet probes",
        "data stores and control ports never meant for the internet (Elasticsearch 9200/9300, Redis, ...): high",
        False, "Recon:EC2/PortProbeUnprotectedPort")
_probed("port-probe-emr", "An EMR port accepts internet probes", "", True,
        "Recon:EC2/PortProbeEMRUnprotectedPort")

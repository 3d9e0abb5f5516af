"""Denial of service, UDP to TCP-only ports, mining pools, unusual ports and spam."""

from __future__ import annotations

from ..aggregates import episodes
from ..model import Detection, Param
from ..registry import register

_GAP = Param(1800, "windows at most this many seconds apart form one finding")
MINING_PORTS = [3333, 3334, 3357, 4444, 5555, 5556, 5588, 5730, 6099, 6666, 7777, 7778, 8333, 8888, 9999,
                14433, 14444, 45560, 45700]
TCP_ONLY_PORTS = [21, 22, 23, 25, 80, 110, 143, 443, 445, 993, 995, 1433, 3306, 3389, 5432, 5985, 5986, 8080,
                  8443]
KNOWN_PORTS = [20, 21, 22, 23, 25, 53, 80, 110, 123, 135, 137, 138, 139, 143, 389, 443, 445, 465, 587, 636, 993,
               995, 1433, 1521, 3306, 3389, 5432, 5985, 5986, 6379, 8080, 8443, 9200, 27017]

register(Detection(
    id="dos-inbound", title="Inbound flood", severity="high", category="denial-of-service",
    summary="{dst}:{dst_port} received {metric:.0f} packets a second",
    params={"min_pps": Param(10000, "request packets a second to one host and port, averaged over a window"),
            "window": Param(600, "the aggregate window in seconds (shared)"), "gap": _GAP},
    guardduty="Backdoor:EC2/DenialOfService.Tcp (target side)", mitre="T1498 Network Denial of Service",
    doc="docs/detections.md#dos-inbound",
    sql=episodes("""
SELECT CASE WHEN count(DISTINCT srcaddr) = 1 THEN min(srcaddr) END AS src, dstaddr AS dst, dstport AS dst_port,
       protocol, min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       sum(request_packets) / $window AS metric
FROM flow_windows
WHERE dst_private AND requests > 0
GROUP BY dstaddr, dstport, protocol, window_start
HAVING sum(request_packets) >= $min_pps * $window""")))

register(Detection(
    id="dos-outbound", title="Outbound flood", severity="high", category="denial-of-service",
    summary="{src} sent {metric:.0f} packets a second to {dst}:{dst_port}",
    params={"min_pps": Param(10000, "request packets a second from one host to one destination, averaged over "
                                    "a window"),
            "window": Param(600, "the aggregate window in seconds (shared)"), "gap": _GAP},
    guardduty="Backdoor:EC2/DenialOfService.Udp", mitre="T1498 Network Denial of Service",
    doc="docs/detections.md#dos-outbound",
    sql=episodes("""
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       sum(request_packets) / $window AS metric
FROM flow_windows
WHERE src_private AND NOT dst_private AND requests > 0
GROUP BY srcaddr, dstaddr, dstport, protocol, window_start
HAVING sum(request_packets) >= $min_pps * $window""")))

register(Detection(
    id="udp-on-tcp-ports", title="UDP flood on TCP-only ports", severity="high", category="denial-of-service",
    summary="{src} sent {metric} UDP packets to {dst}:{dst_port}, a TCP-only port",
    params={"ports": Param(TCP_ONLY_PORTS, "ports that only speak TCP"),
            "min_packets": Param(10000, "UDP packets to one such port in one window"), "gap": _GAP},
    guardduty="Backdoor:EC2/DenialOfService.UdpOnTcpPorts", mitre="T1498 Network Denial of Service",
    doc="docs/detections.md#udp-on-tcp-ports",
    sql=episodes("""
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       sum(packets) AS metric
FROM flow_windows
WHERE protocol = 17 AND array_contains($ports, dstport)
GROUP BY srcaddr, dstaddr, dstport, protocol, window_start
HAVING sum(packets) >= $min_packets""")))

register(Detection(
    id="crypto-mining", title="Cryptocurrency mining pool", severity="high", category="impact",
    summary="{src} talked to {dst} on mining-pool port {dst_port}",
    params={"ports": Param(MINING_PORTS, "mining pool (Stratum) ports"), "gap": Param(3600, _GAP.doc)},
    guardduty="CryptoCurrency:EC2/BitcoinTool.B", mitre="T1496 Resource Hijacking",
    doc="docs/detections.md#crypto-mining",
    sql=episodes("""
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       sum(bytes) AS metric
FROM flow_windows
WHERE requests > 0 AND src_private AND NOT dst_private AND action = 'ACCEPT' AND protocol = 6
  AND array_contains($ports, dstport)
GROUP BY srcaddr, dstaddr, dstport, protocol, window_start""")))

register(Detection(
    id="unusual-port", title="Unusual port for this host", severity="medium", category="command-and-control",
    summary="{src} used port {dst_port} to {dst}, new for it",
    params={"known_ports": Param(KNOWN_PORTS, "common service ports, never unusual"),
            "mining_ports": Param(MINING_PORTS, "left to crypto-mining"),
            "lookback": Param(21600, "a port is new when the source has not used it in this many seconds before"),
            "max_prior_windows": Param(3, "windows of earlier use within the lookback still counted as new"),
            "min_history": Param(3600, "seconds of the source's history needed before anything is new"),
            "gap": Param(3600, _GAP.doc)},
    guardduty="Behavior:EC2/NetworkPortUnusual", mitre="T1571 Non-Standard Port",
    doc="docs/detections.md#unusual-port",
    sql=episodes("""
WITH uses AS (
  SELECT srcaddr, CASE WHEN count(DISTINCT dstaddr) = 1 THEN min(dstaddr) END AS dstaddr, dstport, protocol,
         window_start, min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records
  FROM flow_windows
  WHERE requests > 0 AND src_private AND NOT dst_private AND action = 'ACCEPT' AND protocol IN (6, 17)
    AND NOT array_contains($known_ports, dstport) AND NOT array_contains($mining_ports, dstport)
  GROUP BY srcaddr, dstport, protocol, window_start
),
port_windows AS (SELECT DISTINCT srcaddr, dstport, protocol, window_start FROM uses),
prior AS (
  SELECT srcaddr, dstport, protocol, window_start,
         count(*) OVER (PARTITION BY srcaddr, dstport, protocol ORDER BY window_start
                        RANGE BETWEEN $lookback PRECEDING AND 1 PRECEDING) AS prior_windows
  FROM port_windows
),
history AS (SELECT srcaddr, min(window_start) AS since FROM flow_windows WHERE src_private GROUP BY srcaddr)
SELECT u.srcaddr AS src, u.dstaddr AS dst, u.dstport AS dst_port, u.protocol, u.first_seen, u.last_seen,
       u.records, p.prior_windows AS metric
FROM uses u
JOIN prior p ON u.srcaddr = p.srcaddr AND u.dstport = p.dstport AND u.protocol = p.protocol
            AND u.window_start = p.window_start
JOIN history h ON u.srcaddr = h.srcaddr
WHERE p.prior_windows <= $max_prior_windows AND u.window_start - h.since >= $min_history""")))

register(Detection(
    id="spam", title="Outbound spam (SMTP to many peers)", severity="medium", category="impact",
    summary="{src} sent mail to {metric} servers on port {dst_port}",
    params={"ports": Param([25], "SMTP ports"), "min_peers": Param(10, "distinct mail servers in one window"),
            "gap": _GAP},
    guardduty="UnauthorizedAccess:EC2/TorClient (closest: Behavior:EC2/TrafficVolumeUnusual)",
    mitre="T1496 Resource Hijacking", doc="docs/detections.md#spam",
    sql=episodes("""
SELECT srcaddr AS src, CAST(NULL AS VARCHAR) AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(DISTINCT dstaddr) AS metric
FROM flow_windows
WHERE requests > 0 AND NOT dst_private AND protocol = 6 AND array_contains($ports, dstport)
GROUP BY srcaddr, dstport, protocol, window_start
HAVING count(DISTINCT dstaddr) >= $min_peers""")))

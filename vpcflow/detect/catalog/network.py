"""Known-bad peers from the user's threat list, and spikes of rejected traffic."""

from __future__ import annotations

from ..aggregates import episodes, ipv4_number
from ..model import Detection, Param
from ..registry import register

register(Detection(
    id="known-bad-peer", title="Traffic with a known-bad address", severity="high", category="threat-intel",
    summary="{src} and {dst} exchanged traffic; one is on the threat list",
    params={"gap": Param(3600, "windows at most this many seconds apart form one finding")},
    reads=("flow_windows", "threat_list"),
    guardduty="UnauthorizedAccess:EC2/MaliciousIPCaller.Custom", mitre="T1071 Application Layer Protocol",
    doc="docs/detections.md#known-bad-peer",
    sql=episodes(f"""
WITH addresses AS (
  SELECT DISTINCT address FROM (
    SELECT srcaddr AS address FROM flow_windows UNION ALL SELECT dstaddr AS address FROM flow_windows) a
),
bad AS (
  SELECT DISTINCT a.address
  FROM addresses a JOIN threat_list t
    ON {ipv4_number('a.address')} BETWEEN t.low AND t.high OR lower(a.address) = lower(t.network)
)
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       sum(bytes) AS metric
FROM flow_windows
WHERE (requests > 0 OR action = 'REJECT')
  AND (srcaddr IN (SELECT address FROM bad) OR dstaddr IN (SELECT address FROM bad))
GROUP BY srcaddr, dstaddr, dstport, protocol, window_start""")))

register(Detection(
    id="reject-spike", title="Spike of rejected traffic", severity="medium", category="network",
    summary="{metric} rejected connections to {dst}:{dst_port} in a window",
    params={"min_rejects": Param(100, "rejected records to one host and port in one window"),
            "baseline_factor": Param(10, "times the host-and-port's average rejects per window"),
            "max_ports": Param(3, "more distinct ports from the sources makes it a scan instead"), "gap":
            Param(1800, "windows at most this many seconds apart form one finding")},
    needs=("srcaddr", "dstaddr", "dstport", "protocol", "start", "action"),
    guardduty="Recon:EC2/PortProbeUnprotectedPort (closest)", mitre="T1595 Active Scanning",
    doc="docs/detections.md#reject-spike",
    sql=episodes("""
WITH rejects AS (
  SELECT dstaddr, dstport, protocol, window_start, count(DISTINCT srcaddr) AS sources,
         min(srcaddr) AS any_source, sum(records) AS records, min(first_start) AS first_seen,
         max(last_end) AS last_seen
  FROM flow_windows
  WHERE action = 'REJECT' AND dstport IS NOT NULL
  GROUP BY dstaddr, dstport, protocol, window_start
),
windows AS (SELECT count(DISTINCT window_start) AS n FROM flow_windows),
baseline AS (
  SELECT dstaddr, dstport, protocol, sum(records) AS total FROM rejects GROUP BY dstaddr, dstport, protocol
),
scanners AS (
  SELECT srcaddr, dstaddr, window_start FROM flow_windows WHERE action = 'REJECT'
  GROUP BY srcaddr, dstaddr, window_start HAVING count(DISTINCT dstport) > $max_ports
)
SELECT CASE WHEN r.sources = 1 THEN r.any_source END AS src, r.dstaddr AS dst, r.dstport AS dst_port,
       r.protocol, r.first_seen, r.last_seen, r.records, r.records AS metric
FROM rejects r
JOIN baseline b ON r.dstaddr = b.dstaddr AND r.dstport = b.dstport AND r.protocol = b.protocol
CROSS JOIN windows w
WHERE r.records >= $min_rejects AND r.records * w.n >= $baseline_factor * b.total
  AND NOT EXISTS (SELECT 1 FROM scanners s WHERE s.dstaddr = r.dstaddr AND s.window_start = r.window_start
                  AND s.srcaddr = r.any_source AND r.sources = 1)""")))

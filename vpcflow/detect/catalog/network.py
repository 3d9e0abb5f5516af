"""The internet's weather, summarised: rejected inbound traffic per port and day, and spikes of it. Both are
`low` whatever their count: a security group that rejects the internet's probes is doing its job."""

from __future__ import annotations

from ..model import Detection, Param
from ..registry import register
from .common import GAP, OWN, episodes, own
from .thresholds import WHY

register(Detection(
    id="internet-background", thresholds=WHY["internet-background"], title="Background probes from the internet (summary)", severity="low",
    category="background",
    summary="{metric} internet sources were rejected on port {dst_port} ({records} records)",
    params={"min_sources": Param(5, "distinct internet sources rejected on one port in a period"),
            "period": Param(86400, "seconds per summary row (a day)"), **OWN},
    actor="remote", guardduty="", mitre="T1595 Active Scanning", doc="docs/detections.md#internet-background",
    sql=f"""
SELECT CAST(NULL AS VARCHAR) AS src, CAST(NULL AS VARCHAR) AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       count(DISTINCT srcaddr) AS metric, 'low' AS severity, 'summary' AS basis
FROM flow_windows
WHERE action = 'REJECT' AND dstport IS NOT NULL AND {own('dst')} AND NOT {own('src')}
GROUP BY dstport, protocol, window_start - window_start % $period
HAVING count(DISTINCT srcaddr) >= $min_sources
ORDER BY first_seen, dst_port
"""))

register(Detection(
    id="reject-spike", thresholds=WHY["reject-spike"], title="Spike of rejected traffic", severity="low", category="background",
    summary="{metric} rejected connections to {dst}:{dst_port} in a window",
    params={"min_rejects": Param(100, "rejected records to one host and port in one window"),
            "baseline_factor": Param(10, "times the host-and-port's average rejects per window"),
            "max_ports": Param(3, "more distinct ports from the sources makes it a scan instead"), "gap": GAP},
    needs=("srcaddr", "dstaddr", "dstport", "protocol", "start", "action"),
    actor="remote", guardduty="", mitre="T1595 Active Scanning", doc="docs/detections.md#reject-spike",
    # flow_windows has one row per source for a host, port, protocol, action and window: count(*) counts sources
    # (a distinct count costs DuckDB a second aggregate and a join, a third of this detection's time). Whether the
    # one source is a scanner is asked only of the spikes' (source, host, window)s, not of every rejected source.
    sql=episodes("""
WITH rejects AS (
  SELECT dstaddr, dstport, protocol, window_start, count(*) AS sources,
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
spikes AS (
  SELECT r.* FROM rejects r
  JOIN baseline b ON r.dstaddr = b.dstaddr AND r.dstport = b.dstport AND r.protocol = b.protocol
  CROSS JOIN windows w
  WHERE r.records >= $min_rejects AND r.records * w.n >= $baseline_factor * b.total
),
scanners AS (
  SELECT f.srcaddr, f.dstaddr, f.window_start FROM flow_windows f
  JOIN (SELECT DISTINCT any_source, dstaddr, window_start FROM spikes WHERE sources = 1) k
    ON f.srcaddr = k.any_source AND f.dstaddr = k.dstaddr AND f.window_start = k.window_start
  WHERE f.action = 'REJECT'
  GROUP BY f.srcaddr, f.dstaddr, f.window_start HAVING count(DISTINCT f.dstport) > $max_ports
)
SELECT CASE WHEN r.sources = 1 THEN r.any_source END AS src, r.dstaddr AS dst, r.dstport AS dst_port,
       r.protocol, r.first_seen, r.last_seen, r.records, r.records AS metric, 'low' AS severity,
       'behaviour' AS basis
FROM spikes r
WHERE NOT EXISTS (SELECT 1 FROM scanners s WHERE s.dstaddr = r.dstaddr AND s.window_start = r.window_start
                  AND s.srcaddr = r.any_source AND r.sources = 1)""")))

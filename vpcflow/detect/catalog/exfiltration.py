"""Exfiltration (egress volume against the source's own baseline, to a destination new for it) and beaconing
(periodic callbacks, scored like RITA: regular intervals and regular sizes). A destination most of the fleet
calls (a monitoring heartbeat, an update service) is not a beacon."""

from __future__ import annotations

from ..model import Detection, Param
from ..registry import register
from .common import OWN, episodes, own
from .thresholds import WHY

# Whether the destination is new is asked only of the windows above the byte thresholds (NOT EXISTS): counting
# earlier windows for every egress window with a window function was half the detection's time.
# With the action fixed, (source, destination, port, protocol, window) is one row of flow_windows: read as is.
register(Detection(
    id="exfiltration", thresholds=WHY["exfiltration"], title="Unusual egress volume", severity="medium", category="exfiltration",
    summary="{src} sent {metric} bytes to {dst}, new for it, far above its usual egress",
    params={"min_bytes": Param(100_000_000, "TCP bytes to one public destination in one episode"),
            "min_window_bytes": Param(25_000_000, "bytes in a window for it to count toward an episode"),
            "baseline_factor": Param(20, "times the source's median egress per window"),
            "lookback": Param(21600, "a destination is new when the source has not reached it in this many "
                                     "seconds before (apart from the episode itself)"),
            "min_history": Param(3600, "seconds of the source's history needed before anything is new"),
            "gap": Param(1800, "windows at most this many seconds apart form one finding"), **OWN},
    actor="instance", guardduty="Behavior:EC2/TrafficVolumeUnusual",
    mitre="T1048 Exfiltration Over Alternative Protocol", doc="docs/detections.md#exfiltration",
    sql=episodes(f"""
WITH egress AS (
  SELECT srcaddr, dstaddr, dstport, protocol, window_start, bytes, records, first_start AS first_seen,
         last_end AS last_seen
  FROM flow_windows
  WHERE {own('src')} AND NOT {own('dst')} AND action = 'ACCEPT' AND protocol = 6
),
per_window AS (SELECT srcaddr, window_start, sum(bytes) AS bytes FROM egress GROUP BY srcaddr, window_start),
baseline AS (
  SELECT srcaddr, percentile_cont(0.5) WITHIN GROUP (ORDER BY bytes) AS median_bytes
  FROM per_window GROUP BY srcaddr
),
history AS (SELECT srcaddr, min(window_start) AS since FROM flow_windows WHERE {own('src')} GROUP BY srcaddr)
SELECT e.srcaddr AS src, e.dstaddr AS dst, e.dstport AS dst_port, e.protocol,
       e.first_seen, e.last_seen, e.records, e.bytes AS metric, 'medium' AS severity,
       'against its own baseline' AS basis
FROM egress e
JOIN baseline b ON e.srcaddr = b.srcaddr
JOIN history h ON e.srcaddr = h.srcaddr
WHERE e.bytes >= $min_window_bytes AND e.bytes >= $baseline_factor * b.median_bytes
  AND e.window_start - h.since >= $min_history
  AND NOT EXISTS (SELECT 1 FROM egress c WHERE c.srcaddr = e.srcaddr AND c.dstaddr = e.dstaddr
                  AND c.window_start BETWEEN e.window_start - $lookback AND e.window_start - $gap)""", metric="sum",
        having="sum(metric) >= $min_bytes")))


def _quartiles(value: str, name: str) -> str:
    """SQL: the quartiles of `value` in a group, as one list `{name}q` (exact; NULLs, an episode's first interval,
    skipped). Per-group aggregates, not ranking every connection twice (two sorts of all connections were most of
    the suite's time); one aggregate for the three quartiles, not three (each kept its own copy of every value:
    9.5 s against 2.5 s of CPU at 50M records, and growing faster than the records)."""
    return f"percentile_cont([0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY CAST({value} AS DOUBLE)) AS {name}q"


# Windows per pair counted in two steps (a row per pair and window, then count): count(DISTINCT ...) beside sum()
# costs DuckDB a second aggregate and a join.
# Episodes: the connections after a pause join the episode that starts there (a join on a few start rows), not a
# running sum over every connection (a second sort of all of them: a fifth of the detection's time).
register(Detection(
    id="beaconing", thresholds=WHY["beaconing"], title="Beaconing (periodic callbacks)", severity="medium", category="command-and-control",
    summary="{src} called {dst}:{dst_port} {records} times at regular intervals (score {metric:.2f})",
    params={"min_connections": Param(20, "connections from the source to one destination and port"),
            "min_windows": Param(3, "windows those connections spread over"),
            "max_gap": Param(3600, "a pause longer than this (seconds) starts a new beaconing episode"),
            "min_score": Param(0.8, "mean of interval and size regularity scores, 0 to 1"),
            "min_interval_score": Param(0.7, "interval regularity alone, 0 to 1"),
            "min_spread": Param(0.1, "a spread (IQR) below this share of the median counts as perfectly regular: "
                                     "skew is not measured"),
            "min_interval": Param(10, "median seconds between callbacks; faster is a burst, not a beacon"),
            "fleet_share": Param(0.3, "a destination this share of the instances calling out call is the fleet's"),
            "fleet_min_sources": Param(3, "... and at least this many of them"), **OWN},
    reads=("flows", "flow_windows"), actor="instance",
    max_interval=60, why_interval="beacon periods under 10 minutes vanish in 600 s windows",
    guardduty="", mitre="T1071 Application Layer Protocol",
    doc="docs/detections.md#beaconing",
    sql=f"""
WITH outbound AS (
  SELECT srcaddr, dstaddr, dstport, protocol, requests, window_start FROM flow_windows
  WHERE requests > 0 AND {own('src')} AND NOT {own('dst')}
),
fleet AS (SELECT count(DISTINCT srcaddr) AS sources FROM outbound),
popular AS (
  SELECT dstaddr, dstport, protocol FROM outbound GROUP BY dstaddr, dstport, protocol
  HAVING count(DISTINCT srcaddr) >= $fleet_min_sources
     AND count(DISTINCT srcaddr) >= $fleet_share * (SELECT sources FROM fleet)
),
pair_windows AS (
  SELECT o.srcaddr, o.dstaddr, o.dstport, o.protocol, o.window_start, sum(o.requests) AS requests
  FROM outbound o
  LEFT JOIN popular p ON o.dstaddr = p.dstaddr AND o.dstport = p.dstport AND o.protocol = p.protocol
  WHERE p.dstaddr IS NULL
  GROUP BY o.srcaddr, o.dstaddr, o.dstport, o.protocol, o.window_start
),
candidates AS (
  SELECT srcaddr, dstaddr, dstport, protocol,
         row_number() OVER (ORDER BY srcaddr, dstaddr, dstport, protocol) AS pair
  FROM pair_windows
  GROUP BY srcaddr, dstaddr, dstport, protocol
  HAVING sum(requests) >= $min_connections AND count(window_start) >= $min_windows
),
connections AS (
  SELECT c.pair, min(f.start) AS t, max(f."end") AS t_end, sum(f.bytes) AS bytes, count(*) AS records
  FROM flows f
  JOIN candidates c ON f.srcaddr = c.srcaddr AND f.dstaddr = c.dstaddr AND f.dstport = c.dstport
                   AND f.protocol = c.protocol
  WHERE f.srcport > f.dstport AND f.start >= $since AND f.start < $until
  GROUP BY c.pair, f.srcport, f.start - f.start % $max_gap
),
gaps AS (
  SELECT connections.*, t - LAG(t) OVER (PARTITION BY pair ORDER BY t) AS gap
  FROM connections
),
episodes AS (
  SELECT pair, t AS episode, LEAD(t) OVER (PARTITION BY pair ORDER BY t) AS next_episode
  FROM gaps WHERE gap IS NULL OR gap > $max_gap
),
numbered AS (
  SELECT gaps.*, e.episode, CASE WHEN gap <= $max_gap THEN gap END AS interval
  FROM gaps JOIN episodes e ON gaps.pair = e.pair AND gaps.t >= e.episode
                           AND (e.next_episode IS NULL OR gaps.t < e.next_episode)
),
quartiles AS (
  SELECT pair, episode, count(*) AS n, min(t) AS first_seen, max(t_end) AS last_seen,
         CAST(sum(records) AS BIGINT) AS records,
         {_quartiles("interval", "i")},
         {_quartiles("bytes", "b")}
  FROM numbered
  GROUP BY pair, episode
  HAVING count(*) >= $min_connections
),
spread AS (
  SELECT pair, episode, n, first_seen, last_seen, records, iq[1] AS i1, iq[2] AS i2, iq[3] AS i3,
         bq[1] AS b1, bq[2] AS b2, bq[3] AS b3
  FROM quartiles
),
scored AS (
  SELECT spread.*,
         ((1 - least(1.0, abs(CASE WHEN i3 - i1 > $min_spread * i2 THEN (i3 + i1 - 2 * i2) / (i3 - i1) ELSE 0 END)))
          + greatest(0.0, 1 - (i3 - i1) / greatest(i2, 1))) / 2 AS interval_score,
         ((1 - least(1.0, abs(CASE WHEN b3 - b1 > $min_spread * b2 THEN (b3 + b1 - 2 * b2) / (b3 - b1) ELSE 0 END)))
          + greatest(0.0, 1 - (b3 - b1) / greatest(b2, 1))) / 2 AS size_score
  FROM spread
)
SELECT c.srcaddr AS src, c.dstaddr AS dst, c.dstport AS dst_port, c.protocol, first_seen, last_seen, records,
       (interval_score + size_score) / 2 AS metric, 'medium' AS severity, 'behaviour' AS basis
FROM scored JOIN candidates c ON scored.pair = c.pair
WHERE (interval_score + size_score) / 2 >= $min_score AND interval_score >= $min_interval_score
  AND i2 >= $min_interval
ORDER BY first_seen, src, dst
"""))

"""Brute force against SSH, RDP and WinRM: many short connections from one source to one service.

Connections are distinct client ports per window, counted over this service's own records in `flows` (a
filtered read: a distinct count over the whole shared aggregate would cost more than the aggregate itself), in two
steps (a row per client port, then count(*)): count(DISTINCT ...) beside the other aggregates costs DuckDB a
second aggregate and a join (the three detections 0.87 -> 0.75 s of CPU at 10M records).
Severity follows GuardDuty: high when the instance is the one guessing passwords, low when it is the target,
unless a connection in the window carried a session's worth of bytes (a login that got through).

With tcp-flags in the records a window also has to show connections closing (FIN or RST) as failed logins do;
without them (the default format) the count and size of connections decide alone: a degraded form.
"""

from __future__ import annotations

from ..aggregates import NAT_GATEWAYS
from ..model import Detection, Param
from ..registry import register
from .common import OWN, episodes, own_address
from .thresholds import WHY


def _brute(id_: str, service: str, ports: list[int], guardduty: str) -> Detection:
    return register(Detection(
        id=id_, thresholds=WHY[id_], title=f"{service} brute force", severity="high", category="access",
        summary="{src} opened {metric} short " + service + " connections to {dst}",
        params={"ports": Param(ports, f"{service} ports"),
                "min_attempts": Param(30, "connections (distinct source ports) in one window"),
                "max_bytes_per_attempt": Param(20000, "request bytes per connection; sessions carry more"),
                "session_bytes": Param(50000, "a record this large in the window or within $gap after: a login got through"),
                "gap": Param(1800, "windows at most this many seconds apart form one finding"), **OWN},
        uses=("tcp_flags",), actor="either",
        degraded_note="no tcp-flags: connection counts and sizes only, no FIN/RST pattern",
        guardduty=guardduty, mitre="T1110 Brute Force", doc=f"docs/detections.md#{id_}",
        reads=("flows",),
        sql=episodes(f"""
WITH per_connection AS (
  SELECT srcaddr, dstaddr, dstport, protocol, start - start % $window AS window_start, srcport,
         min(start) AS first_seen, max("end") AS last_seen, count(*) AS records, sum(bytes) AS bytes,
         max(bytes) AS biggest, bit_or(tcp_flags) AS flags
  FROM flows
  WHERE protocol = 6 AND array_contains($ports, dstport) AND srcport > dstport AND srcaddr IS NOT NULL
    AND start >= $since AND start < $until AND interface_id NOT IN {NAT_GATEWAYS}
  GROUP BY srcaddr, dstaddr, dstport, protocol, start - start % $window, srcport
),
per_window AS (
  SELECT srcaddr, dstaddr, dstport, protocol, window_start, min(first_seen) AS first_seen,
         max(last_seen) AS last_seen, CAST(sum(records) AS BIGINT) AS records, count(*) AS attempts,
         sum(bytes) AS bytes, max(biggest) AS biggest, bit_or(flags) AS flags
  FROM per_connection
  GROUP BY srcaddr, dstaddr, dstport, protocol, window_start
),
followed AS (
  SELECT per_window.*, max(biggest) OVER (PARTITION BY srcaddr, dstaddr, dstport ORDER BY window_start
                                          RANGE BETWEEN CURRENT ROW AND $gap FOLLOWING) AS later_biggest
  FROM per_window
)
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol, first_seen, last_seen, records,
       attempts AS metric,
       CASE WHEN {own_address('srcaddr')} OR later_biggest >= $session_bytes THEN 'high' ELSE 'low' END AS severity,
       CASE WHEN {own_address('srcaddr')} THEN 'the instance is the actor'
            WHEN later_biggest >= $session_bytes THEN 'a session followed' ELSE 'the instance is the target' END
         AS basis
FROM followed
WHERE attempts >= $min_attempts AND bytes <= $max_bytes_per_attempt * attempts
  AND (flags IS NULL OR (flags & 5) > 0)""")))


_brute("ssh-brute-force", "SSH", [22], "UnauthorizedAccess:EC2/SSHBruteForce")
_brute("rdp-brute-force", "RDP", [3389], "UnauthorizedAccess:EC2/RDPBruteForce")
_brute("winrm-brute-force", "WinRM", [5985, 5986], "Impact:EC2/WinRMBruteForce")

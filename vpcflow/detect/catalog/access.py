"""Brute force against SSH, RDP and WinRM: many short connections from one source to one service.

With tcp-flags in the records a window also has to show connections closing (FIN or RST) as failed logins do;
without them (the default format) the count and size of connections decide alone: a degraded form.
"""

from __future__ import annotations

from ..aggregates import episodes
from ..model import Detection, Param
from ..registry import register


def _brute(id_: str, service: str, ports: list[int], technique: str) -> Detection:
    return register(Detection(
        id=id_, title=f"{service} brute force", severity="high", category="access",
        summary="{src} opened {metric} short " + service + " connections to {dst}",
        params={"ports": Param(ports, f"{service} ports"),
                "min_attempts": Param(30, "connections (distinct source ports) in one window"),
                "max_bytes_per_attempt": Param(20000, "request bytes per connection; sessions carry more"),
                "gap": Param(1800, "windows at most this many seconds apart form one finding")},
        uses=("tcp_flags",),
        degraded_note="no tcp-flags: connection counts and sizes only, no FIN/RST pattern",
        guardduty=f"UnauthorizedAccess:EC2/{'SSH' if service == 'SSH' else 'RDP'}BruteForce",
        mitre=technique, doc=f"docs/detections.md#{id_}",
        sql=episodes("""
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol,
       min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
       sum(connections) AS metric
FROM flow_windows
WHERE protocol = 6 AND array_contains($ports, dstport) AND requests > 0
GROUP BY srcaddr, dstaddr, dstport, protocol, window_start
HAVING sum(connections) >= $min_attempts
   AND sum(request_bytes) <= $max_bytes_per_attempt * sum(connections)
   AND (bit_or(tcp_flags) IS NULL OR (bit_or(tcp_flags) & 5) > 0)""")))


_brute("ssh-brute-force", "SSH", [22], "T1110 Brute Force")
_brute("rdp-brute-force", "RDP", [3389], "T1110 Brute Force")
_brute("winrm-brute-force", "WinRM", [5985, 5986], "T1110 Brute Force")

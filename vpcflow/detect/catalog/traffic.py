"""Floods (the instance as the attacker, by protocol, and the instance as the target), mining pools, unusual
ports and spam.

An outbound flood is a packet rate from an instance to one public address, measured over the span the window's
records cover, that gets (almost) nothing back: a transfer is answered (TCP ACKs: about one for every two
segments; QUIC acknowledges at least every second ack-eliciting packet, RFC 9000 13.2.2) and TCP floods are
small packets (a SYN is 40 to 60 bytes, a data segment about 1,400).
"""

from __future__ import annotations

from ..model import Detection, Param
from ..registry import register
from .common import GAP, KNOWN_PORTS, OWN, STRATUM_PORTS, TCP_ONLY_PORTS, TOR_PORTS, episodes, listed, own
from .thresholds import WHY

_RATE = {"min_pps": Param(2000, "request packets a second from an instance to one public address"),
         "min_seconds": Param(60, "the shortest span a rate is measured over"),
         "max_reply_share": Param(0.1, "reply packets per request packet; answered traffic is not a flood"),
         "gap": GAP, **OWN}


def _flood(id_: str, title: str, guardduty: str, which: str, extra: dict | None = None,
           tcp: bool = False) -> Detection:
    """`which` picks the flood's traffic (a predicate over flow_windows); TCP floods are judged by packet size."""
    params = {**_RATE, **(extra or {})}
    if tcp:
        params = {**params, "max_packet_bytes": Param(120, "mean request packet size: SYNs and bare ACKs"),
                  "max_reply_bytes": Param(2.0, "reply bytes per request byte (a download answers 20x and more)")}
        answered = ("coalesce(a.bytes, 0) <= $max_reply_bytes * s.bytes "
                    "AND s.bytes <= $max_packet_bytes * s.packets")
    else:
        answered = "coalesce(a.packets, 0) <= $max_reply_share * s.packets"
    return register(Detection(
        id=id_, thresholds=WHY[id_], title=title, severity="high", category="denial-of-service",
        summary="{src} sent {metric:.0f} packets a second to {dst}:{dst_port}", params=params,
        actor="instance", guardduty=guardduty, mitre="T1498 Network Denial of Service",
        doc=f"docs/detections.md#{id_}",
        sql=episodes(f"""
WITH sent AS (
  SELECT srcaddr, dstaddr, dstport, protocol, window_start, sum(records) AS records,
         min(first_start) AS first_seen, max(last_end) AS last_seen,
         sum(packets) AS packets, sum(bytes) AS bytes
  FROM flow_windows
  WHERE {own('src')} AND NOT {own('dst')} AND dstport IS NOT NULL AND {which}
  GROUP BY srcaddr, dstaddr, dstport, protocol, window_start
  HAVING sum(packets) >= $min_pps * greatest(max(last_end) - min(first_start), $min_seconds)
),
replies AS (
  SELECT r.srcaddr, r.dstaddr, r.protocol, r.window_start, sum(r.packets) AS packets, sum(r.bytes) AS bytes
  FROM flow_windows r
  JOIN (SELECT DISTINCT srcaddr, dstaddr, protocol, window_start FROM sent) k
    ON r.srcaddr = k.dstaddr AND r.dstaddr = k.srcaddr AND r.protocol = k.protocol
   AND r.window_start = k.window_start
  GROUP BY r.srcaddr, r.dstaddr, r.protocol, r.window_start
)
SELECT s.srcaddr AS src, s.dstaddr AS dst, s.dstport AS dst_port, s.protocol, s.first_seen, s.last_seen,
       s.records, s.packets / greatest(s.last_seen - s.first_seen, $min_seconds) AS metric,
       'high' AS severity, 'behaviour' AS basis
FROM sent s
LEFT JOIN replies a ON a.srcaddr = s.dstaddr AND a.dstaddr = s.srcaddr AND a.protocol = s.protocol
                   AND a.window_start = s.window_start
WHERE {answered}""")))


_TCP_PORTS = {"tcp_only_ports": Param(TCP_ONLY_PORTS, "ports that only speak TCP")}
_flood("dos-outbound-tcp", "The instance floods a host over TCP", "Backdoor:EC2/DenialOfService.Tcp",
       "protocol = 6 AND requests > 0", tcp=True)
_flood("dos-outbound", "The instance floods a host over UDP", "Backdoor:EC2/DenialOfService.Udp",
       "protocol = 17 AND requests > 0 AND dstport <> 53 AND NOT array_contains($tcp_only_ports, dstport)",
       _TCP_PORTS)
_flood("dos-outbound-dns", "The instance floods a host with DNS", "Backdoor:EC2/DenialOfService.Dns",
       "protocol = 17 AND requests > 0 AND dstport = 53", {"max_reply_share": Param(
           1.5, "reply packets per query: a flood at a resolver is answered, so this only drops odd replies")})
_flood("udp-on-tcp-ports", "The instance sends a UDP flood to TCP-only ports",
       "Backdoor:EC2/DenialOfService.UdpOnTcpPorts",
       "protocol = 17 AND requests > 0 AND array_contains($tcp_only_ports, dstport)", _TCP_PORTS)
_flood("dos-outbound-unusual-protocol", "The instance floods a host in an unusual protocol",
       "Backdoor:EC2/DenialOfService.UnusualProtocol", "NOT array_contains($usual_protocols, protocol)",
       {"usual_protocols": Param([1, 6, 17, 47, 50, 51, 58], "ICMP, TCP, UDP, GRE, ESP, AH, ICMPv6")})

register(Detection(
    id="dos-inbound", thresholds=WHY["dos-inbound"], title="Inbound flood", severity="medium", category="denial-of-service",
    summary="{dst}:{dst_port} received {metric:.0f} packets a second",
    params={"min_pps": Param(10000, "request packets a second to one host and port, averaged over a window"),
            "window": Param(600, "the aggregate window in seconds (shared)"), "gap": GAP, **OWN},
    actor="remote", guardduty="", mitre="T1498 Network Denial of Service", doc="docs/detections.md#dos-inbound",
    # The floods' keys first, then their rows again for the rest: min/max over the sources' addresses for every
    # (host, port, window) was half the detection's time, for the few rows that pass
    sql=episodes(f"""
WITH flooded AS (
  SELECT dstaddr, dstport, protocol, window_start
  FROM flow_windows
  WHERE {own('dst')} AND requests > 0
  GROUP BY dstaddr, dstport, protocol, window_start
  HAVING sum(request_packets) >= $min_pps * $window
)
SELECT CASE WHEN min(f.srcaddr) = max(f.srcaddr) THEN min(f.srcaddr) END AS src, f.dstaddr AS dst,
       f.dstport AS dst_port, f.protocol, min(f.first_start) AS first_seen, max(f.last_end) AS last_seen,
       sum(f.records) AS records, sum(f.request_packets) / $window AS metric,
       CASE WHEN max(CASE WHEN f.action = 'ACCEPT' THEN 1 ELSE 0 END) = 1 THEN 'medium' ELSE 'low' END AS severity,
       'behaviour' AS basis
FROM flow_windows f
JOIN flooded k ON f.dstaddr = k.dstaddr AND f.dstport = k.dstport AND f.protocol IS NOT DISTINCT FROM k.protocol
              AND f.window_start = k.window_start
WHERE f.requests > 0
GROUP BY f.dstaddr, f.dstport, f.protocol, f.window_start""")))

# With the action fixed, each row of `out` is one (source, pool, port, protocol, window): no grouping needed.
register(Detection(
    id="crypto-mining", thresholds=WHY["crypto-mining"], title="Cryptocurrency mining pool", severity="high", category="impact",
    summary="{src} talked to {dst} on port {dst_port}: a mining pool ({basis})",
    params={"category": Param("mining-pool", "the threat-list category of mining pools"),
            "ports": Param(STRATUM_PORTS, "Stratum (mining protocol) ports"),
            "min_active_seconds": Param(300, "a pool connection stays open: seconds a window's records span"),
            "gap": Param(3600, GAP.doc), **OWN},
    actor="instance", lists=("mining-pool",), guardduty="CryptoCurrency:EC2/BitcoinTool.B",
    mitre="T1496 Resource Hijacking", doc="docs/detections.md#crypto-mining",
    sql=episodes(f"""
WITH out AS (
  SELECT * FROM flow_windows
  WHERE requests > 0 AND {own('src')} AND NOT {own('dst')} AND action = 'ACCEPT' AND protocol = 6
),
pools AS ({listed("SELECT DISTINCT dstaddr AS address FROM out", "t.list = $category")})
SELECT srcaddr AS src, dstaddr AS dst, dstport AS dst_port, protocol, first_start AS first_seen,
       last_end AS last_seen, records, bytes AS metric,
       CASE WHEN dstaddr IN (SELECT address FROM pools) THEN 'high' ELSE 'medium' END AS severity,
       CASE WHEN dstaddr IN (SELECT address FROM pools) THEN 'threat list' ELSE 'Stratum port' END AS basis
FROM out
WHERE dstaddr IN (SELECT address FROM pools)
   OR (array_contains($ports, dstport) AND last_end - first_start >= $min_active_seconds)""")))


def _new_use(id_: str, title: str, summary: str, guardduty: str, which: str, having: str, params: dict,
             mitre: str) -> Detection:
    """Traffic of a kind the instance has not sent in the lookback, once it has some history."""
    return register(Detection(
        id=id_, thresholds=WHY[id_], title=title, severity="medium", category="command-and-control", summary=summary,
        params={**params,
                "lookback": Param(21600, "new when the source has not done it in this many seconds before"),
                "max_prior_windows": Param(3, "windows of earlier use within the lookback still counted as new"),
                "min_history": Param(3600, "seconds of the source's history needed before anything is new"),
                "gap": Param(3600, GAP.doc), **OWN},
        actor="instance", guardduty=guardduty, mitre=mitre, doc=f"docs/detections.md#{id_}",
        sql=episodes(f"""
WITH uses AS (
  SELECT srcaddr, CASE WHEN count(DISTINCT dstaddr) = 1 THEN min(dstaddr) END AS dstaddr, dstport, protocol,
         window_start, min(first_start) AS first_seen, max(last_end) AS last_seen, sum(records) AS records,
         count(DISTINCT dstaddr) AS peers
  FROM flow_windows
  WHERE requests > 0 AND {own('src')} AND NOT {own('dst')} AND action = 'ACCEPT' AND {which}
  GROUP BY srcaddr, dstport, protocol, window_start
  {having}
),
port_windows AS (SELECT DISTINCT srcaddr, dstport, protocol, window_start FROM uses),
prior AS (
  SELECT srcaddr, dstport, protocol, window_start,
         count(*) OVER (PARTITION BY srcaddr, dstport, protocol ORDER BY window_start
                        RANGE BETWEEN $lookback PRECEDING AND 1 PRECEDING) AS prior_windows
  FROM port_windows
),
history AS (SELECT srcaddr, min(window_start) AS since FROM flow_windows WHERE {own('src')} GROUP BY srcaddr)
SELECT u.srcaddr AS src, u.dstaddr AS dst, u.dstport AS dst_port, u.protocol, u.first_seen, u.last_seen,
       u.records, u.peers AS metric, 'medium' AS severity, 'no prior history' AS basis
FROM uses u
JOIN prior p ON u.srcaddr = p.srcaddr AND u.dstport = p.dstport AND u.protocol = p.protocol
            AND u.window_start = p.window_start
JOIN history h ON u.srcaddr = h.srcaddr
WHERE p.prior_windows <= $max_prior_windows AND u.window_start - h.since >= $min_history""",
            metric="max")))


_new_use("unusual-port", "Unusual port for this host", "{src} used port {dst_port} to {dst}, new for it",
         "Behavior:EC2/NetworkPortUnusual",
         "protocol IN (6, 17) AND requests > probes AND NOT array_contains($known_ports, dstport) "
         "AND NOT array_contains($other_ports, dstport)", "",
         {"known_ports": Param(KNOWN_PORTS, "common service ports, never unusual"),
          "other_ports": Param(STRATUM_PORTS + TOR_PORTS, "left to crypto-mining and tor-client")},
         "T1571 Non-Standard Port")
_new_use("spam", "Outbound spam (SMTP to many servers, new for the host)",
         "{src} sent mail to {metric} servers on port {dst_port}, with no history of it",
         "Backdoor:EC2/Spambot", "protocol = 6 AND array_contains($ports, dstport)",
         "HAVING count(DISTINCT dstaddr) >= $min_peers",
         {"ports": Param([25], "SMTP ports"), "min_peers": Param(10, "distinct mail servers in one window")},
         "T1496 Resource Hijacking")

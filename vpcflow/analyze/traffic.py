"""The traffic analyses beside top-N, declared as data: rejected traffic and ports, traffic over time, the
protocol mix, administrative ports, log status per interface and a per-interface summary."""

from __future__ import annotations

from ..engines.queries import ALL_TIME, NamedQuery, register
from .top import TIME_RANGE

_BASE = ("srcaddr", "dstaddr", "dstport", "protocol", "packets", "bytes", "start", "end", "action", "log_status")

QUERIES = [
    NamedQuery(
        "rejected-traffic", "Rejected traffic: who was refused where, most refused first",
        "SELECT srcaddr, dstaddr, dstport, protocol, count(*) AS flows, CAST(sum(packets) AS BIGINT) AS packets, "
        "CAST(sum(bytes) AS BIGINT) AS bytes, min(start) AS first_start, max(\"end\") AS last_end "
        f"FROM flows WHERE action = 'REJECT' AND log_status = 'OK' AND {TIME_RANGE} "
        "GROUP BY srcaddr, dstaddr, dstport, protocol "
        "ORDER BY flows DESC, packets DESC, srcaddr, dstaddr, dstport, protocol LIMIT $n",
        {"n": 50, **ALL_TIME}, needs=_BASE),
    NamedQuery(
        "rejected-ports", "Destination ports with the most rejected records and distinct sources",
        "SELECT dstport, protocol, count(*) AS flows, count(DISTINCT srcaddr) AS sources, "
        "CAST(sum(packets) AS BIGINT) AS packets "
        f"FROM flows WHERE action = 'REJECT' AND log_status = 'OK' AND {TIME_RANGE} "
        "GROUP BY dstport, protocol ORDER BY flows DESC, dstport, protocol LIMIT $n",
        {"n": 20, **ALL_TIME}, needs=_BASE),
    NamedQuery(
        "traffic-over-time", "Bytes, packets and records per time bucket (by the capture window's start)",
        "SELECT CAST(floor(start / $bucket) AS BIGINT) * $bucket AS bucket_start, "
        "CAST(sum(bytes) AS BIGINT) AS bytes, CAST(sum(packets) AS BIGINT) AS packets, count(*) AS flows, "
        "count(*) FILTER (WHERE action = 'ACCEPT') AS accepted, count(*) FILTER (WHERE action = 'REJECT') AS rejected "
        f"FROM flows WHERE log_status = 'OK' AND {TIME_RANGE} "
        "GROUP BY CAST(floor(start / $bucket) AS BIGINT) * $bucket ORDER BY bucket_start",
        {"bucket": 3600, **ALL_TIME}, needs=("bytes", "packets", "start", "end", "action", "log_status")),
    NamedQuery(
        "protocol-mix", "Traffic by IANA protocol number and action",
        "SELECT protocol, action, count(*) AS flows, CAST(sum(packets) AS BIGINT) AS packets, "
        f"CAST(sum(bytes) AS BIGINT) AS bytes FROM flows WHERE log_status = 'OK' AND {TIME_RANGE} "
        "GROUP BY protocol, action ORDER BY bytes DESC, protocol, action",
        ALL_TIME, needs=_BASE),
    NamedQuery(
        "admin-port-traffic", "Sources reaching administrative ports (SSH 22, RDP 3389 by default)",
        "SELECT srcaddr, dstport, action, count(*) AS flows, CAST(sum(bytes) AS BIGINT) AS bytes "
        f"FROM flows WHERE log_status = 'OK' AND dstport IN ($port_a, $port_b) AND {TIME_RANGE} "
        "GROUP BY srcaddr, dstport, action ORDER BY flows DESC, srcaddr, dstport, action LIMIT $n",
        {"port_a": 22, "port_b": 3389, "n": 10, **ALL_TIME}, needs=_BASE),
    NamedQuery(
        "log-status", "Capture windows per interface by log status: NODATA and SKIPDATA show gaps",
        "SELECT interface_id, log_status, count(*) AS records, min(start) AS first_start, max(\"end\") AS last_end "
        f"FROM flows WHERE {TIME_RANGE} GROUP BY interface_id, log_status ORDER BY interface_id, log_status",
        ALL_TIME, needs=("interface_id", "log_status", "start", "end")),
    NamedQuery(
        "interface-summary", "Per interface: records, bytes, peers and rejected share",
        "SELECT interface_id, count(*) AS flows, CAST(sum(bytes) AS BIGINT) AS bytes, "
        "count(DISTINCT dstaddr) AS destinations, "
        "round(CAST(count(*) FILTER (WHERE action = 'REJECT') AS DOUBLE) / count(*), 6) AS rejected_share "
        f"FROM flows WHERE log_status = 'OK' AND {TIME_RANGE} GROUP BY interface_id ORDER BY bytes DESC, interface_id "
        "LIMIT $n",
        {"n": 20, **ALL_TIME}, needs=("interface_id", "dstaddr", "bytes", "start", "end", "action", "log_status")),
]

for _query in QUERIES:
    register(_query)

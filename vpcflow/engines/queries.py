"""Named queries every engine runs: the analyses (declared here as data) and the detections (read from
vpcflow.detect's registry). Each is one DuckDB statement over `flows` with `$name` parameters and defaults.

The top-N analyses are built from vpcflow.analyze.top's KEYS table, one query per key; the metric is a
parameter, so ranking by bytes, packets or flows is the same query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..analyze.top import KEYS
from ..errors import NotFound, VpcFlowError

ALL_TIME = {"since": 0, "until": 253402300800}  # [since, until) on the capture window; until = year 10000


@dataclass(frozen=True)
class NamedQuery:
    """One analysis or detection: its name, what it answers, its SQL and its parameters' defaults."""

    name: str
    title: str
    sql: str
    defaults: dict = field(default_factory=dict)
    kind: str = "analysis"  # analysis | detection | diagnose

    def bind(self, given: dict | None = None) -> dict:
        """Defaults overlaid by given values (converted to the default's type); unknown names are refused."""
        given = dict(given or {})
        unknown = sorted(set(given) - set(self.defaults))
        if unknown:
            raise VpcFlowError(f"{self.name} has no parameter {unknown[0]!r}",
                               hint=f"its parameters: {', '.join(sorted(self.defaults)) or 'none'}")
        out = dict(self.defaults)
        for k, v in given.items():
            out[k] = _as_type(self.name, k, v, self.defaults[k])
        return out


def _as_type(query: str, name: str, value, default):
    if not isinstance(value, str) or isinstance(default, str) or default is None:
        return value
    if isinstance(default, (list, tuple)):  # "22,3389" for a list of ports
        kind = type(default[0]) if default else str
        return [_as_type(query, name, v.strip(), kind()) for v in value.split(",") if v.strip()]
    try:
        return type(default)(value)
    except ValueError as exc:
        raise VpcFlowError(f"{query}: parameter {name} wants a {type(default).__name__}, not {value!r}") from exc


_WINDOW = '"end" >= $since AND start < $until'
_ACTION = "($action = 'ANY' OR action = $action)"


def _top(by: str) -> NamedQuery:
    cols = KEYS[by]
    keys = ", ".join(f'"{c}"' for c in cols)
    not_null = " AND ".join(f'"{c}" IS NOT NULL' for c in cols)
    # ranked outside the aggregate: Spark resolves sum(bytes) in ORDER BY to the output alias `bytes`
    sql = (f"SELECT * FROM (SELECT {keys}, CAST(sum(bytes) AS BIGINT) AS bytes, "
           f"CAST(sum(packets) AS BIGINT) AS packets, count(*) AS flows FROM flows "
           f"WHERE log_status = 'OK' AND {_WINDOW} AND {_ACTION} AND {not_null} GROUP BY {keys}) AS grouped "
           f"ORDER BY CASE $metric WHEN 'packets' THEN packets WHEN 'flows' THEN flows ELSE bytes END DESC, {keys} "
           "LIMIT $n")
    return NamedQuery(f"top-{by}", f"Top {by} by a metric (bytes, packets or flows), largest first", sql,
                      {"metric": "bytes", "n": 10, "action": "ANY", **ALL_TIME})


_ANALYSES = [
    NamedQuery(
        "rejected-traffic", "Rejected traffic: who was refused where, most refused first",
        "SELECT srcaddr, dstaddr, dstport, protocol, count(*) AS flows, CAST(sum(packets) AS BIGINT) AS packets, "
        "CAST(sum(bytes) AS BIGINT) AS bytes, min(start) AS first_start, max(\"end\") AS last_end "
        f"FROM flows WHERE action = 'REJECT' AND log_status = 'OK' AND {_WINDOW} "
        "GROUP BY srcaddr, dstaddr, dstport, protocol "
        "ORDER BY flows DESC, packets DESC, srcaddr, dstaddr, dstport, protocol LIMIT $n",
        {"n": 50, **ALL_TIME}),
    NamedQuery(
        "rejected-ports", "Destination ports with the most rejected records and distinct sources",
        "SELECT dstport, protocol, count(*) AS flows, count(DISTINCT srcaddr) AS sources, "
        "CAST(sum(packets) AS BIGINT) AS packets "
        f"FROM flows WHERE action = 'REJECT' AND log_status = 'OK' AND {_WINDOW} "
        "GROUP BY dstport, protocol ORDER BY flows DESC, dstport, protocol LIMIT $n",
        {"n": 20, **ALL_TIME}),
    NamedQuery(
        "traffic-over-time", "Bytes, packets and records per time bucket (by the capture window's start)",
        "SELECT CAST(floor(start / $bucket) AS BIGINT) * $bucket AS bucket_start, "
        "CAST(sum(bytes) AS BIGINT) AS bytes, CAST(sum(packets) AS BIGINT) AS packets, count(*) AS flows, "
        "count(*) FILTER (WHERE action = 'ACCEPT') AS accepted, count(*) FILTER (WHERE action = 'REJECT') AS rejected "
        f"FROM flows WHERE log_status = 'OK' AND {_WINDOW} "
        "GROUP BY CAST(floor(start / $bucket) AS BIGINT) * $bucket ORDER BY bucket_start",
        {"bucket": 3600, **ALL_TIME}),
    NamedQuery(
        "protocol-mix", "Traffic by IANA protocol number and action",
        "SELECT protocol, action, count(*) AS flows, CAST(sum(packets) AS BIGINT) AS packets, "
        f"CAST(sum(bytes) AS BIGINT) AS bytes FROM flows WHERE log_status = 'OK' AND {_WINDOW} "
        "GROUP BY protocol, action ORDER BY bytes DESC, protocol, action",
        ALL_TIME),
    NamedQuery(
        "admin-port-traffic", "Sources reaching administrative ports (SSH 22, RDP 3389 by default)",
        "SELECT srcaddr, dstport, action, count(*) AS flows, CAST(sum(bytes) AS BIGINT) AS bytes "
        f"FROM flows WHERE log_status = 'OK' AND dstport IN ($port_a, $port_b) AND {_WINDOW} "
        "GROUP BY srcaddr, dstport, action ORDER BY flows DESC, srcaddr, dstport, action LIMIT $n",
        {"port_a": 22, "port_b": 3389, "n": 10, **ALL_TIME}),
    NamedQuery(
        "log-status", "Capture windows per interface by log status: NODATA and SKIPDATA show gaps",
        "SELECT interface_id, log_status, count(*) AS records, min(start) AS first_start, max(\"end\") AS last_end "
        f"FROM flows WHERE {_WINDOW} GROUP BY interface_id, log_status ORDER BY interface_id, log_status",
        ALL_TIME),
    NamedQuery(
        "interface-summary", "Per interface: records, bytes, peers and rejected share",
        "SELECT interface_id, count(*) AS flows, CAST(sum(bytes) AS BIGINT) AS bytes, "
        "count(DISTINCT dstaddr) AS destinations, "
        "round(CAST(count(*) FILTER (WHERE action = 'REJECT') AS DOUBLE) / count(*), 6) AS rejected_share "
        f"FROM flows WHERE log_status = 'OK' AND {_WINDOW} GROUP BY interface_id ORDER BY bytes DESC, interface_id "
        "LIMIT $n",
        {"n": 20, **ALL_TIME}),
]

ANALYSES: dict[str, NamedQuery] = {q.name: q for q in [_top(by) for by in KEYS] + _ANALYSES}


def detections() -> dict[str, NamedQuery]:
    """The detections' SQL from vpcflow.detect's registry, when it is installed (empty otherwise)."""
    from .detections import load

    return load()


def diagnoses() -> dict[str, NamedQuery]:
    """The queries vpcflow.diagnose pairs flows with; its verdicts are Python over their rows."""
    from ..diagnose.pairing import LEGS_DEFAULTS, LEGS_SQL, OWN_ADDRESS_DEFAULTS, OWN_ADDRESS_SQL

    return {
        "diagnose-legs": NamedQuery(
            "diagnose-legs", "Each flow leg (interface, 5-tuple, action) touching a rejected one, with its reverse",
            LEGS_SQL.strip(), LEGS_DEFAULTS, kind="diagnose"),
        "diagnose-own-addresses": NamedQuery(
            "diagnose-own-addresses", "Addresses seen on the given interfaces, with record counts",
            OWN_ADDRESS_SQL.strip(), OWN_ADDRESS_DEFAULTS, kind="diagnose"),
    }


def registry() -> dict[str, NamedQuery]:
    """Every named query: analyses, diagnose's pairing, then detections (a detection never shadows them)."""
    out = {**ANALYSES, **diagnoses()}
    for name, q in detections().items():
        out.setdefault(name, q)
    return out


def get(name: str) -> NamedQuery:
    queries = registry()
    if name not in queries:
        raise NotFound(f"no analysis or detection named {name!r}",
                       hint=f"choose one of: {', '.join(sorted(queries))}")
    return queries[name]


# What an engine cannot run or answers differently, by query: written down so a test expects the failure
# (and fails loudly once it starts working). Spark runs every query today.
GAPS: dict[str, dict[str, str]] = {
    "spark": {},
    "athena": {
        "exfiltration": "Trino has no exact percentile_cont: sqlglot writes approx_percentile, so medians can differ",
        "beaconing": "Trino has no exact percentile_cont: sqlglot writes approx_percentile, so quartiles can differ",
        "known-bad-peer": "reads the threat list, which vpcflow does not upload to Athena: an empty list there",
    },
}

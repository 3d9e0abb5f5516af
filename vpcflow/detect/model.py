"""What a detection is (declared data: id, severity, parameters, fields, SQL) and what it returns (Finding)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

SEVERITIES = ("low", "medium", "high")
ACTORS = ("instance", "remote", "either")  # who acts, in GuardDuty's sense: the VPC's own instance or a remote host


def severity_rank(severity: str) -> int:
    """low 0, medium 1, high 2: for --min-severity and ranking."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Param:
    """A threshold or list a detection's SQL reads as `$name`; the default is what the docs promise."""

    default: object
    doc: str


@dataclass(frozen=True)
class Detection:
    """One detection: a named SQL query with bound parameters, reading `flows` and the shared aggregates.

    The SQL returns one row per finding with the columns `src, dst, dst_port, protocol, first_seen, last_seen`
    (unix seconds), `records` and `metric`; `summary` is a format string over those columns.
    `needs` are fields without which it cannot run; `uses` are fields it is better with (degraded without).
    The SQL may also return a `severity` column (low, medium, high) when severity depends on the row: accepted
    beats rejected, the instance as actor beats the instance as target; `severity` is then the highest it gives.
    `actor` says who acts (instance, remote, either); `lists` the threat-list categories it reads.
    """

    id: str
    title: str
    severity: str
    category: str
    sql: str
    summary: str
    params: dict[str, Param] = field(default_factory=dict)
    needs: tuple[str, ...] = ("srcaddr", "dstaddr", "dstport", "protocol", "start")
    uses: tuple[str, ...] = ()
    reads: tuple[str, ...] = ("flow_windows",)
    guardduty: str = ""
    mitre: str = ""
    doc: str = ""
    degraded_note: str = ""
    max_interval: int | None = None
    why_interval: str = ""
    actor: str = "either"
    thresholds: str = ""  # how the defaults were chosen (docs/detections.md)
    lists: tuple[str, ...] = ()

    def severity_of(self, row: dict) -> str:
        """The row's own severity when the SQL gives one, else the detection's."""
        return row.get("severity") or self.severity

    def defaults(self) -> dict[str, object]:
        return {name: p.default for name, p in self.params.items()}


@dataclass
class Finding:
    """One thing a detection found, with what it takes to show the records behind it."""

    id: str
    detector: str
    severity: str
    src: str | None
    dst: str | None
    dst_port: int | None
    protocol: int | None
    first_seen: datetime
    last_seen: datetime
    records: int
    summary: str
    evidence_sql: str
    evidence_params: dict

    def as_dict(self) -> dict:
        return {"id": self.id, "detector": self.detector, "severity": self.severity, "src": self.src,
                "dst": self.dst, "dst_port": self.dst_port, "first_seen": self.first_seen,
                "last_seen": self.last_seen, "records": self.records, "summary": self.summary}


@dataclass
class DetectorStatus:
    """How a detection ran: ok, degraded (a useful field is missing) or skipped (a needed field is missing)."""

    detector: str
    status: str
    findings: int = 0
    note: str = ""


def finding_id(detector: str, src, dst, dst_port, protocol, first_seen: int) -> str:
    """Stable across re-runs: the same detector and key give the same id, so re-running upserts."""
    key = f"{detector}|{src}|{dst}|{dst_port}|{protocol}|{first_seen}"
    return "f-" + hashlib.sha256(key.encode()).hexdigest()[:16]

"""Findings and diagnoses as the dashboard and the report show them, and the review status people give them.

The server opens the store read-only, and DuckDB will not open one file read-only and read-write in one process
at once, so review status (dismissed, reviewed) lives in a sidecar JSON file next to the store
(`<store>.review.json`), written atomically; it overrides the status column of the `findings` table.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ..detect import evidence
from ..diagnose import diagnose
from ..errors import NotFound, VpcFlowError
from ..store.schema import arrow
from ..timeutil import epoch, iso
from .overview import PROTOCOLS, Window

SEVERITIES = ("critical", "high", "medium", "low", "info")
STATUSES = ("new", "reviewed", "dismissed")  # as vpcflow.detect names them
EVIDENCE_LIMIT = 200
VERDICTS_SHOWN = 100  # per service group; the rest are counted
# Well-known services, for grouping diagnoses by what the traffic was for.
SERVICES = {20: "ftp-data", 21: "ftp", 22: "ssh", 23: "telnet", 25: "smtp", 53: "dns", 80: "http", 110: "pop3",
            123: "ntp", 143: "imap", 161: "snmp", 389: "ldap", 443: "https", 445: "smb", 465: "smtps",
            587: "submission", 993: "imaps", 1433: "mssql", 1521: "oracle", 2049: "nfs", 3306: "mysql",
            3389: "rdp", 5432: "postgres", 5900: "vnc", 6379: "redis", 8080: "http-alt", 8443: "https-alt",
            9200: "elasticsearch", 27017: "mongodb"}
NO_FINDINGS = "no findings yet: run `vpcflow detect` on this store"


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = ?", [name]).fetchall())


class ReviewLog:
    """Review status per finding id, in a JSON file beside the store; safe for the server's threads."""

    def __init__(self, store_path: str | Path):
        self.path = Path(f"{store_path}.review.json")
        self._lock = threading.Lock()

    def load(self) -> dict[str, dict]:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise VpcFlowError(f"cannot read review status: {exc}", location=str(self.path),
                               hint="fix or delete the file; it only holds dismissed/reviewed marks") from exc

    def set(self, finding_id: str, status: str) -> dict:
        if status not in STATUSES:
            raise VpcFlowError(f"unknown status {status!r}", hint=f"use one of {', '.join(STATUSES)}")
        with self._lock:
            marks = self.load()
            marks[str(finding_id)] = {"status": status, "at": iso(datetime.now(UTC))}
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                json.dump(marks, f, indent=1, sort_keys=True)
            os.replace(tmp, self.path)  # a reader never sees half a file
        return marks[str(finding_id)]


def _seconds(value) -> int | None:
    if value is None or isinstance(value, (int, float)):
        return value
    return epoch(value) if isinstance(value, datetime) else None


def findings(con: duckdb.DuckDBPyConnection, window: Window, review: ReviewLog | None = None) -> dict:
    """The detections' findings overlapping the range, most severe first, with review status applied."""
    if not has_table(con, "findings"):
        return {"available": False, "message": NO_FINDINGS, "findings": [], "by_severity": {}}
    rows = arrow(con, "SELECT * EXCLUDE (evidence_sql, evidence_params) FROM findings").to_pylist()
    marks = review.load() if review else {}
    since, until = epoch(window.since), epoch(window.until)
    kept = []
    for r in rows:
        first, last = _seconds(r.get("first_seen")), _seconds(r.get("last_seen"))
        if since is not None and last is not None and last < since:
            continue
        if until is not None and first is not None and first >= until:
            continue
        mark = marks.get(str(r["id"]))
        r["status"] = mark["status"] if mark else (r.get("status") or "new")
        r["protocol_name"] = PROTOCOLS.get(r.get("protocol"), r.get("protocol"))
        kept.append(r)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    kept.sort(key=lambda r: (rank.get(str(r.get("severity")).lower(), len(SEVERITIES)), -(r.get("records") or 0),
                             str(r["id"])))
    counts: dict[str, int] = {}
    for r in kept:
        counts[str(r.get("severity")).lower()] = counts.get(str(r.get("severity")).lower(), 0) + 1
    return {"available": True, "message": None if kept else "no findings in this time range",
            "findings": kept, "by_severity": counts}


def finding(con: duckdb.DuckDBPyConnection, finding_id: str, review: ReviewLog | None = None) -> dict:
    """One finding with its evidence records (the first EVIDENCE_LIMIT of them)."""
    if not has_table(con, "findings"):
        raise NotFound(NO_FINDINGS)
    rows = arrow(con, "SELECT * FROM findings WHERE CAST(id AS VARCHAR) = ?", [str(finding_id)]).to_pylist()
    if not rows:
        raise NotFound(f"no finding {finding_id!r}", hint="it may come from an older detection run")
    row = rows[0]
    records = evidence(con, row["id"])
    mark = (review.load() if review else {}).get(str(row["id"]))
    row["status"] = mark["status"] if mark else (row.get("status") or "new")
    shown = records.slice(0, EVIDENCE_LIMIT)
    # Fields no record of the evidence carries (a v2 log has ~60 of them) are left out of the table.
    shown = shown.select([c for c in shown.column_names if shown[c].null_count < shown.num_rows]) if shown.num_rows else shown
    return {"finding": row, "evidence": shown.to_pylist(),
            "evidence_columns": shown.column_names, "evidence_total": records.num_rows}


def service_of(protocol, port) -> str:
    """A verdict's service: a well-known port by name; other ports together per protocol (a scan of a thousand
    ports is one group, not a thousand)."""
    proto = PROTOCOLS.get(protocol, str(protocol))
    if port is None or proto in ("icmp", "icmpv6"):
        return proto
    name = SERVICES.get(port)
    return f"{name} ({proto}/{port})" if name else f"other {proto} ports"


def diagnoses(con: duckdb.DuckDBPyConnection, window: Window, topology=None, per_group: int = VERDICTS_SHOWN) -> dict:
    """Security-group-or-network-ACL verdicts for rejected traffic overlapping the range, grouped by service,
    most rejected records first; `topology` (an emulator scenario or file) adds the rule and the fix, except for
    traffic the stored findings flag (no rule is proposed to let a scanner in)."""
    since, until = epoch(window.since), epoch(window.until)
    groups: dict[str, list] = {}
    flagged = arrow(con, "SELECT detector, src, dst, dst_port FROM findings").to_pylist() \
        if has_table(con, "findings") else []
    for r in diagnose(con, topology=topology, flagged=flagged, since=window.since, until=window.until):
        first, last = _seconds(r.get("first_seen")), _seconds(r.get("last_seen"))
        if (since is not None and last is not None and last < since) or \
                (until is not None and first is not None and first >= until):
            continue
        groups.setdefault(service_of(r.get("protocol"), r.get("dst_port")), []).append(r)
    out = []
    for service, rows in groups.items():
        rows.sort(key=lambda r: (-(r.get("records") or 0), str(r.get("src")), str(r.get("dst")), r.get("dst_port") or 0))
        out.append({"service": service, "records": sum(r.get("records") or 0 for r in rows),
                    "verdict_count": len(rows), "verdicts": rows[:per_group]})
    out.sort(key=lambda g: (-g["records"], g["service"]))
    return {"available": True, "message": None if out else "nothing was rejected in this time range", "groups": out}

"""Findings as someone on call reads them: incidents (findings about one instance, ranked), the internet's
background summarised apart, and suppressed findings hidden with a count. The dashboard's incidents page and
the report read this."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import duckdb

from ..detect import detections
from ..detect.incidents import incidents
from ..detect.model import Finding, severity_rank
from ..detect.suppress import Suppression, suppress
from .findings import ReviewLog, findings
from .overview import Window


def _as_finding(row: dict) -> Finding:
    def when(value):
        return value if isinstance(value, datetime) else datetime.fromtimestamp(int(value or 0), UTC)
    return Finding(str(row["id"]), row["detector"], str(row.get("severity") or "low").lower(), row.get("src"),
                   row.get("dst"), row.get("dst_port"), row.get("protocol"), when(row.get("first_seen")),
                   when(row.get("last_seen")), int(row.get("records") or 0), row.get("summary") or "", "", {})


def incident_view(con: duckdb.DuckDBPyConnection, window: Window, review: ReviewLog | None = None,
                  suppressions: list[Suppression] | tuple = (), min_severity: str = "low") -> dict:
    """Incidents (ranked, each with its findings), background summaries, and what suppression hid."""
    data = findings(con, window, review)
    if not data["available"]:
        return {**data, "incidents": [], "background": [], "suppressed": 0, "suppressed_by_detector": {}}
    rows = {str(r["id"]): r for r in data["findings"] if r.get("status") != "dismissed"}
    catalog = {d.id: d for d in detections()}
    result = suppress([_as_finding(r) for r in rows.values()], suppressions)
    shown = [f for f in result.kept if severity_rank(f.severity) >= severity_rank(min_severity)]
    background = [rows[f.id] for f in result.kept
                  if f.detector in catalog and catalog[f.detector].category == "background"]
    ranked = []
    for inc in incidents(shown, catalog.values()):
        ranked.append({**inc.as_dict(), "findings": [rows[f.id] for f in inc.findings]})
    grouped = {str(r["id"]) for inc in ranked for r in inc["findings"]}
    background_ids = {str(r["id"]) for r in background}
    others = [rows[f.id] for f in shown if f.id not in grouped and f.id not in background_ids]
    return {"available": True, "message": None if ranked or background else "no incidents in this time range",
            "incidents": ranked, "background": background, "other": others,
            "suppressed": sum(result.hidden.values()), "suppressed_by_detector": dict(result.hidden),
            "expired_rules": len(result.expired), "by_severity": dict(Counter(r["severity"] for r in rows.values()))}

"""The report's Rules section: the rule audit of the window, grouped by security group and network ACL."""

from __future__ import annotations

from ..network import load_topology
from ..rules import audit
from .overview import Window

BAR_WIDTH = 20  # characters of the widest usage bar in a group


def rules_section(con, window: Window, topology=None) -> dict:
    """{available, message, groups: [{title, rows (each with a text `bar`)}], notes}."""
    if topology is None:
        return {"available": False, "groups": [], "notes": [],
                "message": "No network configuration was given: write the report with --topology to audit the rules."}
    result = audit(con, load_topology(topology), window.since, window.until)
    groups: dict[str, list[dict]] = {}
    for row in result.rows:
        groups.setdefault(f"{row['kind']} {row['id']}", []).append(row)
    out = []
    for title, rows in groups.items():
        most = max((r["flows"] for r in rows), default=0) or 1
        out.append({"title": title, "rows": [r | {"bar": "▇" * round(BAR_WIDTH * r["flows"] / most)} for r in rows]})
    unused = sum(r["status"] == "unused" for r in result.rows)
    broad = sum(r["status"] == "broader-than-traffic" for r in result.rows)
    return {"available": True, "groups": out, "notes": result.notes,
            "message": f"{len(result.rows)} rules: {unused} unused, {broad} broader than their traffic."}

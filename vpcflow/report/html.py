"""The HTML report: one self-contained file (styles, scripts and data inline) that opens offline in any browser.

Tables are rendered here, escaped by Jinja; the charts are drawn in the browser by the dashboard's own
charts.js from the data embedded as JSON (Jinja's `tojson` escapes <, > and & inside the script tag).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import jinja2

from ..detect.suppress import beside
from ..jsonable import jsonable as plain
from ..timeutil import iso
from .cost import cost_section
from .findings import ReviewLog, diagnoses, findings
from .incidents import incident_view
from .overview import Window, bounds, overview
from .rules import rules_section
from .streams import interfaces

STATIC = Path(__file__).parent.parent / "web" / "static"
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True)


def _bytes(n) -> str:
    n = float(n or 0)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PB"


def _when(v) -> str:
    if v is None:
        return ""
    return iso(v) if isinstance(v, (int, float, datetime)) else str(v)


_env.filters["bytes"] = _bytes
_env.filters["when"] = _when
_env.filters["num"] = lambda n: "" if n is None else f"{n:,}"


def report_data(con: duckdb.DuckDBPyConnection, since: datetime | None = None, until: datetime | None = None,
                store_path: str | None = None, topology=None) -> dict:
    """Everything the report shows, as plain data (the same shapes the dashboard's API returns)."""
    window = Window(since, until)
    store_bounds = bounds(con)
    review = ReviewLog(store_path) if store_path else None
    return plain({
        "generated_at": iso(datetime.now(UTC)),
        "store": {"path": store_path, "records": store_bounds["records"], "first": iso(store_bounds["first"]),
                  "last": iso(store_bounds["last"])},
        "overview": overview(con, window, store_bounds),
        "interfaces": interfaces(con, window),
        "findings": findings(con, window, review),
        "incidents": incident_view(con, window, review, beside(store_path) if store_path else []),
        "diagnoses": diagnoses(con, window, topology),
        "rules": rules_section(con, window, topology),
        "cost": cost_section(con, window, topology),
    })


def write_report(con: duckdb.DuckDBPyConnection, path: str | Path, *, since: datetime | None = None,
                 until: datetime | None = None, store_path: str | None = None, topology=None) -> Path:
    """Write the report for a time range to `path`; returns the path. `store_path` finds the review marks beside
    the store; `topology` (an emulator scenario name or file) names the rule and the fix in diagnoses."""
    data = report_data(con, since, until, store_path, topology)
    html = _env.get_template("report.html").render(
        data=data, style=(STATIC / "style.css").read_text(), charts_js=(STATIC / "charts.js").read_text(),
        report_js=(Path(__file__).parent / "templates" / "report.js").read_text())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path

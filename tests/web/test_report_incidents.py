"""The HTML report groups findings into incidents, keeps the internet's background apart and hides suppressed
findings with a count (the suppression file beside the store)."""

from __future__ import annotations

import html as markup
import shutil

from vpcflow.report import report_data, write_report
from vpcflow.store import Store

from .test_incidents import internet_store  # noqa: F401  (the emulated internet day, detected)


def _report(db, tmp_path) -> tuple[dict, str]:
    with Store(db, read_only=True) as store:
        data = report_data(store.con, store_path=str(db))
        html = write_report(store.con, tmp_path / "report.html", store_path=str(db)).read_text()
    return data, html


def test_the_report_shows_incidents_most_severe_first(internet_store, tmp_path):  # noqa: F811
    data, html = _report(internet_store, tmp_path)
    first = data["incidents"]["incidents"][0]
    assert first["severity"] == "high" and markup.escape(f"{first['subject']} · {first['stages']}") in html


def test_the_report_keeps_the_background_apart(internet_store, tmp_path):  # noqa: F811
    data, html = _report(internet_store, tmp_path)
    assert data["incidents"]["background"] and 'id="background"' in html


def test_the_report_hides_suppressed_findings_and_counts_them(internet_store, tmp_path):  # noqa: F811
    db = tmp_path / "flows.duckdb"
    shutil.copy(internet_store, db)
    (tmp_path / "flows.duckdb.suppress.yaml").write_text(
        "- {detector: port-sweep, reason: the inventory scanner, expires: 2099-01-01}\n")
    data, html = _report(db, tmp_path)
    hidden = data["incidents"]["suppressed"]
    assert hidden and f"{hidden} suppressed findings are hidden (port-sweep {hidden})" in html

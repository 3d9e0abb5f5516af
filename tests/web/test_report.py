"""The self-contained HTML report: one file, nothing fetched, every value escaped."""

from __future__ import annotations

import json
import re

from vpcflow.report import report_data, write_report
from vpcflow.store import Store

from .conftest import PLANTED_INTERFACE, PLANTED_TAG


def _report(web_store, tmp_path):
    with Store(web_store, read_only=True) as store:
        return write_report(store.con, tmp_path / "report.html", store_path=str(web_store)).read_text()


def test_the_report_loads_nothing_from_elsewhere(web_store, tmp_path):
    html = _report(web_store, tmp_path)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    assert "window.VFCharts" in html  # the chart module is inline


def test_the_report_shows_planted_markup_as_text(web_store, tmp_path):
    html = _report(web_store, tmp_path)
    assert PLANTED_TAG not in html and PLANTED_INTERFACE not in html
    assert "&lt;img/src/onerror=window.__xss=2&gt;" in html
    embedded = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in embedded  # tojson writes < as \u003c inside the script element
    assert PLANTED_TAG in json.dumps(json.loads(embedded))


def test_the_report_data_holds_overview_findings_and_diagnoses(web_store):
    with Store(web_store, read_only=True) as store:
        data = report_data(store.con, store_path=str(web_store))
    assert data["overview"]["traffic"]["series"] and data["overview"]["top_talkers"]
    assert data["findings"]["available"] and data["findings"]["findings"]
    assert "groups" in data["diagnoses"]


def test_report_command_writes_the_file(cli, web_store, tmp_path):
    out = tmp_path / "r.html"
    result = cli("report", "--html", out, "--db", web_store, "--since", "2h", "--output", "json")
    assert result.code == 0, result.err
    said = result.json()
    assert out.exists() and said["path"] == str(out) and said["bytes"] == out.stat().st_size
    assert said["records"] > 0 and said["findings"] is not None


def test_report_command_without_html_says_what_to_give(cli, web_store):
    result = cli("report", "--db", web_store)
    assert result.code == 1
    assert "report needs --html FILE" in result.err

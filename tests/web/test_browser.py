"""The dashboard and the report in a real browser: Playwright driving Debian's chromium."""

from __future__ import annotations

import csv
import importlib.util
import io
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support import require

from .conftest import PLANTED_INTERFACE, PLANTED_TAG, LiveServer

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")  # closed with its module: another sync Playwright cannot start inside a running one
def browser():
    require(importlib.util.find_spec("playwright") is not None, "playwright", "pip install playwright")
    require(os.path.exists(CHROMIUM), "chromium", "apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def _open(page, url: str, artifacts: Path, name: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready]", state="attached")
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    assert page.get_attribute("body", "data-ready") == "1", page.inner_text("#error")
    assert page.errors == []


def _injected(page) -> dict:
    """What the planted markup left if the page took it as HTML: the elements it made (the dashboard's CSP would
    stop them running) and window.__xss once pending image errors have fired (unset unless it ran)."""
    marker = page.evaluate("() => new Promise(done => setTimeout(() => done(window.__xss), 200))")
    return {"elements": page.locator("img[onerror]").count(), "marker": marker}


NOTHING_INJECTED = {"elements": 0, "marker": None}


def _drawn(page) -> list[int]:
    return [int(d) for d in page.eval_on_selector_all("svg.chart", "els => els.map(e => e.dataset.drawn)")]


def test_overview_draws_every_chart(page, live, artifacts):
    _open(page, live.url + "/", artifacts, "overview")
    drawn = _drawn(page)
    assert len(drawn) == 6 and all(n > 0 for n in drawn)
    assert page.locator("#chart-records rect.mark.reject").count() > 0
    assert page.locator("#chart-records rect.mark.accept").count() > 0


def test_the_time_range_carries_from_page_to_page(page, live, artifacts):
    _open(page, live.url + "/", artifacts, "overview-range")
    page.click("button.preset[data-since='1h']")
    page.wait_for_selector("body[data-ready]", state="attached")
    assert "since=1h" in page.url
    assert page.get_attribute("nav a[href^='/graph']", "href") == "/graph?since=1h"
    page.click("nav a[href^='/graph']")
    page.wait_for_selector("body[data-ready]", state="attached")
    assert page.input_value("#since") == "1h"
    assert "Showing 2026-01-05T05:" in page.inner_text("#range-note")


def test_interfaces_show_records_like_the_stream_view(page, live, artifacts):
    _open(page, live.url + "/interfaces", artifacts, "interfaces")
    assert page.locator("#stream td.msg").count() == 100
    page.fill("#filter", "[version, account, eni, src, dst, srcport, dstport=443, ...]")
    page.click("#stream-form button[type=submit]")
    page.wait_for_function("() => document.querySelector('#filter-note').textContent.includes('Filter pattern applied')")
    ports = {m.split()[6] for m in page.locator("#stream td.msg").all_inner_texts()}
    assert ports == {"443"}
    page.screenshot(path=str(artifacts / "interfaces-filtered.png"), full_page=True)


def test_interfaces_say_when_a_filter_is_searched_as_plain_text(page, live, artifacts):
    _open(page, live.url + "/interfaces?filter=" + "%5Bversion%2C%20REJECT", artifacts, "interfaces-text-filter")
    assert "searched as plain text" in page.inner_text("#filter-note")


@pytest.mark.parametrize(("planted", "marker"), [(PLANTED_INTERFACE, 1), (PLANTED_TAG, 2)])
def test_the_planted_markup_runs_when_a_page_takes_it_as_html(page, planted, marker):
    """The escaping checks are worth something only if the planted markup would run when mishandled."""
    page.set_content("<body><div id=target></div></body>")
    page.evaluate("markup => { document.getElementById('target').innerHTML = markup; }", planted)
    assert _injected(page) == {"elements": 1, "marker": marker}


def test_planted_markup_shows_as_text(page, live, artifacts):
    _open(page, live.url + "/interfaces?interface=" + quote(PLANTED_INTERFACE, safe=""), artifacts, "escaping")
    assert _injected(page) == NOTHING_INJECTED
    assert PLANTED_TAG in page.inner_text("#interfaces-table")
    assert PLANTED_INTERFACE in page.inner_text("#interface")
    assert PLANTED_INTERFACE in page.inner_text("#stream")
    page.goto(live.url + "/query?sql=" + "SELECT%20interface_id%2C%20interface_tag%20FROM%20flows%20WHERE%20interface_tag%20IS%20NOT%20NULL")
    page.wait_for_selector("body[data-queried]", state="attached")
    assert PLANTED_TAG in page.inner_text("#result")
    assert _injected(page) == NOTHING_INJECTED


def test_a_finding_opens_to_its_evidence(page, live, artifacts):
    _open(page, live.url + "/findings", artifacts, "findings")
    assert all(n > 0 for n in _drawn(page))
    page.click("a.finding-link >> nth=0")
    page.wait_for_selector("body[data-ready]", state="attached")
    page.screenshot(path=str(artifacts / "finding.png"), full_page=True)
    assert "/findings/f-" in page.url
    assert page.locator("#evidence tbody tr").count() > 0


def test_dismissing_a_finding_marks_it(browser, store_copy, artifacts):
    from vpcflow.web import create_app

    context = browser.new_context()
    pg = context.new_page()
    with LiveServer(create_app(store_copy)) as server:
        pg.goto(server.url + "/findings")
        pg.wait_for_selector("body[data-ready]", state="attached")
        pg.click("button[data-status=dismissed] >> nth=0")
        pg.wait_for_selector("tr.status-dismissed")
        pg.screenshot(path=str(artifacts / "finding-dismissed.png"), full_page=True)
        pg.reload()
        pg.wait_for_selector("body[data-ready]", state="attached")
        assert pg.locator("tr.status-dismissed").count() == 1
    context.close()


def test_diagnose_page_loads(page, live, artifacts):
    _open(page, live.url + "/diagnose", artifacts, "diagnose")
    if page.locator("#diagnoses section").count():
        assert all(n > 0 for n in _drawn(page))
        assert "security-group" in page.inner_text("#diagnoses")
        assert "no fix: flagged by port-scan-vertical" in page.inner_text("#diagnoses")  # never open a rule to a scan
    else:
        assert "vpcflow diagnose" in page.inner_text("#diagnose-note")


def test_incidents_page_draws_its_cards_with_the_shared_page_helpers(page, live, artifacts):
    page.goto(live.url + "/incidents")
    page.wait_for_selector("body[data-loaded]", state="attached")
    page.screenshot(path=str(artifacts / "incidents.png"), full_page=True)
    assert page.get_attribute("body", "data-loaded") == "incidents", page.inner_text("#error")
    assert page.errors == []
    assert page.locator("#incidents section.card").count() > 0


def test_graph_draws_edges_sized_by_bytes(page, live, artifacts):
    _open(page, live.url + "/graph", artifacts, "graph")
    assert _drawn(page)[0] > 0
    widths = {page.get_attribute(f"line.edge >> nth={i}", "stroke-width") for i in range(5)}
    assert len(widths) > 1
    assert page.locator("line.edge-reject").count() > 0


def test_a_query_runs_and_downloads_as_csv(page, live, artifacts, tmp_path):
    _open(page, live.url + "/query", artifacts, "query")
    page.fill("#sql", "SELECT dstport, count(*) AS records FROM flows WHERE action = 'REJECT' GROUP BY dstport ORDER BY records DESC, dstport LIMIT 5")
    page.click("#run")
    page.wait_for_selector("body[data-queried='2']", state="attached")
    assert page.locator("#result tbody tr").count() == 5
    page.screenshot(path=str(artifacts / "query-result.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#csv")
    saved = tmp_path / "result.csv"
    info.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text())))
    assert rows[0] == ["dstport", "records"] and len(rows) == 6


def test_the_html_report_opens_from_disk_with_no_network(page, web_store, tmp_path, artifacts):
    from vpcflow.report import write_report
    from vpcflow.store import Store

    with Store(web_store, read_only=True) as store:
        path = write_report(store.con, tmp_path / "report.html", store_path=str(web_store))
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    _open(page, path.as_uri(), artifacts, "report")
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    drawn = _drawn(page)
    assert len(drawn) == 6 and all(n > 0 for n in drawn)
    assert _injected(page) == NOTHING_INJECTED
    assert PLANTED_TAG in page.inner_text("#interfaces")
    assert page.locator("#findings tbody tr").count() > 0

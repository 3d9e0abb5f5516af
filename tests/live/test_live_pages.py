"""The overview of `vpcflow serve --follow` in a real browser: a delivery landing shows without a reload."""

from __future__ import annotations

import importlib.util
import os

import pytest

from tests.alert.watching import land, minute_file
from tests.support import require

from .conftest import free_port, serve, stop, wait_for_records

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def page():
    require(importlib.util.find_spec("playwright") is not None, "playwright", "pip install playwright")
    require(os.path.exists(CHROMIUM), "chromium", "apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page()
        pg.errors = []
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        yield pg
        browser.close()


def test_the_overview_shows_a_new_delivery_and_the_source_by_itself(tmp_path, page):
    folder = tmp_path / "in"
    folder.mkdir()
    land(folder, 0)
    port = free_port()
    proc = serve(tmp_path / "flows.duckdb", port, "--follow", str(folder), "--poll", "0.2", "--settle", "0")
    try:
        first = len(minute_file(0).splitlines())
        assert wait_for_records(port, proc, first) == first
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("body[data-ready='1']", state="attached")
        assert page.inner_text("#stat-records b") == str(first)
        land(folder, 1)
        page.wait_for_selector("body[data-reloaded]", state="attached", timeout=60_000)
        page.wait_for_function(f"document.querySelector('#stat-records b').textContent === '{first + 21}'",
                               timeout=60_000)
        page.wait_for_function(f"document.getElementById('live').textContent.includes('2 sources, {first + 21} records in')",
                               timeout=30_000)
        assert page.inner_text("#live").startswith(f"{folder}: 2 sources, {first + 21} records in; newest record ")
        assert page.errors == []
    finally:
        stop(proc)

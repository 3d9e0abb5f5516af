"""The dashboard's Cost page over a cost-demo store: its API, and the page drawn in Chromium."""

from __future__ import annotations

import importlib.util
import os

import pytest
from fastapi.testclient import TestClient

from tests.support import require
from tests.web.conftest import LiveServer
from vpcflow.web import create_app

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def demo_store(emulated):
    return emulated("default")


def test_the_api_gives_paths_hours_drivers_and_what_ifs(demo_store):
    db, truth = demo_store
    with TestClient(create_app(db, topology="cost-demo"), base_url="http://127.0.0.1") as client:
        body = client.get("/api/cost").json()
    assert {r["path"]: r["bytes"] for r in body["paths"]} == truth
    assert sum(sum(v for k, v in p.items() if k in truth) for p in body["series"]) == sum(truth.values())
    assert body["interfaces"] and body["pairs"] and len(body["what_ifs"]) == 3
    assert body["usd"] == pytest.approx(sum(r["usd"] for r in body["paths"]), abs=1e-3)


def test_without_a_topology_the_page_says_what_is_unknown(demo_store):
    db, _ = demo_store
    with TestClient(create_app(db), base_url="http://127.0.0.1") as client:
        body = client.get("/api/cost").json()
    assert body["unknown_bytes"] > 0 and "no known path" in body["notes"][0]


def test_the_cost_page_draws_bytes_per_path_and_the_what_ifs(demo_store):
    require(importlib.util.find_spec("playwright") is not None, "playwright", "pip install playwright")
    require(os.path.exists(CHROMIUM), "chromium", "apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    db, truth = demo_store
    with LiveServer(create_app(db, topology="cost-demo")) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.url + "/cost")
        page.wait_for_selector("body[data-loaded]", state="attached")
        loaded = page.get_attribute("body", "data-loaded")
        error = page.inner_text("#error")
        paths = {page.locator(f"#chart-cost-paths rect.mark.p-{path}").count() > 0 for path in truth}
        rows = page.locator("#table-cost-what-ifs tr").count()
        browser.close()
    assert (loaded, error, errors) == ("cost", "", [])
    assert paths == {True}
    assert rows == 4  # a header and three what-ifs

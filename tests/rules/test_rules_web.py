"""The dashboard's Rules page: /api/rules is the audit of the window; the page draws one table per group and
ACL with usage bars, and shows ids from the configuration as text (a planted id runs no markup)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.support import require
from tests.web.conftest import LiveServer
from vpcflow.network import load_topology
from vpcflow.rules import audit
from vpcflow.store import Store
from vpcflow.web import create_app

from .conftest import SCENARIOS

PLANTED = "sg-<img/src/onerror=window.__xss=1>"


@pytest.fixture(scope="module")
def planted_topology(tmp_path_factory) -> Path:
    """rules-zoo's topology with a group whose id is markup (no interface uses it)."""
    spec = yaml.safe_load((SCENARIOS / "rules-zoo.yaml").read_text())["topology"]
    spec["security_groups"].append({"name": "planted", "id": PLANTED, "inbound": [{"protocol": "tcp", "ports": 1,
                                                                                  "cidr": "10.0.0.0/8"}]})
    path = tmp_path_factory.mktemp("planted") / "topology.yaml"
    path.write_text(yaml.safe_dump({"topology": spec}))
    return path


def test_the_api_gives_the_audit_of_the_window(rules_zoo, model):
    with TestClient(create_app(rules_zoo, topology="rules-zoo"), base_url="http://127.0.0.1") as client:
        body = client.get("/api/rules").json()
    with Store(rules_zoo, read_only=True) as store:
        expected = audit(store, model).rows
    assert body["rows"] == expected and "shadowed" in body["statuses"]


def test_without_a_configuration_the_api_says_how_to_give_one(rules_zoo):
    with TestClient(create_app(rules_zoo), base_url="http://127.0.0.1") as client:
        res = client.get("/api/rules")
    assert res.status_code == 409 and res.json()["hint"] == "start it with --topology SCENARIO|FILE"


def test_the_page_is_in_the_navigation(rules_zoo):
    with TestClient(create_app(rules_zoo, topology="rules-zoo"), base_url="http://127.0.0.1") as client:
        html = client.get("/rules").text
    assert '<a href="/rules" data-nav class="active">Rules</a>' in html and "/static/rules.js" in html


def test_the_page_draws_tables_with_bars_and_shows_a_planted_id_as_text(rules_zoo, planted_topology):
    require(importlib.util.find_spec("playwright") is not None, "playwright", "pip install playwright")
    require(os.path.exists("/usr/bin/chromium"), "chromium", "apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    model = load_topology(str(planted_topology))
    with LiveServer(create_app(rules_zoo, topology=str(planted_topology))) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(server.url + "/rules")
        page.wait_for_selector("body[data-loaded]", state="attached")
        assert page.get_attribute("body", "data-loaded") == "rules"
        headings = page.eval_on_selector_all("#rules h2", "els => els.map(e => e.textContent)")
        bars = page.locator("#rules span.bar").count()
        marker = page.evaluate("() => new Promise(done => setTimeout(() => done(window.__xss), 200))")
        injected = page.locator("img[onerror]").count()
        browser.close()
    assert f"security-group {PLANTED}" in headings
    assert len(headings) == len(model.groups) + len(model.acls) and bars > 0
    assert (injected, marker) == (0, None)


def test_the_report_has_a_rules_section_with_ids_as_text(rules_zoo, planted_topology, tmp_path):
    from vpcflow.report.html import write_report

    with Store(rules_zoo, read_only=True) as store:
        html = write_report(store.con, tmp_path / "r.html", topology=str(planted_topology)).read_text()
    section = html[html.index('<section class="card" id="rules">'):]
    assert "<h3>security-group sg-&lt;img/src/onerror=window.__xss=1&gt;</h3>" in section
    assert "shadowed" in section and "▇" in section


def test_the_report_without_a_configuration_says_how_to_audit(rules_zoo, tmp_path):
    from vpcflow.report.html import write_report

    with Store(rules_zoo, read_only=True) as store:
        html = write_report(store.con, tmp_path / "r.html").read_text()
    assert "write the report with --topology to audit the rules" in html

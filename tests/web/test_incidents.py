"""The Incidents page's data: findings grouped per instance and ranked, the internet's background apart, and a
suppression file beside the store hiding findings with a count (FastAPI's test client over a real store)."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from vpcflow import detect
from vpcflow.emulate import simulate
from vpcflow.store import Store
from vpcflow.web import create_app


@pytest.fixture(scope="module")
def internet_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("internet")
    simulate("internet-day", folder / "sim", duration="3h", destination="cloudwatch")
    db = folder / "flows.duckdb"
    with Store(db) as store:
        store.ingest([folder / "sim" / "cloudwatch"], format="default")
        detect.run(store.con)
    return db


def _get(db, **params):
    with TestClient(create_app(db), base_url="http://127.0.0.1") as client:
        response = client.get("/api/incidents", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_findings_group_by_the_instance_they_are_about(internet_store):
    body = _get(internet_store)
    sweep = next(i for i in body["incidents"] if "port-sweep" in i["detectors"])
    assert {f["src"] for f in sweep["findings"]} == {sweep["subject"]} and sweep["severity"] == "high"


def test_incidents_come_most_severe_first(internet_store):
    order = ["low", "medium", "high"]
    ranks = [order.index(i["severity"]) for i in _get(internet_store)["incidents"]]
    assert ranks and ranks == sorted(ranks, reverse=True)


def test_the_internets_background_is_summarised_apart(internet_store):
    body = _get(internet_store)
    assert body["background"] and {r["detector"] for r in body["background"]} <= {"internet-background",
                                                                                    "reject-spike"}
    assert not any(f["detector"] == "internet-background" for i in body["incidents"] for f in i["findings"])


def test_a_suppression_file_beside_the_store_hides_findings_and_counts_them(internet_store, tmp_path):
    db = tmp_path / "flows.duckdb"
    shutil.copy(internet_store, db)
    before = _get(db)
    swept = sum(1 for i in before["incidents"] for f in i["findings"] if f["detector"] == "port-sweep")
    (tmp_path / "flows.duckdb.suppress.yaml").write_text(
        "- {detector: port-sweep, reason: the inventory scanner, expires: 2099-01-01}\n")
    after = _get(db)
    assert swept and after["suppressed"] == swept and after["suppressed_by_detector"] == {"port-sweep": swept}
    assert not any(f["detector"] == "port-sweep" for i in after["incidents"] for f in i["findings"])


def test_min_severity_keeps_only_incidents_at_or_above_it(internet_store):
    assert {i["severity"] for i in _get(internet_store, min_severity="high")["incidents"]} == {"high"}

"""The dashboard's JSON API over an emulated store, through FastAPI's test client (real DuckDB file)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import duckdb
import pytest
from fastapi.testclient import TestClient

from vpcflow.store import Store
from vpcflow.timeutil import iso
from vpcflow.web import create_app

from .conftest import PLANTED_INTERFACE, PLANTED_TAG


@pytest.fixture
def client(web_store):
    with TestClient(create_app(web_store), base_url="http://127.0.0.1") as c:
        yield c


def _stats(path) -> dict:
    with Store(path, read_only=True) as store:
        return store.stats()


def test_overview_totals_match_the_store(client, web_store):
    stats = _stats(web_store)
    body = client.get("/api/overview").json()
    totals = body["traffic"]["totals"]
    assert totals["accepted"] == stats["accepted"]
    assert totals["rejected"] == stats["rejected"]
    assert totals["records"] == stats["records"] - stats["nodata"] - stats["skipdata"]
    assert len(body["traffic"]["series"]) > 10
    assert body["top_talkers"] and body["top_rejected_sources"] and body["protocols"] and body["ports"]


def test_overview_span_counts_back_from_the_last_record(client, web_store):
    everything = client.get("/api/overview").json()["traffic"]["totals"]["records"]
    last_hour = client.get("/api/overview", params={"since": "1h"}).json()
    assert 0 < last_hour["traffic"]["totals"]["records"] < everything
    last_end = datetime.fromisoformat(_stats(web_store)["last_end"])
    assert last_hour["window"]["since"] == iso(last_end - timedelta(hours=1))


def test_a_time_that_does_not_parse_is_a_400_that_says_how_to_write_it(client):
    r = client.get("/api/overview", params={"since": "yesterday-ish"})
    assert r.status_code == 400
    assert "not a time: 'yesterday-ish'" in r.json()["error"]


def test_interfaces_lists_each_interface_with_its_tag(client):
    rows = client.get("/api/interfaces").json()["interfaces"]
    planted = next(r for r in rows if r["interface_id"] == PLANTED_INTERFACE)
    assert planted["interface_tag"] == PLANTED_TAG
    assert len(rows) == 3


def test_stream_applies_a_filter_pattern_to_the_interface_records(client):
    eni = client.get("/api/interfaces").json()["interfaces"][0]["interface_id"]
    pattern = "[version, account, eni, src, dst, srcport, dstport=443, ...]"
    body = client.get("/api/stream", params={"interface_id": eni, "filter": pattern, "limit": 50}).json()
    assert body["filter_mode"] == "pattern" and body["filter_error"] is None
    assert body["records"] and all(r["message"].split()[6] == "443" for r in body["records"])
    assert body["more"] is True


def test_stream_falls_back_to_plain_text_when_the_pattern_does_not_parse(client):
    eni = client.get("/api/interfaces").json()["interfaces"][0]["interface_id"]
    body = client.get("/api/stream", params={"interface_id": eni, "filter": "[version, 443"}).json()
    assert body["filter_mode"] == "text"
    assert "filter pattern, column" in body["filter_error"]


def test_stream_pages_follow_on_from_each_other(client):
    eni = client.get("/api/interfaces").json()["interfaces"][0]["interface_id"]
    first = client.get("/api/stream", params={"interface_id": eni, "limit": 5}).json()["records"]
    both = client.get("/api/stream", params={"interface_id": eni, "limit": 10}).json()["records"]
    second = client.get("/api/stream", params={"interface_id": eni, "limit": 5, "offset": 5}).json()["records"]
    assert first + second == both


def test_graph_edges_split_accepted_and_rejected(client):
    body = client.get("/api/graph", params={"n": 200}).json()
    assert any(e["rejected_records"] for e in body["edges"]) and any(e["accepted_records"] for e in body["edges"])
    ids = {n["id"] for n in body["nodes"]}
    assert all(e["src"] in ids and e["dst"] in ids for e in body["edges"])


def test_query_returns_rows_and_columns(client):
    body = client.post("/api/query", json={"sql": "SELECT action, count(*) AS n FROM flows GROUP BY action ORDER BY action"}).json()
    assert body["columns"] == ["action", "n"]
    assert [r["action"] for r in body["rows"]] == ["ACCEPT", "REJECT", None]


def test_query_honours_the_time_range(client):
    sql = "SELECT count(*) AS n FROM flows"
    everything = client.post("/api/query", json={"sql": sql}).json()["rows"][0]["n"]
    last_hour = client.post("/api/query", json={"sql": sql, "since": "1h"}).json()["rows"][0]["n"]
    assert 0 < last_hour < everything


@pytest.mark.parametrize("sql", ["DROP TABLE flows", "INSERT INTO meta VALUES ('a', 'b')", "SELECT 1; SELECT 2",
                                 "COPY flows TO '/tmp/out.csv'", "ATTACH '/tmp/other.duckdb'"])
def test_query_refuses_anything_but_one_read_only_statement(client, sql):
    r = client.post("/api/query", json={"sql": sql})
    assert r.status_code == 400
    assert r.json()["location"] == "query"


def test_query_cannot_read_files_beside_the_store(client):
    r = client.post("/api/query", json={"sql": "SELECT * FROM read_csv('/etc/passwd')"})
    assert r.status_code == 400
    assert "not table functions" in r.json()["error"]


def test_query_cannot_read_a_file_named_as_a_table(client):
    r = client.post("/api/query", json={"sql": "SELECT * FROM '/etc/passwd'"})
    assert r.status_code == 400
    assert "no table '/etc/passwd' in the store" in r.json()["error"]


def test_query_stops_at_the_row_limit(web_store):
    with TestClient(create_app(web_store, row_limit=7), base_url="http://127.0.0.1") as c:
        body = c.post("/api/query", json={"sql": "SELECT * FROM flows"}).json()
    assert len(body["rows"]) == 7 and body["truncated"] is True


def test_query_stops_at_the_time_limit(web_store):
    with TestClient(create_app(web_store, time_limit=0.2), base_url="http://127.0.0.1") as c:
        r = c.post("/api/query", json={"sql": "SELECT count(*) FROM range(100000000000) a, range(10) b"})
    assert r.status_code == 400
    assert "time limit of 0.2 s" in r.json()["error"]


def test_query_csv_is_a_download_with_a_header_row(client):
    r = client.get("/api/query.csv", params={"sql": "SELECT srcaddr, dstport FROM flows WHERE action = 'REJECT' LIMIT 3"})
    assert r.headers["content-disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["srcaddr", "dstport"] and len(rows) == 4


def test_the_store_is_opened_read_only(client, web_store):
    con = client.app.state.dashboard.store.con
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute("CREATE TABLE x (a INT)")


def test_findings_without_a_findings_table_say_to_run_detect(bare_store):
    with TestClient(create_app(bare_store), base_url="http://127.0.0.1") as c:
        body = c.get("/api/findings").json()
        assert body["available"] is False
        assert "run `vpcflow detect`" in body["message"]
        assert c.get("/api/findings/f-123").status_code == 404


def test_findings_come_most_severe_first_with_their_evidence(client):
    body = client.get("/api/findings").json()
    assert body["available"] and body["findings"]
    first = body["findings"][0]
    detail = client.get(f"/api/findings/{first['id']}").json()
    assert detail["finding"]["id"] == first["id"]
    assert detail["evidence"] and "srcaddr" in detail["evidence_columns"]
    assert {r["srcaddr"] for r in detail["evidence"]} & {first["src"], first["dst"]}


def test_review_status_is_kept_in_a_sidecar_file_beside_the_store(store_copy):
    with TestClient(create_app(store_copy), base_url="http://127.0.0.1") as c:
        fid = c.get("/api/findings").json()["findings"][0]["id"]
        r = c.post(f"/api/findings/{fid}/status", json={"status": "dismissed"})
        assert r.status_code == 200
        assert c.get("/api/findings").json()["findings"][0]["status"] == "dismissed"
    marks = json.loads((store_copy.parent / "copy.duckdb.review.json").read_text())
    assert marks[fid]["status"] == "dismissed"


def test_review_status_of_an_unknown_finding_is_a_404(client):
    assert client.post("/api/findings/f-nope/status", json={"status": "reviewed"}).status_code == 404


def test_review_status_refuses_a_form_post(client):
    fid = client.get("/api/findings").json()["findings"][0]["id"]
    r = client.post(f"/api/findings/{fid}/status", data={"status": "dismissed"})
    assert r.status_code == 422


def test_diagnoses_are_grouped_by_service_with_the_first_verdicts_shown(client):
    body = client.get("/api/diagnoses").json()
    assert body["available"]
    assert body["groups"] and all(g["verdicts"] for g in body["groups"])
    assert body["groups"][0]["service"] == "other tcp ports"  # the port scan: one group, not a thousand
    scan = body["groups"][0]["verdicts"]  # its ports merged into ranges, flagged by the detection: no fix
    assert len(scan) < 10 and any(v["dst_port_end"] - v["dst_port"] > 100 for v in scan)
    assert all(v["fix"].startswith("no fix: flagged by port-scan") for v in scan if v["flagged_by"])


def test_openapi_documents_every_api_path(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/overview", "/api/interfaces", "/api/stream", "/api/findings",
                 "/api/findings/{finding_id}", "/api/findings/{finding_id}/status", "/api/diagnoses", "/api/graph",
                 "/api/query", "/api/query.csv"):
        assert path in paths


def test_pages_are_served_with_a_content_security_policy(client):
    for page in ("/", "/interfaces", "/findings", "/diagnose", "/graph", "/query", "/findings/x"):
        r = client.get(page)
        assert r.status_code == 200 and "script-src 'self'" in r.headers["content-security-policy"]


def test_page_parameters_are_escaped(client):
    html = client.get("/query", params={"sql": "</textarea><script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html

"""The dashboard's sharp edges: an empty token, a token in an API URL, a regex DuckDB refuses, an answer too big."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from vpcflow.errors import VpcFlowError
from vpcflow.web import create_app


@pytest.fixture
def client(web_store):
    with TestClient(create_app(web_store), base_url="http://127.0.0.1") as c:
        yield c


def test_an_empty_token_is_refused_rather_than_letting_every_host_in(web_store):
    with pytest.raises(VpcFlowError, match="empty token"):
        create_app(web_store, token="")


def test_a_token_in_an_api_url_is_not_accepted(web_store):
    with TestClient(create_app(web_store, token="s3cret"), base_url="http://127.0.0.1") as c:
        assert c.get("/api/summary", params={"token": "s3cret"}).status_code == 401
        assert c.get("/api/summary", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_a_page_url_still_exchanges_its_token_for_the_cookie(web_store):
    with TestClient(create_app(web_store, token="s3cret"), base_url="http://127.0.0.1") as c:
        assert c.get("/", params={"token": "s3cret"}).status_code == 200
        assert c.get("/api/summary").status_code == 200


def test_a_regex_duckdb_refuses_in_the_stream_filter_is_a_400_with_the_reason(client):
    eni = client.get("/api/interfaces").json()["interfaces"][0]["interface_id"]
    r = client.get("/api/stream", params={"interface_id": eni, "filter": "%a{2000}%"})
    assert r.status_code == 400
    assert r.json()["location"] == "filter"
    assert "invalid repetition size" in r.json()["message"]


def test_the_query_answer_stops_at_the_byte_limit_and_says_so(web_store):
    with TestClient(create_app(web_store, byte_limit=1_000_000), base_url="http://127.0.0.1") as c:
        body = c.post("/api/query", json={"sql": "SELECT repeat('x', 10000) AS wide FROM range(5000)"}).json()
    assert body["truncated"] is True and body["truncated_by"] == "bytes" and body["byte_limit"] == 1_000_000
    assert 0 < len(body["rows"]) < 100
    assert sum(len(r["wide"]) for r in body["rows"]) <= 1_000_000


def test_an_answer_within_both_limits_is_whole(client):
    body = client.post("/api/query", json={"sql": "SELECT * FROM range(2500)"}).json()
    assert len(body["rows"]) == 2500 and body["truncated"] is False and body["truncated_by"] is None


def test_the_row_limit_still_cuts_across_batches(web_store):
    with TestClient(create_app(web_store, row_limit=1500), base_url="http://127.0.0.1") as c:
        body = c.post("/api/query", json={"sql": "SELECT * FROM range(5000)"}).json()
    assert len(body["rows"]) == 1500 and body["truncated_by"] == "rows"


def test_exactly_the_row_limit_of_rows_is_not_called_truncated(web_store):
    with TestClient(create_app(web_store, row_limit=1024), base_url="http://127.0.0.1") as c:
        body = c.post("/api/query", json={"sql": "SELECT * FROM range(1024)"}).json()
    assert len(body["rows"]) == 1024 and body["truncated"] is False


def test_serve_with_an_empty_token_generates_one_and_requires_it(web_store):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "vpcflow.cli.main", "serve", "--db", str(web_store),
                             "--port", str(port), "--token", ""], stdout=subprocess.PIPE, text=True)
    try:
        printed, deadline = "", time.monotonic() + 60
        while "token:" not in printed and time.monotonic() < deadline and proc.poll() is None:
            printed += proc.stdout.readline()
        token = re.search(r"token: (\S+)", printed).group(1)
        while True:
            try:
                refused = httpx.get(f"http://127.0.0.1:{port}/api/summary", timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert refused.status_code == 401 and len(token) > 20
    finally:
        proc.terminate()
        proc.wait(10)

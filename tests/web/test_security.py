"""Who may ask: loopback Host names and the allowed ones, token or not; with a token, nothing without it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from vpcflow.web import create_app


@pytest.fixture
def guarded(web_store):
    with TestClient(create_app(web_store, token="s3cret", allowed_hosts=["192.0.2.10"]),
                    base_url="http://192.0.2.10") as c:
        yield c


def test_without_a_token_a_foreign_host_name_is_refused(web_store):
    with TestClient(create_app(web_store), base_url="http://attacker.example") as c:
        assert c.get("/api/overview").status_code == 400


def test_with_a_token_a_foreign_host_name_is_refused_even_carrying_it(web_store):
    with TestClient(create_app(web_store, token="s3cret"), base_url="http://attacker.example") as c:
        r = c.get("/api/overview", headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 400
    assert r.json()["error"] == "host 'attacker.example' is not served"


def test_an_allowed_host_name_is_served_in_any_case(web_store):
    with TestClient(create_app(web_store, allowed_hosts=["Flows.Example.Internal"]),
                    base_url="http://flows.example.internal") as c:
        assert c.get("/api/overview").status_code == 200


@pytest.mark.parametrize("path", ["/", "/api/overview", "/api/openapi.json", "/static/app.js", "/query"])
def test_with_a_token_every_request_without_it_is_a_401(guarded, path):
    r = guarded.get(path)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def test_a_wrong_token_is_a_401(guarded):
    assert guarded.get("/api/overview", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_bearer_token_is_accepted(guarded):
    assert guarded.get("/api/overview", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_the_token_in_the_url_sets_a_cookie_that_later_requests_use(guarded):
    first = guarded.get("/", params={"token": "s3cret"})
    assert first.status_code == 200
    assert "httponly" in first.headers["set-cookie"].lower()
    assert guarded.get("/api/overview").status_code == 200

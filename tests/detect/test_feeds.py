"""Fetching public threat lists: offline it fails cleanly and loads nothing; a served list loads by category."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from vpcflow.detect.lists import categories_loaded
from vpcflow.enrich.feeds import refresh_lists
from vpcflow.errors import VpcFlowError
from vpcflow.store import Store


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_feed_fails_with_a_hint_and_loads_nothing(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/exits"
    with Store(tmp_path / "s.duckdb") as store, pytest.raises(VpcFlowError) as err:
        refresh_lists(store.con, tmp_path / "lists", {"tor-exit": url}, timeout=2)
    assert err.value.message.startswith(f"could not fetch {url}") and "--threat-list" in err.value.hint
    assert not (tmp_path / "lists").exists()


def test_a_served_feed_is_saved_and_loaded_with_its_category(tmp_path):
    class Exits(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            body = b"185.220.100.1\n185.220.100.2\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Exits)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with Store(tmp_path / "s.duckdb") as store:
            refresh_lists(store.con, tmp_path / "lists", {"tor-exit": f"http://127.0.0.1:{server.server_port}/"})
            assert categories_loaded(store.con) == {"tor-exit": 2}
    finally:
        server.shutdown()
    assert (tmp_path / "lists" / "tor-exit.txt").read_text().startswith("185.220.100.1")

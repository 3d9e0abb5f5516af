"""Stores built by the emulator (seed-demo), with planted markup, and the dashboard served on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from vpcflow import detect as detections
from vpcflow.emulate import simulate
from vpcflow.store import Store

# A record whose interface id and interface tag are markup that runs when a page takes it as HTML (an image
# with an empty source fires onerror, also when set through innerHTML, where a <script> would stay inert):
# every page must show them as text, and window.__xss must stay unset.
PLANTED_INTERFACE = "eni-<img/src/onerror=window.__xss=1>"
PLANTED_TAG = "<img/src/onerror=window.__xss=2>"
PLANTED_FORMAT = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} " \
                 "${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${interface-tag}"


def _plant(folder: Path) -> Path:
    path = folder / "planted.log"
    path.write_text(PLANTED_FORMAT.replace("${", "").replace("}", "") + "\n"
                    f"2 123456789010 {PLANTED_INTERFACE} 10.244.0.99 10.244.0.10 40000 443 6 10 840 "
                    f"1767571300 1767571360 REJECT OK {PLANTED_TAG}\n")
    return path


def build_store(folder: Path, *, detect: bool = True, plant: bool = True) -> Path:
    """seed-demo for six hours, ingested, with the detections run."""
    sim = folder / "sim"
    simulate("seed-demo", sim, duration="6h")
    db = folder / "flows.duckdb"
    with Store(db) as store:
        store.ingest(sim)
        if plant:
            store.ingest(_plant(folder), format=PLANTED_FORMAT)
        if detect:
            detections.run(store.con)
    return db


@pytest.fixture(scope="session")
def web_store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("web-store"))


@pytest.fixture(scope="session")
def bare_store(tmp_path_factory) -> Path:
    """A store that no detection has run on: no findings table."""
    return build_store(tmp_path_factory.mktemp("bare-store"), detect=False, plant=False)


@pytest.fixture
def store_copy(web_store, tmp_path) -> Path:
    """A private copy, for tests that write review status beside the store."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(web_store, db)
    return db


@pytest.fixture
def artifacts(tmp_path) -> Path:
    """Where screenshots go: $VPCFLOW_ARTIFACTS when set, else the test's tmp_path."""
    folder = Path(os.environ.get("VPCFLOW_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class LiveServer:
    """The dashboard under uvicorn in a thread, on a socket bound to 127.0.0.1 port 0."""

    def __init__(self, app):
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the dashboard did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture(scope="session")
def live(web_store):
    from vpcflow.web import create_app

    with LiveServer(create_app(web_store, topology="seed-demo")) as server:
        yield server

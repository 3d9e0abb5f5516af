"""`vpcflow serve` as a user runs it: a subprocess, a real socket on the loopback range."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

import httpx


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        return s.getsockname()[1]


def test_serve_beyond_127_0_0_1_generates_a_token_and_requires_it(web_store):
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "vpcflow.cli.main", "serve", "--db", str(web_store),
                             "--host", "127.0.0.2", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        printed = ""
        deadline = time.monotonic() + 60
        while "token:" not in printed and time.monotonic() < deadline:
            printed += proc.stdout.readline()
        token = re.search(r"token: (\S+)", printed).group(1)
        assert f"http://127.0.0.2:{port}/?token={token}" in printed
        base = f"http://127.0.0.2:{port}"
        while True:
            try:
                refused = httpx.get(base + "/api/summary", timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert refused.status_code == 401
        allowed = httpx.get(base + "/api/summary", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert allowed.status_code == 200 and allowed.json()["records"] > 0
    finally:
        proc.terminate()
        proc.wait(10)


def _started(proc: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + 60
    while "vpcflow dashboard on" not in proc.stdout.readline():
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
    while True:
        try:
            httpx.get(base + "/static/app.js", timeout=5)
            return
        except httpx.ConnectError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)


def test_with_a_token_a_dns_rebinding_host_name_is_refused_and_an_allowed_one_served(web_store, tmp_path):
    port = _port()
    base = f"http://127.0.0.2:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "vpcflow.cli.main", "serve", "--db", str(web_store),
                             "--host", "127.0.0.2", "--port", str(port), "--token", "s3cret",
                             "--allow-host", "flows.example.internal"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        _started(proc, base)
        bearer = {"Authorization": "Bearer s3cret"}
        rebound = httpx.get(base + "/api/summary", headers={**bearer, "Host": f"attacker.example:{port}"}, timeout=5)
        assert rebound.status_code == 400
        assert rebound.json()["error"] == "host 'attacker.example' is not served"
        named = httpx.get(base + "/api/summary", headers={**bearer, "Host": f"flows.example.internal:{port}"},
                          timeout=5)
        assert named.status_code == 200 and named.json()["records"] > 0
        assert httpx.get(base + "/api/summary", headers=bearer, timeout=5).status_code == 200  # its own address
    finally:
        proc.terminate()
        proc.wait(10)

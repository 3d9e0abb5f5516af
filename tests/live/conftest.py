"""Helpers for live tests: `vpcflow serve --follow` as a process on 127.0.0.1, and the CLI run beside it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ENV = {**os.environ, "COLUMNS": "200"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db: Path, port: int, *args: str, env: dict | None = None) -> subprocess.Popen:
    """`vpcflow serve` holding `db`, its output in files beside it (a pipe nobody reads would fill up)."""
    out = open(f"{db}.serve.log", "a")
    cmd = [sys.executable, "-m", "vpcflow.cli.main", "serve", "--db", str(db), "--port", str(port), *args]
    return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**ENV, **(env or {})})


def live(port: int, proc: subprocess.Popen | None = None, timeout: float = 120.0) -> dict:
    """/api/live once the server answers."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"vpcflow serve exited with {proc.returncode}: {Path(proc.args[4] + '.serve.log').read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/live", timeout=5) as r:
                return json.loads(r.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wait_for_records(port: int, proc: subprocess.Popen, records: int, timeout: float = 60.0) -> int:
    """/api/live's record count once it reaches `records`, or when `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while (now := live(port, proc)["records"]) < records and time.monotonic() < deadline:
        time.sleep(0.1)
    return now


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vpcflow.cli.main", *args], capture_output=True, text=True,
                          env=ENV, timeout=timeout)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(60)

"""Ctrl-C during an export stops at once, exits 130, and leaves no file, whole or partial."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vpcflow import Store

RECORDS = 2_000_000


@pytest.fixture(scope="module")
def big_store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("export") / "big.duckdb"
    with Store(db) as store:
        store.con.execute(
            "INSERT INTO flow_records (version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol,"
            " packets, bytes, start, \"end\", action, log_status, source_id) SELECT 2, '123456789010',"
            " 'eni-' || (i % 97), '10.0.' || (i % 250) || '.' || (i % 251), '172.31.' || (i % 13) || '.9',"
            " 1024 + i % 60000, 443, 6, 1 + i % 40, 60 + i % 9000, 1700000000 + i, 1700000060 + i,"
            " CASE WHEN i % 7 = 0 THEN 'REJECT' ELSE 'ACCEPT' END, 'OK', 1 FROM range(?) t(i)", [RECORDS])
    return db


def test_ctrl_c_during_an_export_exits_130_and_leaves_no_file(big_store, tmp_path):
    dest = tmp_path / "out.jsonl"
    env = {**os.environ, "COLUMNS": "120"}
    proc = subprocess.Popen([sys.executable, "-m", "vpcflow.cli.main", "export", "ocsf", str(dest), "--db",
                             str(big_store)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("out.jsonl*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the export finished before it could be interrupted: make the store larger"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert b"Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_an_export_that_completes_leaves_only_the_destination(big_store, tmp_path):
    from vpcflow.interop.export import export

    dest = tmp_path / "out.parquet"
    with Store(big_store, read_only=True) as store:
        result = export(store, "parquet", dest, since=1700000000, until=1700001000)
    assert result.records == 1000
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]


def test_export_reports_progress_between_zero_and_one(big_store, tmp_path):
    from vpcflow.interop.export import export

    seen: list[float] = []
    with Store(big_store, read_only=True) as store:
        export(store, "csv", tmp_path / "out.csv", progress=seen.append)
    assert seen[-1] == 1.0
    assert any(0.0 < f < 1.0 for f in seen), seen

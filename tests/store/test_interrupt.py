"""Ctrl-C during `vpcflow ingest` stops it at once with exit code 130, and the store keeps whole sources only;
during `vpcflow read` it stops the same way.

Each run is kept from ending before the signal arrives (a signal after the command's work is done meets an
interpreter shutting down, whose SIGINT is the default: killed, exit -2): ingest's last source is stdin, left
open; read's output is a pipe nobody drains."""

from __future__ import annotations

import gzip
import signal
import subprocess
import sys
import time
from pathlib import Path

from vpcflow.store import Store

SSH = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 {port} 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
FILES, LINES = 300, 8000  # small sources, stored in groups: the path that once swallowed the interrupt
WAIT = 600  # seconds: a bound on a broken run, not a timing assumption


def _folder(tmp_path: Path) -> Path:
    """FILES sources, each its own content (a copy of one file would be one source, the others skipped)."""
    folder = tmp_path / "flows"
    folder.mkdir()
    for i in range(FILES):
        lines = (SSH.format(port=(i * LINES + k) % 60000).replace("1418530010", str(1418530010 + i))
                 for k in range(LINES))
        (folder / f"{i:03d}.log.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), 1))
    return folder


def _storing(proc: subprocess.Popen, db: Path) -> bool:
    """Wait until the ingest has written records (the file holds more than its empty tables) or ended."""
    deadline = time.monotonic() + WAIT
    while proc.poll() is None and time.monotonic() < deadline:
        if db.exists() and db.stat().st_size > 100_000:
            return True
        time.sleep(0.05)
    return False


def test_ctrl_c_stops_ingest_with_exit_130_and_keeps_whole_sources_only(tmp_path):
    folder, db = _folder(tmp_path), tmp_path / "s.duckdb"
    vpcflow = Path(sys.executable).parent / "vpcflow"
    proc = subprocess.Popen([str(vpcflow), "ingest", str(folder), "-", "--db", str(db), "-o", "json"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert _storing(proc, db), proc.communicate()
    proc.send_signal(signal.SIGINT)  # stdin is still open: the ingest cannot have ended by itself
    out, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Error" not in err and "terminate called" not in err
    with Store(db) as store:
        ledger = store.query("SELECT source_id, records, status FROM sources").to_pylist()
        stored = {r["source_id"]: r["n"] for r in store.query(
            "SELECT source_id, count(*) AS n FROM flows GROUP BY source_id").to_pylist()}
    assert {(r["records"], r["status"]) for r in ledger} <= {(LINES, "ok")}  # folder sources, whole; not stdin
    assert stored == {r["source_id"]: LINES for r in ledger}  # no record of a source that is not in the ledger


def test_ctrl_c_stops_read_with_exit_130_and_no_traceback(tmp_path):
    folder = _folder(tmp_path)
    vpcflow = Path(sys.executable).parent / "vpcflow"
    proc = subprocess.Popen([str(vpcflow), "read", str(folder), "-o", "csv"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    header = proc.stdout.readline()  # records are streaming
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=WAIT)
    assert header.startswith("version,account_id,")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Error" not in err and "terminate called" not in err
    assert len(out.splitlines()) < FILES * LINES  # stopped before the end

"""Bad input through vpcflow.read: each case gives the records, the located bad lines and the errors that
ingest gives for it, and nothing crashes."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

import vpcflow
from vpcflow.reader import read

SSH = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"


def _junk(d: Path) -> None:
    (d / "a.log").write_bytes(SSH.encode() + b"\n" + bytes(range(256)) * 40 + b"\n" + SSH.encode() + b"\n")


def _long_line(d: Path) -> None:
    (d / "a.log").write_bytes(SSH.encode() + b"\n" + b"x" * (10 << 20) + b"\n" + SSH.encode() + b"\n")


def _not_utf8(d: Path) -> None:
    (d / "a.log").write_bytes(SSH.encode() + b"\n2 12345 eni-\xff\xfe bad\n" + SSH.encode() + b"\n")


def _bomb(d: Path) -> None:
    (d / "bomb.log.gz").write_bytes(gzip.compress(b"\0" * (4 << 20), 9) * 100)


def _unreadable(d: Path) -> None:
    (d / "good.log").write_text(SSH + "\n")
    os.symlink(d / "gone", d / "broken.log")


def _unknown_shape(d: Path) -> None:
    (d / "x.log").write_text("a b c\nd e f\n")


def _console_copy(d: Path) -> None:
    (d / "c.txt").write_text(
        "18:34:26 2 566667777886 eni-86d38dee 123.108.200.124  10.244.0.139    123     38270 17 1  76   1490121266 1490121326 ACCEPT OK\n"
        "18:34:26 2 566667777886 eni-86d38dee 10.244.0.139     139.59.32.74 3  5676    123   17 1  76   1490121266 1490121326 ACCEPT OK\n")


@pytest.mark.parametrize("write", [_junk, _long_line, _not_utf8, _bomb, _unreadable, _unknown_shape, _console_copy])
def test_read_reports_bad_input_as_ingest_does(tmp_path, write):
    logs = tmp_path / "logs"
    logs.mkdir()
    write(logs)
    parts = list(read(logs))
    with vpcflow.Store(tmp_path / "s.duckdb") as store:
        result = store.ingest(logs)
        stored = store.con.execute("SELECT line, reason, left(text, 4096) FROM quarantine ORDER BY source, line").fetchall()
    assert sum(p.records.num_rows for p in parts) == result.records
    assert [(b.line, b.reason, b.text) for p in parts for b in p.quarantined] == stored
    assert sorted(p.error for p in parts if p.error) == sorted(e.message for e in result.errors)

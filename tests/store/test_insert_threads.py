"""Ingest stores typed blocks with DuckDB on one thread, kept for the whole ingest (relaunching DuckDB's workers
around each insert trimmed the process's free memory), and gives the store back on every core when it ends."""

from __future__ import annotations

import gzip
from pathlib import Path

from vpcflow.store import Store

GOOD = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"


def _threads(store: Store) -> str:
    return store.con.execute("SELECT current_setting('threads')").fetchall()[0][0]


def _write(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def test_an_ingest_of_typed_blocks_leaves_duckdb_on_every_thread(tmp_path):
    source = _write(tmp_path / "clean.log.gz", [GOOD] * 1000)
    with Store(tmp_path / "flows.duckdb") as store:
        before = _threads(store)
        result = store.ingest(source)
        assert result.records == 1000
        assert _threads(store) == before


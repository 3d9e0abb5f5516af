"""Shared data and one Spark session for the engine tests: an emulated VPC with every attack kind, stored in
DuckDB, exported as a lake, and a small raw directory with bad lines beside good ones."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.support import require
from vpcflow.emulate import simulate
from vpcflow.engines import spark as spark_mod
from vpcflow.engines.lake import export_lake
from vpcflow.store import Store

# moto_server comes from the root conftest (pytest_plugins is only allowed there)

# 7 hours from 23:30: every attack kind of the scenario happens once, and the records span two days
START, DURATION = "2026-01-04T23:30:00Z", "7h"


@pytest.fixture(scope="session")
def spark():
    ok, why = spark_mod.available()
    require(ok, "Spark (pyspark and Java 17+)", why)
    session = spark_mod.session("local[2]", app="vpcflow-tests", conf={
        "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2",
        "spark.sql.adaptive.enabled": "false", "spark.driver.memory": "1g"})
    yield session
    session.stop()


@pytest.fixture(scope="session")
def zoo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zoo")
    simulate("attack-zoo", out / "logs", start=START, duration=DURATION, destination="s3", format="v5")
    with Store(out / "zoo.duckdb") as store:
        store.ingest([out / "logs"])
        export_lake(store, out / "lake")
    return out


BAD_LINES = [
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
    "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1767657600 1767657660 ACCEPT OK",
    "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 99999 6 10 840 1767657600 1767657660 ACCEPT OK",
    "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 abc 6 10 840 1767657600 1767657660 ACCEPT OK",
    "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 80 6 10 840 1767657600 1767657660 MAYBE OK",
    "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 80 6 10",
    "",
    "2  123456789010 eni-1 10.0.0.1 10.0.0.2 443 80 6 10 840 1767657600000 1767657660000 REJECT OK",
    "2 123456789010 eni-1 - - - - - - - 1767657600 1767657660 - NODATA",
]


@pytest.fixture(scope="session")
def raw_dir(tmp_path_factory) -> Path:
    """A few delivered files in AWS's Hive layout, one gzip file with bad lines, one headerless file."""
    out = tmp_path_factory.mktemp("raw")
    simulate("seed-demo", out, duration="20m", destination="s3", format="v5", hive=True)
    text = ("\n".join(BAD_LINES) + "\n").encode()
    text += b"2 12345\xff6789010 eni-1 10.0.0.1 10.0.0.2 443 80 6 10 840 1767657600 1767657660 ACCEPT OK\n"
    text += b"2 1\x00 x\n"
    (out / "bad.log.gz").write_bytes(gzip.compress(text))
    (out / "headerless.log").write_text("2 123456789010 eni-2 10.0.0.3 10.0.0.4 22 50000 6 3 180 1767657600 "
                                        "1767657660 REJECT OK\n2 too few\n")
    return out

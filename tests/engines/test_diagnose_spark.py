"""`diagnose` on Spark: the pairing's named queries run there, and the verdicts equal the store's."""

from __future__ import annotations

import pytest

from vpcflow.diagnose import diagnose
from vpcflow.engines.spark import SparkEngine, read_lake
from vpcflow.store import Store


@pytest.fixture(scope="module")
def lake_engine(zoo, spark):
    flows = read_lake(spark, str(zoo / "lake")).cache()
    yield SparkEngine(spark, flows)
    flows.unpersist()


def _store_diagnose(zoo, **kw):
    with Store(zoo / "zoo.duckdb", read_only=True) as store:
        return diagnose(store.con, **kw)


def test_diagnose_on_spark_gives_the_store_verdicts_with_the_topology(zoo, lake_engine):
    expected = _store_diagnose(zoo, topology="attack-zoo")
    assert len({r["verdict"] for r in expected}) >= 2  # more than one layer decided somewhere
    assert diagnose(lake_engine, topology="attack-zoo") == expected


def test_diagnose_on_spark_filtered_by_port_shows_allowed_requests_too(zoo, lake_engine):
    expected = _store_diagnose(zoo, port=22)
    assert expected
    assert diagnose(lake_engine, port=22) == expected


def test_diagnose_command_on_a_spark_lake_equals_the_store(cli, spark, zoo):
    local = cli("diagnose", "--db", zoo / "zoo.duckdb", "--topology", "attack-zoo", "-o", "json")
    remote = cli("diagnose", "--engine", "spark", "--lake", zoo / "lake", "--topology", "attack-zoo", "-o", "json")
    assert local.code == 0 and remote.code == 0, remote.err
    assert len(local.json()) > 10
    assert remote.json() == local.json()


def test_diagnose_command_on_raw_flow_logs_equals_the_store(cli, spark, zoo):
    """The raw S3 text layout the store ingested, read and checked by Spark itself."""
    local = cli("diagnose", "--db", zoo / "zoo.duckdb", "-o", "json")
    remote = cli("diagnose", "--engine", "spark", "--raw", zoo / "logs", "-o", "json")
    assert local.code == 0 and remote.code == 0, remote.err
    assert remote.json() == local.json()


def test_diagnose_command_with_an_unknown_engine_is_a_one_line_error(cli, zoo):
    result = cli("diagnose", "--engine", "oracle", "--db", zoo / "zoo.duckdb")
    assert result.code == 1 and "unknown engine 'oracle'" in result.err

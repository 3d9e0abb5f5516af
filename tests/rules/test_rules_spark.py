"""rule-usage with the model's side table gives the same rows on DuckDB and on Spark (over the store's lake),
so the audit is the same on either engine."""

from __future__ import annotations

import pytest

from tests.support import require
from vpcflow.engines import DuckDBEngine
from vpcflow.engines import spark as spark_mod
from vpcflow.engines.lake import export_lake
from vpcflow.rules import audit, traffic
from vpcflow.store import Store


@pytest.fixture(scope="module")
def engines(rules_zoo, tmp_path_factory):
    ok, why = spark_mod.available()
    require(ok, "Spark (pyspark and Java 17+)", why)
    lake = tmp_path_factory.mktemp("rules-lake") / "lake"
    with Store(rules_zoo, read_only=True) as store:
        export_lake(store, lake)
    spark = spark_mod.session("local[2]", app="vpcflow-rules-tests", conf={
        "spark.sql.shuffle.partitions": "2", "spark.sql.adaptive.enabled": "false", "spark.driver.memory": "1g"})
    store = Store(rules_zoo, read_only=True)
    yield DuckDBEngine(store), spark_mod.SparkEngine(spark, spark_mod.read_lake(spark, str(lake))), lake
    store.close()


def test_rule_usage_gives_the_same_rows_on_duckdb_and_spark(engines, model):
    duck, spark, _ = engines
    expected = traffic(duck, model)
    assert expected and traffic(spark, model) == expected


def test_the_audit_is_the_same_on_spark(engines, model):
    duck, spark, _ = engines
    assert audit(spark, model).rows == audit(duck, model).rows


def test_rules_audit_on_the_command_line_with_engine_spark(engines, cli, rules_zoo):
    _, _, lake = engines
    on_spark = cli("rules", "audit", "--engine", "spark", "--lake", str(lake), "--spark-master", "local[2]",
                   "--topology", "rules-zoo", "--output", "json")
    assert on_spark.code == 0, on_spark.err
    on_store = cli("rules", "audit", "--db", str(rules_zoo), "--topology", "rules-zoo", "--output", "json")
    assert on_spark.json() == on_store.json()

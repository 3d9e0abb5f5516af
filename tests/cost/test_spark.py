"""`cost` on Spark: the same named query over a lake of the same records, the topology's side tables given to
Spark, gives the emulator's truth too."""

from __future__ import annotations

from tests.engines.conftest import spark  # noqa: F401  (the session-wide Spark fixture)
from vpcflow.cost import cost, use_network
from vpcflow.engines.lake import export_lake
from vpcflow.engines.spark import SparkEngine, read_lake
from vpcflow.enrich.ipranges import load_ip_ranges
from vpcflow.network import load_topology
from vpcflow.store import Store


def test_cost_by_path_on_spark_matches_the_truth(emulated, spark, tmp_path):  # noqa: F811
    db, truth = emulated("default")
    with Store(db, read_only=True) as store:
        export_lake(store, tmp_path / "lake")
    engine = SparkEngine(spark, read_lake(spark, str(tmp_path / "lake")))
    use_network(engine, load_topology("cost-demo"), load_ip_ranges())
    assert {r["path"]: r["bytes"] for r in cost(engine, "path").rows} == truth


def test_a_two_month_store_prices_each_months_internet_egress_alike_on_spark(store, spark, tmp_path):  # noqa: F811
    from tests.cost.test_egress import FEB, GB, MAR, TB, _store, _whole_month

    duck = _store(store, tmp_path, _whole_month(100 * GB + 10 * TB) + _whole_month(100 * GB, FEB, MAR))
    export_lake(store, tmp_path / "lake")
    engine = SparkEngine(spark, read_lake(spark, str(tmp_path / "lake")))
    use_network(engine, None, [])
    on_spark, on_duckdb = cost(engine, "interface"), cost(duck, "interface")
    assert [m.month for m in on_spark.internet_egress] == ["2026-01", "2026-02"]
    assert (on_spark.internet_egress, on_spark.rows) == (on_duckdb.internet_egress, on_duckdb.rows)

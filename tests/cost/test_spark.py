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

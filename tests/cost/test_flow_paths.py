"""The `flow_paths` relation: every record with its path, for any named query (and so any engine) to read."""

from __future__ import annotations

from vpcflow.cost import cost, use_network
from vpcflow.engines import DuckDBEngine, NamedQuery, run_query
from vpcflow.engines.queries import ALL_TIME
from vpcflow.network import load_topology
from vpcflow.store import Store

PER_PATH = NamedQuery("test-bytes-per-path", "billed bytes per path, from flow_paths",
                      "SELECT path, CAST(sum(bytes) AS BIGINT) AS bytes FROM flow_paths WHERE billed GROUP BY path",
                      dict(ALL_TIME))


def test_a_query_over_flow_paths_sees_every_record_with_its_path(emulated):
    db, truth = emulated("default")
    with Store(db, read_only=True) as store:
        engine = DuckDBEngine(store)
        use_network(engine, load_topology("cost-demo"))
        rows = run_query(engine, PER_PATH).to_pylist()
        records = store.query("SELECT count(*) AS n FROM flows").to_pylist()[0]["n"]
        seen = run_query(engine, NamedQuery("test-count", "", "SELECT count(*) AS n FROM flow_paths",
                                            dict(ALL_TIME))).to_pylist()[0]["n"]
        assert {r["path"]: r["bytes"] for r in rows} == truth == {r["path"]: r["bytes"] for r in
                                                                   cost(engine, "path").rows}
    assert seen == records


def test_the_saved_view_lets_plain_sql_read_each_record_s_path(emulated, tmp_path, cli):
    import shutil

    db, truth = emulated("all")
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)
    assert cli("cost", "--db", copy, "--save-view", "-o", "json").code == 0
    result = cli("query", "--db", copy, "-o", "json",
                 "SELECT path, CAST(sum(bytes) AS BIGINT) AS bytes FROM flow_paths WHERE billed GROUP BY path")
    assert result.code == 0, result.err
    assert {r["path"]: r["bytes"] for r in result.json()} == truth

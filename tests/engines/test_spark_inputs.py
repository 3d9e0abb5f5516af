"""What Spark reads: vpcflow's Parquet lake, and raw flow logs checked exactly as the store checks them."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from vpcflow.engines.lake import export_lake
from vpcflow.engines.raw import read_raw
from vpcflow.errors import VpcFlowError
from vpcflow.store import Store

COLS = ["version", "account_id", "interface_id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets",
        "bytes", "start", "end", "action", "log_status", "vpc_id", "tcp_flags", "flow_direction", "traffic_path"]


def _store_view(tmp_path: Path, raw_dir: Path):
    with Store(tmp_path / "raw.duckdb") as store:
        store.ingest([raw_dir])
        cols = ", ".join(f'"{c}"' for c in COLS)
        flows = store.query(f"SELECT {cols} FROM flows").to_pylist()
        bad = store.query("SELECT source, line, reason, text FROM quarantine").to_pylist()
    return flows, bad


@pytest.fixture(scope="module")
def both(raw_dir, spark, tmp_path_factory):
    flows, bad = _store_view(tmp_path_factory.mktemp("store"), raw_dir)
    report = read_raw(spark, [str(raw_dir)])
    spark_flows = report.flows.selectExpr(*[f"`{c}`" for c in COLS]).toArrow().to_pylist()
    return (flows, bad), (spark_flows, report.quarantine.toArrow().to_pylist(), report.failed)


def _key(row: dict):
    return tuple((v is None, str(v)) for v in row.values())


def test_raw_text_on_spark_keeps_the_same_records_as_the_store(both):
    (flows, _), (spark_flows, _, _) = both
    assert len(flows) > 50
    assert sorted(spark_flows, key=_key) == sorted(flows, key=_key)


def test_raw_text_on_spark_quarantines_the_same_lines_with_the_same_reasons(both):
    (_, bad), (_, spark_bad, failed) = both
    assert failed == []
    assert len(bad) == 7
    assert sorted(spark_bad, key=_key) == sorted(bad, key=_key)


def test_quarantined_line_names_its_file_and_line_number(both):
    _, (_, spark_bad, _) = both
    located = {(Path(r["source"]).name, r["line"], r["reason"]) for r in spark_bad}
    assert ("bad.log.gz", 3, "dstport: above 65535: 99999") in located
    assert ("headerless.log", 2, "3 fields, format has 14") in located


def test_aws_parquet_files_are_read_and_checked(spark, tmp_path):
    src = tmp_path / "pq"
    from vpcflow.emulate import simulate

    simulate("seed-demo", src, duration="20m", destination="s3", file_format="parquet", hive=True)
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([src])
        expected = store.query("SELECT count(*) AS n FROM flows").to_pylist()[0]["n"]
    report = read_raw(spark, [str(src)])
    assert report.flows.count() == expected > 0
    assert report.quarantine.count() == 0


def test_lake_is_hive_partitioned_by_day_with_aws_column_types(zoo):
    days = sorted(p.name for p in (zoo / "lake").iterdir())
    assert days == ["day=2026-01-04", "day=2026-01-05"]
    schema = pq.read_schema(next((zoo / "lake" / days[0]).glob("*.parquet")))
    assert str(schema.field("srcport").type) == "int32"
    assert str(schema.field("bytes").type) == "int64"
    assert str(schema.field("account_id").type) == "string"


def test_lake_export_refuses_a_directory_that_is_not_empty(zoo):
    with Store(zoo / "zoo.duckdb", read_only=True) as store, pytest.raises(VpcFlowError, match="not empty"):
        export_lake(store, zoo / "lake")


def test_spark_run_command_prints_a_named_query_over_the_lake(zoo, spark, cli):
    result = cli("spark", "run", "top-dstport", "--lake", zoo / "lake", "-p", "n=2", "-o", "json")
    assert result.code == 0, result.err
    with Store(zoo / "zoo.duckdb", read_only=True) as store:
        from vpcflow.engines import DuckDBEngine, run_query

        expected = run_query(DuckDBEngine(store), "top-dstport", {"n": 2}).to_pylist()
    assert result.json() == expected


def test_spark_without_data_says_what_to_pass(spark, cli):
    result = cli("spark", "run", "top-pair")
    assert result.code == 1
    assert "Spark needs data to read (pass --lake DIR (a Parquet lake) or --raw PATH)" in result.err


def test_spark_check_counts_records_and_keeps_bad_lines_aside(raw_dir, spark, cli, tmp_path):
    result = cli("spark", "check", raw_dir, "--quarantine-out", tmp_path / "bad", "-o", "json")
    assert result.code == 0, result.err
    with Store(tmp_path / "s.duckdb") as store:
        ingested = store.ingest([raw_dir])
    assert result.json() == {"records": ingested.records, "quarantined": ingested.quarantined, "failed_files": 0}
    assert pq.read_table(tmp_path / "bad").num_rows == ingested.quarantined

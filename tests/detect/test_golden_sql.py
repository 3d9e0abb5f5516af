"""Each detection's SQL, and the aggregate the detections read, is kept in golden files per engine: DuckDB as
written, Spark and Athena as vpcflow.engines.transpile writes them. A change to any is deliberate
(VPCFLOW_UPDATE_GOLDEN=1 rewrites them; review the diff)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpcflow.detect import detections
from vpcflow.detect.aggregates import AGGREGATES
from vpcflow.engines import transpile

from ..support import assert_golden

GOLDEN = Path(__file__).parent / "golden"
QUERIES = {d.id: d.sql for d in detections()} | {f"aggregate-{k}": v for k, v in AGGREGATES.items()}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_detection_sql_matches_its_golden_file(name):
    assert_golden(GOLDEN / "duckdb" / f"{name}.sql", QUERIES[name].strip() + "\n")


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("dialect", ["spark", "athena"])
def test_detection_sql_for_another_engine_matches_its_golden_file(name, dialect):
    assert_golden(GOLDEN / dialect / f"{name}.sql", transpile(QUERIES[name], dialect, pretty=True).sql + "\n")


def test_every_golden_file_belongs_to_a_detection_or_aggregate():
    kept = {(p.parent.name, p.stem) for p in GOLDEN.glob("*/*.sql")}
    assert kept == {(engine, name) for engine in ("duckdb", "spark", "athena") for name in QUERIES}

"""Each detection's SQL is kept in a golden file: a change to it is deliberate (VPCFLOW_REGEN=1 rewrites them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlglot

from vpcflow.detect import detections
from vpcflow.detect.aggregates import AGGREGATES

GOLDEN = Path(__file__).parent / "golden"
QUERIES = {d.id: d.sql for d in detections()} | {f"aggregate-{k}": v for k, v in AGGREGATES.items()}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_detection_sql_matches_its_golden_file(name):
    path = GOLDEN / f"{name}.sql"
    text = QUERIES[name].strip() + "\n"
    if os.environ.get("VPCFLOW_REGEN") == "1":
        path.write_text(text)
    assert path.read_text() == text


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("dialect", ["spark", "trino"])
def test_detection_sql_transpiles_for_other_engines(name, dialect):
    (out,) = sqlglot.transpile(QUERIES[name], read="duckdb", write=dialect)
    assert "FROM" in out

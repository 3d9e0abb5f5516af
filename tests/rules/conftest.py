"""A day's slice of the rules-zoo scenario, stored once: every rule of its topology carries its true status."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vpcflow.emulate import simulate
from vpcflow.network import load_topology
from vpcflow.rules import traffic
from vpcflow.store import Store

SCENARIOS = Path(__file__).resolve().parents[2] / "vpcflow" / "emulate" / "scenarios"


@pytest.fixture(scope="session")
def rules_zoo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rules-zoo")
    simulate("rules-zoo", out / "logs")
    with Store(out / "zoo.duckdb") as store:
        store.ingest([out / "logs"])
    return out / "zoo.duckdb"


@pytest.fixture(scope="session")
def model():
    return load_topology("rules-zoo")


@pytest.fixture(scope="session")
def usage(rules_zoo, model) -> list[dict]:
    with Store(rules_zoo, read_only=True) as store:
        return traffic(store, model)


@pytest.fixture(scope="session")
def truth() -> dict:
    """The scenario's topology as written, with each rule's `truth`."""
    return yaml.safe_load((SCENARIOS / "rules-zoo.yaml").read_text())["topology"]

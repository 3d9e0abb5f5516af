"""The cost-demo scenario emulated once per log format, ingested into a store: the truth beside the records."""

from __future__ import annotations

import pytest

from vpcflow.emulate import simulate
from vpcflow.emulate.paths import read_path_labels
from vpcflow.store import Store

# every conversation of cost-demo runs a few times in two hours; seed-demo scans at 3h17m
HOURS = {"cost-demo": "2h", "seed-demo": "4h"}


@pytest.fixture(scope="session")
def emulated(tmp_path_factory):
    """format -> (store path, billed bytes per path from the emulator's labels)."""
    made: dict = {}

    def make(log_format: str, seed: int = 7, scenario: str = "cost-demo"):
        key = (log_format, seed, scenario)
        if key not in made:
            out = tmp_path_factory.mktemp(f"{scenario}-{log_format}-{seed}")
            simulate(scenario, out / "logs", duration=HOURS.get(scenario, "2h"), format=log_format, seed=seed)
            db = out / "store.duckdb"
            with Store(db) as store:
                store.ingest(out / "logs", format=log_format)
            made[key] = (db, read_path_labels(out / "logs"))
        return made[key]

    return make

"""On every built-in scenario, replaying the window against the configuration that made it changes nothing (the
evaluator's verdicts are the emulator's), and replaying the audit's suggestion rejects nothing accepted."""

from __future__ import annotations

import pytest

from vpcflow.emulate import builtin_names, simulate
from vpcflow.network import load_topology
from vpcflow.rules import check, judge, proposed_topology, suggest, traffic
from vpcflow.store import Store


@pytest.fixture(scope="module", params=builtin_names())
def scenario(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    simulate(request.param, out / "logs", duration="1h", destination="s3", format="v5")
    with Store(out / "s.duckdb") as store:
        store.ingest([out / "logs"])
    model = load_topology(request.param)
    with Store(out / "s.duckdb", read_only=True) as store:
        return model, traffic(store, model)


def test_the_configuration_replayed_gives_the_records_own_verdicts(scenario):
    model, usage = scenario
    result = check(model, model, usage)
    assert (result["newly_rejected"], result["newly_accepted"]) == ([], [])
    assert judge(model, usage).notes == []


def test_the_suggestion_replayed_rejects_nothing_that_was_accepted(scenario):
    model, usage = scenario
    result = check(model, proposed_topology(model, suggest(judge(model, usage))), usage)
    assert result["newly_rejected"] == [] and result["unchanged_flows"]["accepted"] > 0

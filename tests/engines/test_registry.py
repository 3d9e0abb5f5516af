"""The named-query registry: filled by the analysis packages through the `vpcflow.analyses` entry points, as a
plugin's would be; one name, one query."""

from __future__ import annotations

import sys
from importlib import metadata

import pytest

from vpcflow.engines.queries import NamedQuery, get, register, registry
from vpcflow.errors import VpcFlowError
from vpcflow.fields.needs import declared


def test_the_shipped_analyses_are_entry_points_of_the_analyses_group():
    shipped = {ep.name: ep.value for ep in metadata.entry_points(group="vpcflow.analyses")}
    assert {"analyze": "vpcflow.analyze", "detect": "vpcflow.detect", "diagnose": "vpcflow.diagnose"}.items() \
        <= shipped.items()


def test_each_package_registers_its_own_kind_of_query():
    kinds = {q.kind for q in registry().values()}
    assert {"analysis", "detection", "diagnose"} <= kinds
    assert get("top-pair").kind == "analysis" and get("diagnose-legs").kind == "diagnose"


def test_a_second_query_under_a_taken_name_is_refused():
    with pytest.raises(VpcFlowError, match="two named queries share the name 'top-pair'"):
        register(NamedQuery("top-pair", "another top", "SELECT 1 AS one FROM flows"))


def test_registering_the_same_query_again_is_harmless():
    assert register(get("top-pair")) == get("top-pair")


def test_every_query_declares_the_fields_it_needs_for_aws_coverage():
    needs = {n.name: n for n in declared()}
    assert set(registry()) <= set(needs)
    assert needs["beaconing"].max_interval == 60
    assert "tcp_flags" in needs["ssh-brute-force"].uses


def test_a_detection_query_inlines_the_shared_aggregate_unless_it_is_materialized():
    q = get("port-scan-vertical")
    assert "flow_windows" in q.tables
    assert q.statement().startswith("WITH flow_windows AS (")
    assert "flow_windows AS (" not in q.statement({"flow_windows"})


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """Install a third-party package on sys.path that names itself in the `vpcflow.analyses` group."""
    from vpcflow.engines import queries
    from vpcflow.fields import needs

    monkeypatch.setattr(queries, "QUERIES", dict(queries.QUERIES))  # what the plugin registers goes with the test
    monkeypatch.setattr(needs, "NEEDS", dict(needs.NEEDS))
    monkeypatch.setitem(needs._state, "loaded", False)
    monkeypatch.syspath_prepend(str(tmp_path))

    def install(module: str, source: str) -> None:
        (tmp_path / f"{module}.py").write_text(source)
        info = tmp_path / f"{module}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(f"[vpcflow.analyses]\n{module} = {module}\n")
        monkeypatch.delitem(sys.modules, module, raising=False)

    return install


def test_a_plugin_registers_its_query_through_the_entry_point_as_the_shipped_ones_do(plugin):
    plugin("vpcflow_plugin_ports", "from vpcflow.engines.queries import NamedQuery, register\n"
           "register(NamedQuery('busy-ports', 'Ports by records', 'SELECT dstport, count(*) AS flows FROM flows "
           "GROUP BY dstport ORDER BY flows DESC, dstport', needs=('dstport',)))\n")
    assert get("busy-ports").title == "Ports by records"
    assert "busy-ports" in {n.name for n in declared()}


def test_a_plugin_that_fails_to_import_fails_every_lookup_not_just_the_first(plugin):
    plugin("vpcflow_plugin_broken", "raise RuntimeError('broken plugin')\n")
    for _ in range(2):
        with pytest.raises(RuntimeError, match="broken plugin"):
            registry()
